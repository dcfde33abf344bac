using ConvGen.Generator.Diagnostics;
using ConvGen.Generator.Model;
using static ConvGen.Generator.Diagnostics.DiagnosticDescriptors;

namespace ConvGen.Generator.Analysis;

/// <summary>The analysis of one declaration: the validated network (null when there are errors) and every diagnostic.</summary>
internal sealed record AnalysisResult(AnalyzedNetwork? Network, EquatableArray<DiagnosticInfo> Diagnostics)
{
    /// <summary>The embedded weights file the declaration names, and where, still to be checked against the files.</summary>
    public WeightsRequest? Weights { get; init; }

    /// <summary>The network type's full name, which joins these diagnostics with the declaration's position.</summary>
    public string Key { get; init; } = "";
}

/// <summary>A <c>Weights = "file"</c> argument: the file name and the argument's span.</summary>
internal sealed record WeightsRequest(string FileName, SourceSpan Span);

/// <summary>
/// Shape inference and validation: walks the layers in order, resolves what each reads (previous layer, From,
/// the names of a merge), infers every shape with PyTorch's formulas and checks every rule of the contract.
/// Plain C# over the declaration model; no Roslyn.
/// </summary>
internal static class NetworkAnalyzer
{
    public const string InputName = "input";

    /// <summary>Analyses the declaration, then verifies the repairs its diagnostics propose (<see cref="FixVerifier"/>).</summary>
    public static AnalysisResult Analyze(NetworkDeclaration declaration)
    {
        AnalysisResult result = AnalyzeUnverified(declaration);
        return result.Diagnostics.Any(d => !d.Proposals.IsEmpty)
            ? result with { Diagnostics = FixVerifier.Verify(declaration, result.Diagnostics, d => AnalyzeUnverified(d).Diagnostics) }
            : result;
    }

    internal static AnalysisResult AnalyzeUnverified(NetworkDeclaration declaration)
    {
        var diagnostics = new List<DiagnosticInfo>();
        bool failed = false;
        string networkName = declaration.Type.Name;

        EquatableArray<int> inputDims = declaration.InputShape;
        if (inputDims.Count is not (2 or 3))
        {
            diagnostics.Add(InputRankDiagnostic(declaration));
            return new AnalysisResult(null, diagnostics.ToEquatableArray());
        }
        for (int i = 0; i < inputDims.Count; i++)
            if (inputDims[i] < 1)
                diagnostics.Add(InputDimensionTooSmall.At(declaration.InputDimensionSpan(i), networkName, i, inputDims[i], string.Join(", ", inputDims)));
        if (diagnostics.Count > 0) return new AnalysisResult(null, diagnostics.ToEquatableArray());
        if (declaration.Layers.Count == 0)
        {
            diagnostics.Add(NoLayers.At(declaration.NetworkNameSpan, networkName));
            return new AnalysisResult(null, diagnostics.ToEquatableArray());
        }

        var inputShape = new Shape(inputDims);
        // Tensors by producer: -1 is the input. A null shape means the producer failed; its readers are skipped silently.
        var shapes = new Dictionary<int, Shape?> { [-1] = inputShape };
        var fields = new Dictionary<int, ReceptiveField> { [-1] = ReceptiveField.Input(inputShape) };
        var names = new Dictionary<string, int>(StringComparer.Ordinal) { [InputName] = -1 };
        // Every name in the declaration, to tell "declared further down" from "unknown".
        var allNames = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (LayerDeclaration l in declaration.Layers)
            if (l.Name is { } n && !allNames.ContainsKey(n)) allNames[n] = l.Index;
        var layers = new List<AnalyzedLayer>();
        int previous = -1;

        foreach (LayerDeclaration layer in declaration.Layers)
        {
            var args = new ArgumentReader(layer, diagnostics);
            List<int>? inputs = ResolveInputs(layer, previous, names, allNames, args);
            RegisterName(layer, names, args);
            previous = layer.Index;

            if (inputs is null || inputs.Any(i => shapes[i] is null))
            {
                shapes[layer.Index] = null;
                failed |= args.HasErrors || inputs is null;
                continue;
            }

            var inputShapes = inputs.Select(i => shapes[i]!.Value).ToList();
            LayerOutcome outcome = LayerRules.Infer(args, inputShapes);
            failed |= args.HasErrors;
            shapes[layer.Index] = outcome.Output;
            if (outcome.Output is not { } output) continue;

            ReceptiveField field = ReceptiveField.Merge(inputs.Select(i => fields[i])).Through(layer.Kind, outcome.Geometry, output, inputShapes[0]);
            fields[layer.Index] = field;
            layers.Add(new AnalyzedLayer(layer.Index, layer.Kind, layer.Text, layer.Name, layer.Key, inputs.ToEquatableArray(),
                inputShapes[0], output, outcome.Parameters, outcome.MultiplyAccumulates, field.ToString(), outcome.Geometry));
        }

        if (failed || layers.Count != declaration.Layers.Count)
            return new AnalysisResult(null, diagnostics.ToEquatableArray());

        WeightsRequest? weights = declaration.WeightsFile is { } file ? new WeightsRequest(file, declaration.WeightsSpan) : null;
        var network = new AnalyzedNetwork(declaration.Type, inputShape, layers[layers.Count - 1].OutputShape, layers.ToEquatableArray(),
            layers.Sum(l => l.Parameters), layers.Sum(l => l.MultiplyAccumulates));
        return new AnalysisResult(network, diagnostics.ToEquatableArray()) { Weights = weights };
    }

