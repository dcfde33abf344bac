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
        if (Limits.Input(declaration) is { } tooLarge)
        {
            diagnostics.Add(tooLarge);
            return new AnalysisResult(null, diagnostics.ToEquatableArray());
        }
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
        var analyzed = new Dictionary<int, AnalyzedLayer>();
        int previous = -1;

        foreach (LayerDeclaration layer in declaration.Layers)
        {
            var args = new ArgumentReader(layer, diagnostics);
            List<int>? inputs = ResolveInputs(layer, previous, names, allNames, args);
            RegisterName(layer, names, args);
            previous = layer.Index;

            if (inputs is null || inputs.Any(i => shapes[i] is null) || !CheckOperands(layer, inputs, analyzed, args))
            {
                shapes[layer.Index] = null;
                failed |= args.HasErrors || inputs is null;
                continue;
            }

            var operands = inputs.Select(i => new Operand(shapes[i]!.Value, i < 0 ? null : analyzed[i])).ToList();
            LayerOutcome outcome = layer.Kind == LayerKind.Parameter ? LayerRules.Parameter(args) : LayerRules.Infer(args, operands);
            failed |= args.HasErrors;
            shapes[layer.Index] = outcome.Output;
            if (outcome.Output is not { } output) continue;

            Shape firstInput = operands.Count > 0 ? operands[0].Shape : output;
            ReceptiveField field = layer.Kind == LayerKind.Parameter
                ? ReceptiveField.Constant(fields[-1].SpatialRank)
                : ReceptiveField.Merge(inputs.Take(layer.Kind == LayerKind.MaxUnpool2d ? 1 : inputs.Count).Select(i => fields[i]))
                    .Through(layer.Kind, outcome.Geometry, output, firstInput);
            fields[layer.Index] = field;
            var analyzedLayer = new AnalyzedLayer(layer.Index, layer.Kind, layer.Text, layer.Name, layer.Key, inputs.ToEquatableArray(),
                firstInput, output, outcome.Parameters, outcome.MultiplyAccumulates, field.ToString(), outcome.Geometry);
            analyzed[layer.Index] = analyzedLayer;
            layers.Add(analyzedLayer);
        }

        if (!failed && layers.Count == declaration.Layers.Count && layers[layers.Count - 1].Kind == LayerKind.Parameter)
        {
            LayerDeclaration last = declaration.Layers[declaration.Layers.Count - 1];
            diagnostics.Add(LastLayerIsParameter.At(last.NameSpan, last.DisplayName));
            failed = true;
        }

        if (failed || layers.Count != declaration.Layers.Count)
            return new AnalysisResult(null, diagnostics.ToEquatableArray());

        WeightsRequest? weights = declaration.WeightsFile is { } file ? new WeightsRequest(file, declaration.WeightsSpan) : null;
        var network = new AnalyzedNetwork(declaration.Type, inputShape, layers[layers.Count - 1].OutputShape, layers.ToEquatableArray(),
            CheckedSize.Sum(layers.Select(l => l.Parameters)), CheckedSize.Sum(layers.Select(l => l.MultiplyAccumulates)));
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
        if (layer.Kind == LayerKind.Parameter)
        {
            if (layer.From is not null)
            {
                args.Report(ParameterWithFrom.At(args.SpanOf("From"), layer.DisplayName));
                return null;
            }
            return new List<int>();
        }

        int primary = previous;
        if (layer.From is { } from && !names.TryGetValue(from, out primary))
        {
            args.Report(UnknownNameDiagnostic(layer, from, args.SpanOf("From"), names, allNames, "From"));
            return null;
        }
        if (layer.Kind == LayerKind.MaxUnpool2d) return ResolveIndices(layer, primary, names, allNames, args);
        if (!layer.Kind.IsMerge()) return new List<int> { primary };

        // Add(0.5) and Multiply(0.5) combine the current output with a number; Subtract(1.0, "t") is 1 - t.
        if (layer.Find("Other") is not null) return new List<int> { primary };
        if (layer.Find("Subtrahend") is { } subtrahend)
        {
            string name = subtrahend.Value.Text ?? "";
            if (names.TryGetValue(name, out int producer)) return new List<int> { producer };
            args.Report(UnknownNameDiagnostic(layer, name, subtrahend.Span, names, allNames, "Subtrahend"));
            return null;
        }

        Argument? inputsArg = layer.Find("Inputs");
        var referenced = inputsArg?.Value.Strings.ToList() ?? new List<string>();
        if (referenced.Count == 0)
        {
            string example = layer.Kind == LayerKind.Concat ? "" : $", or {layer.Kind}({(layer.Kind == LayerKind.Subtract ? "1.0, \"t\"" : "0.5")}) for a number";
            args.Report(MergeWithoutNames.At(inputsArg?.Span ?? layer.KindSpan, layer.DisplayName, layer.Kind.ToString(), example));
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
                args.Report(UnknownNameDiagnostic(layer, referenced[i], inputsArg!.ElementSpan(i), names, allNames, "Inputs", i));
                unknown = true;
            }
        }
        return unknown ? null : result;
    }

    /// <summary>MaxUnpool2d reads its values (the previous output or From), then the pool named by Indices.</summary>
    private static List<int>? ResolveIndices(LayerDeclaration layer, int primary, Dictionary<string, int> names, Dictionary<string, int> allNames, ArgumentReader args)
    {
        Argument? indices = layer.Find("Indices");
        if (indices?.Value.Text is not { } name)
        {
            args.Report(UnpoolWithoutIndices.At(layer.Span, layer.DisplayName));
            return null;
        }
        if (!names.TryGetValue(name, out int pool))
        {
            args.Report(UnknownNameDiagnostic(layer, name, indices.Span, names, allNames, "Indices"));
            return null;
        }
        return new List<int> { primary, pool };
    }

    /// <summary>
    /// Wiring rules that need the producers: a Parameter is only an operand of Add, Subtract or Multiply, with at least one
    /// operand computed from the input (CG0010); MaxUnpool2d's indices come from a MaxPool2d with ReturnIndices (CG0004).
    /// </summary>
    private static bool CheckOperands(LayerDeclaration layer, List<int> inputs, Dictionary<int, AnalyzedLayer> analyzed, ArgumentReader args)
    {
        var parameters = inputs.Where(i => i >= 0 && analyzed[i].Kind == LayerKind.Parameter).Select(i => analyzed[i]).ToList();
        if (parameters.Count > 0 && !layer.Kind.IsArithmetic())
        {
            AnalyzedLayer p = parameters[0];
            args.Report(ParameterOperandOfOtherLayer.At(ParameterReferenceSpan(layer, p), layer.DisplayName, Describe(p),
                p.Index == layer.Index - 1 && layer.From is null ? ". The layer after a Parameter reads it: put the Parameter right before the Add, Subtract or Multiply that uses it" : ""));
            return false;
        }
        if (parameters.Count > 0 && parameters.Count == inputs.Count)
        {
            args.Report(OnlyLearnedOperands.At(ParameterReferenceSpan(layer, parameters[0]), layer.DisplayName, string.Join(", ", parameters.Select(Describe))));
            return false;
        }
        if (layer.Kind == LayerKind.MaxUnpool2d && inputs.Count == 2)
        {
            AnalyzedLayer? pool = inputs[1] < 0 ? null : analyzed[inputs[1]];
            if (pool is not { Kind: LayerKind.MaxPool2d, Geometry.ReturnIndices: true })
            {
                string what = pool is null ? "the network input" : Describe(pool);
                string fix = pool?.Kind == LayerKind.MaxPool2d
                    ? $"add ReturnIndices = true to {Describe(pool)}"
                    : "name a MaxPool2d that has ReturnIndices = true";
                args.Report(IndicesFromNonPool.At(args.SpanOf("Indices"), layer.DisplayName, what, fix));
                return false;
            }
        }
        return true;
    }

    private static string Describe(AnalyzedLayer layer) => layer.Name is { } n ? $"{layer.TypeName} '{n}'" : $"{layer.TypeName} #{layer.Index}";

    // The argument that names the Parameter (From, Inputs or Subtrahend), or the layer's name when it reads it implicitly.
    private static SourceSpan ParameterReferenceSpan(LayerDeclaration layer, AnalyzedLayer parameter)
    {
        if (parameter.Name is { } name)
        {
            foreach (Argument a in layer.Arguments)
                if (a.Name is "From" or "Inputs" or "Subtrahend" && (a.Value.Text == name || a.Value.Strings.Contains(name))) return a.Span;
        }
        return layer.NameSpan;
    }

    private static DiagnosticInfo UnknownNameDiagnostic(LayerDeclaration layer, string name, SourceSpan span, Dictionary<string, int> names, Dictionary<string, int> allNames,
        string argument, int element = -1)
    {
        if (allNames.TryGetValue(name, out int later) && later > layer.Index)
            return NameDeclaredLater.At(span, layer.DisplayName, name, later);
        string known = string.Join(", ", names.Keys.Select(k => "'" + k + "'"));
        DiagnosticInfo d = UnknownLayerName.At(span, layer.DisplayName, name, known);
        if (Spelling.Nearest(name, names.Keys) is not { } nearest) return d;
        ArgValue value = ArgValue.FromString(nearest);
        return d.WithFix(element < 0 ? FixProposal.Set(layer, argument, value, $"Use \"{nearest}\"") : FixProposal.SetElement(layer, argument, element, value));
    }

    private static void RegisterName(LayerDeclaration layer, Dictionary<string, int> names, ArgumentReader args)
    {
        if (layer.Name is not { } name) return;
        // Dots are allowed: a nested PyTorch module's keys are dotted ("blocks.0.dw" owns "blocks.0.dw.weight").
        if (name.Length == 0 || name.StartsWith(".", StringComparison.Ordinal) || name.EndsWith(".", StringComparison.Ordinal))
        {
            args.Report(InvalidLayerName.At(args.SpanOf("Name"), $"{layer.TypeName} #{layer.Index}", name));
            return;
        }
        if (names.TryGetValue(name, out int earlier))
        {
            args.Report(earlier < 0
                ? NameIsTheInput.At(args.SpanOf("Name"), $"{layer.TypeName} #{layer.Index}", name)
                : NameUsedTwice.At(args.SpanOf("Name"), $"{layer.TypeName} #{layer.Index}", name, earlier));
            return;
        }
        names[name] = layer.Index;
    }
}
