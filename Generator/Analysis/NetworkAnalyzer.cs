using ConvGen.Generator.Diagnostics;
using ConvGen.Generator.Model;

namespace ConvGen.Generator.Analysis;

/// <summary>The analysis of one declaration: the validated network (null when there are errors) and every diagnostic.</summary>
internal sealed record AnalysisResult(AnalyzedNetwork? Network, EquatableArray<DiagnosticInfo> Diagnostics)
{
    /// <summary>The embedded weights file the declaration names, and where, still to be checked against the files.</summary>
    public WeightsRequest? Weights { get; init; }
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

    public static AnalysisResult Analyze(NetworkDeclaration declaration)
    {
        var diagnostics = new List<DiagnosticInfo>();
        bool failed = false;

        EquatableArray<int> inputDims = declaration.InputShape;
        if (inputDims.Count is not (2 or 3))
        {
            diagnostics.Add(new DiagnosticInfo(DiagnosticDescriptors.InvalidStructureId, declaration.NetworkSpan,
                $"Network '{declaration.Type.Name}': the input shape must be (C, L) for a 1-D network or (C, H, W) for a 2-D one, channels first and without the batch dimension; got ({string.Join(", ", inputDims)})"));
            return new AnalysisResult(null, diagnostics.ToEquatableArray());
        }
        if (inputDims.Any(d => d < 1))
        {
            diagnostics.Add(new DiagnosticInfo(DiagnosticDescriptors.OutOfRangeId, declaration.NetworkSpan,
                $"Network '{declaration.Type.Name}': every input dimension must be at least 1; got ({string.Join(", ", inputDims)})"));
            return new AnalysisResult(null, diagnostics.ToEquatableArray());
        }
        if (Limits.Input(declaration) is { } tooLarge)
        {
            diagnostics.Add(tooLarge);
            return new AnalysisResult(null, diagnostics.ToEquatableArray());
        }
        if (declaration.Layers.Count == 0)
        {
            diagnostics.Add(new DiagnosticInfo(DiagnosticDescriptors.InvalidStructureId, declaration.NetworkSpan,
                $"Network '{declaration.Type.Name}' has no layers; add them as attributes after [Network], in forward order, e.g. [Conv2d(8, 3), ReLU]"));
            return new AnalysisResult(null, diagnostics.ToEquatableArray());
        }

        var inputShape = new Shape(inputDims);
        // Tensors by producer: -1 is the input. A null shape means the producer failed; its readers are skipped silently.
        var shapes = new Dictionary<int, Shape?> { [-1] = inputShape };
        var fields = new Dictionary<int, ReceptiveField> { [-1] = ReceptiveField.Input(inputShape.Rank - 1) };
        var names = new Dictionary<string, int>(StringComparer.Ordinal) { [InputName] = -1 };
        var layers = new List<AnalyzedLayer>();
        int previous = -1;

        foreach (LayerDeclaration layer in declaration.Layers)
        {
            var args = new ArgumentReader(layer, diagnostics);
            List<int>? inputs = ResolveInputs(layer, previous, names, args);
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
            CheckedSize.Sum(layers.Select(l => l.Parameters)), CheckedSize.Sum(layers.Select(l => l.MultiplyAccumulates)));
        return new AnalysisResult(network, diagnostics.ToEquatableArray()) { Weights = weights };
    }

    /// <summary>
    /// What a layer reads: the previous layer's output, or <c>From</c>; a merge with one name combines that name with
    /// it, with several names combines them with each other (contract section 3).
    /// </summary>
    private static List<int>? ResolveInputs(LayerDeclaration layer, int previous, Dictionary<string, int> names, ArgumentReader args)
    {
        int primary = previous;
        if (layer.From is { } from)
        {
            if (!names.TryGetValue(from, out primary))
            {
                args.Report(DiagnosticDescriptors.UnknownNameId, args.SpanOf("From"), UnknownNameMessage(layer, from, names));
                return null;
            }
        }
        if (!layer.Kind.IsMerge()) return new List<int> { primary };

        Argument? inputsArg = layer.Find("Inputs");
        var referenced = inputsArg?.Value.Strings.ToList() ?? new List<string>();
        if (referenced.Count == 0)
        {
            args.Report(DiagnosticDescriptors.UnknownNameId, layer.Span,
                $"{layer.DisplayName} names no outputs to combine; write e.g. {layer.Kind}(\"skip\") with the Name of an earlier layer");
            return null;
        }
        var result = new List<int>();
        if (referenced.Count == 1) result.Add(primary);
        foreach (string name in referenced)
        {
            if (!names.TryGetValue(name, out int producer))
            {
                args.Report(DiagnosticDescriptors.UnknownNameId, inputsArg!.Span, UnknownNameMessage(layer, name, names));
                return null;
            }
            result.Add(producer);
        }
        return result;
    }

    private static string UnknownNameMessage(LayerDeclaration layer, string name, Dictionary<string, int> names)
    {
        string known = string.Join(", ", names.Keys.Select(k => "'" + k + "'"));
        return $"{layer.DisplayName} reads '{name}', but no earlier layer has Name = \"{name}\"; known outputs here: {known}";
    }

    private static void RegisterName(LayerDeclaration layer, Dictionary<string, int> names, ArgumentReader args)
    {
        if (layer.Name is not { } name) return;
        // Dots are allowed: a nested PyTorch module's keys are dotted ("blocks.0.dw" owns "blocks.0.dw.weight").
        if (name.Length == 0 || name.StartsWith(".", StringComparison.Ordinal) || name.EndsWith(".", StringComparison.Ordinal))
        {
            args.Report(DiagnosticDescriptors.OutOfRangeId, args.SpanOf("Name"),
                $"{layer.Kind} #{layer.Index}: Name \"{name}\" cannot be a state_dict key prefix; use a non-empty name that does not start or end with '.'");
            return;
        }
        if (names.TryGetValue(name, out int earlier))
        {
            string where = earlier < 0 ? "is the network input" : $"is already the name of layer #{earlier}";
            args.Report(DiagnosticDescriptors.UnknownNameId, args.SpanOf("Name"),
                $"{layer.Kind} #{layer.Index}: the name '{name}' {where}; give each layer a different name");
            return;
        }
        names[name] = layer.Index;
    }
}