    /// <summary>
    /// CG0010 for an input shape of the wrong rank, on the dimensions at fault: a leading batch dimension
    /// (<c>[Network(1, 3, 32, 32)]</c>) is the first one and its fix drops it; a missing shape is the attribute's name.
    /// </summary>
    private static DiagnosticInfo InputRankDiagnostic(NetworkDeclaration declaration)
    {
        EquatableArray<int> dims = declaration.InputShape;
        string got = string.Join(", ", dims);
        if (dims.Count == 4 && dims[0] == 1)
        {
            var withoutBatch = ArgValue.FromInts(dims.Skip(1).Select(d => (long)d));
            return InputRank.At(declaration.InputDimensionSpan(0), declaration.Type.Name, got, $"Drop the batch dimension: [Network({string.Join(", ", dims.Skip(1))})]")
                .WithFix(new FixProposal($"Use [Network({string.Join(", ", dims.Skip(1))})]",
                    EquatableArray.Create<DeclarationEdit>(new SetArgument(-1, "InputShape", withoutBatch))));
        }
        if (dims.Count > 3)
            return InputRank.At(SourceSpan.FromBounds(declaration.InputDimensionSpan(3).Start, declaration.InputDimensionSpan(dims.Count - 1).End), declaration.Type.Name, got,
                "Remove the extra dimensions (ConvGen compiles 1-D and 2-D networks)");
        return InputRank.At(declaration.NetworkNameSpan, declaration.Type.Name, got,
            dims.Count == 1 ? "Add the spatial size: [Network(C, L)] or [Network(C, H, W)]" : "Write the input shape, e.g. [Network(1, 28, 28)]");
    }

    /// <summary>
    /// What a layer reads: the previous layer's output, or <c>From</c>; a merge with one name combines that name with
    /// it, with several names combines them with each other (contract section 3). Every unknown name is reported on
    /// its own, with a fix to the nearest known name when it looks like a misspelling of one.
    /// </summary>
    private static List<int>? ResolveInputs(LayerDeclaration layer, int previous, Dictionary<string, int> names, Dictionary<string, int> allNames, ArgumentReader args)
    {
        int primary = previous;
        if (layer.From is { } from && !names.TryGetValue(from, out primary))
        {
            args.Report(UnknownNameDiagnostic(layer, from, args.SpanOf("From"), names, allNames, -1));
            return null;
        }
        if (!layer.Kind.IsMerge()) return new List<int> { primary };

        Argument? inputsArg = layer.Find("Inputs");
        var referenced = inputsArg?.Value.Strings.ToList() ?? new List<string>();
        if (referenced.Count == 0)
        {
            args.Report(MergeWithoutNames.At(inputsArg?.Span ?? layer.KindSpan, layer.DisplayName, layer.Kind.ToString()));
            return null;
        }
        var result = new List<int>();
        if (referenced.Count == 1) result.Add(primary);
        bool unknown = false;
        for (int i = 0; i < referenced.Count; i++)
        {
            if (names.TryGetValue(referenced[i], out int producer)) result.Add(producer);
            else
            {
                args.Report(UnknownNameDiagnostic(layer, referenced[i], inputsArg!.ElementSpan(i), names, allNames, i));
                unknown = true;
            }
        }
        return unknown ? null : result;
    }

    private static DiagnosticInfo UnknownNameDiagnostic(LayerDeclaration layer, string name, SourceSpan span, Dictionary<string, int> names, Dictionary<string, int> allNames, int element)
    {
        if (allNames.TryGetValue(name, out int later) && later > layer.Index)
            return NameDeclaredLater.At(span, layer.DisplayName, name, later);
        string known = string.Join(", ", names.Keys.Select(k => "'" + k + "'"));
        DiagnosticInfo d = UnknownLayerName.At(span, layer.DisplayName, name, known);
        if (Spelling.Nearest(name, names.Keys) is not { } nearest) return d;
        ArgValue value = ArgValue.FromString(nearest);
        return d.WithFix(element < 0 ? FixProposal.Set(layer, "From", value, $"Use \"{nearest}\"") : FixProposal.SetElement(layer, "Inputs", element, value));
    }

    private static void RegisterName(LayerDeclaration layer, Dictionary<string, int> names, ArgumentReader args)
    {
        if (layer.Name is not { } name) return;
        // Dots are allowed: a nested PyTorch module's keys are dotted ("blocks.0.dw" owns "blocks.0.dw.weight").
        if (name.Length == 0 || name.StartsWith(".", StringComparison.Ordinal) || name.EndsWith(".", StringComparison.Ordinal))
        {
            args.Report(InvalidLayerName.At(args.SpanOf("Name"), $"{layer.Kind} #{layer.Index}", name));
            return;
        }
        if (names.TryGetValue(name, out int earlier))
        {
            args.Report(earlier < 0
                ? NameIsTheInput.At(args.SpanOf("Name"), $"{layer.Kind} #{layer.Index}", name)
                : NameUsedTwice.At(args.SpanOf("Name"), $"{layer.Kind} #{layer.Index}", name, earlier));
            return;
        }
        names[name] = layer.Index;
    }
}
