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
        var analyzed = new Dictionary<int, AnalyzedLayer>();
        int previous = -1;

        foreach (LayerDeclaration layer in declaration.Layers)
        {
            var args = new ArgumentReader(layer, diagnostics);
            List<int>? inputs = ResolveInputs(layer, previous, names, args);
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
            diagnostics.Add(new DiagnosticInfo(DiagnosticDescriptors.InvalidStructureId, last.NameSpan,
                $"{last.DisplayName} is the last layer, so the network would output a learned tensor that does not depend on the input; use it in an Add, Subtract or Multiply after it"));
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
    /// What a layer reads: the previous layer's output, or <c>From</c>; a merge with one name combines that name with
    /// it, with several names combines them with each other (contract section 3).
    /// </summary>
    private static List<int>? ResolveInputs(LayerDeclaration layer, int previous, Dictionary<string, int> names, ArgumentReader args)
    {
        if (layer.Kind == LayerKind.Parameter)
        {
            if (layer.From is not null)
            {
                args.Report(DiagnosticDescriptors.OutOfRangeId, args.SpanOf("From"),
                    $"{layer.DisplayName} is a learned tensor and reads no input; remove From, and name the Parameter in the Add, Subtract or Multiply that uses it");
                return null;
            }
            return new List<int>();
        }

        int primary = previous;
        if (layer.From is { } from)
        {
            if (!names.TryGetValue(from, out primary))
            {
                args.Report(DiagnosticDescriptors.UnknownNameId, args.SpanOf("From"), UnknownNameMessage(layer, from, names));
                return null;
            }
        }
        if (layer.Kind == LayerKind.MaxUnpool2d) return ResolveIndices(layer, primary, names, args);
        if (!layer.Kind.IsMerge()) return new List<int> { primary };

        // Add(0.5) and Multiply(0.5) combine the current output with a number; Subtract(1.0, "t") is 1 - t.
        if (layer.Find("Other") is not null) return new List<int> { primary };
        if (layer.Find("Subtrahend") is { } subtrahend)
        {
            string name = subtrahend.Value.Text ?? "";
            if (names.TryGetValue(name, out int producer)) return new List<int> { producer };
            args.Report(DiagnosticDescriptors.UnknownNameId, subtrahend.Span, UnknownNameMessage(layer, name, names));
            return null;
        }

        Argument? inputsArg = layer.Find("Inputs");
        var referenced = inputsArg?.Value.Strings.ToList() ?? new List<string>();
        if (referenced.Count == 0)
        {
            string example = layer.Kind == LayerKind.Concat ? "" : $", or {layer.Kind}({(layer.Kind == LayerKind.Subtract ? "1.0, \"t\"" : "0.5")}) for a number";
            args.Report(DiagnosticDescriptors.UnknownNameId, layer.Span,
                $"{layer.DisplayName} names no outputs to combine; write e.g. {layer.Kind}(\"skip\") with the Name of an earlier layer{example}");
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

    /// <summary>MaxUnpool2d reads its values (the previous output or From), then the pool named by Indices.</summary>
    private static List<int>? ResolveIndices(LayerDeclaration layer, int primary, Dictionary<string, int> names, ArgumentReader args)
    {
        Argument? indices = layer.Find("Indices");
        if (indices?.Value.Text is not { } name)
        {
            args.Report(DiagnosticDescriptors.UnknownNameId, layer.Span,
                $"{layer.DisplayName} needs the indices of a MaxPool2d: give that pool ReturnIndices = true and a Name, and write Indices = \"pool\" here");
            return null;
        }
        if (!names.TryGetValue(name, out int pool))
        {
            args.Report(DiagnosticDescriptors.UnknownNameId, indices.Span, UnknownNameMessage(layer, name, names));
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
            args.Report(DiagnosticDescriptors.InvalidStructureId, ParameterReferenceSpan(layer, p),
                $"{layer.DisplayName} reads {Describe(p)}, a learned tensor without a batch dimension; only Add, Subtract and Multiply take a Parameter as an operand (broadcast as in PyTorch)" +
                (p.Index == layer.Index - 1 && layer.From is null ? ". The layer after a Parameter reads it: put the Parameter right before the Add, Subtract or Multiply that uses it" : ""));
            return false;
        }
        if (parameters.Count > 0 && parameters.Count == inputs.Count)
        {
            args.Report(DiagnosticDescriptors.InvalidStructureId, ParameterReferenceSpan(layer, parameters[0]),
                $"{layer.DisplayName} combines only learned tensors ({string.Join(", ", parameters.Select(Describe))}), so its result does not depend on the input; combine them with a layer's output");
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
                args.Report(DiagnosticDescriptors.ShapeMismatchId, args.SpanOf("Indices"),
                    $"{layer.DisplayName} takes its indices from {what}, which produces none; {fix}");
                return false;
            }
        }
        return true;
    }

    private static string Describe(AnalyzedLayer layer) => layer.Name is { } n ? $"{layer.Kind} '{n}'" : $"{layer.Kind} #{layer.Index}";

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
