using ConvGen.Generator.Diagnostics;
using ConvGen.Generator.Model;
using static ConvGen.Generator.Diagnostics.DiagnosticDescriptors;

namespace ConvGen.Generator.Analysis;

internal static partial class LayerRules
{
    /// <summary>
    /// Add, Subtract and Multiply with PyTorch's broadcasting. Tensors computed from the input carry the batch dimension,
    /// so they must have one rank (otherwise PyTorch would line the batch of one up with a dimension of the other); a
    /// Parameter has no batch dimension and lines up from the last dimension like a PyTorch parameter, a first dimension
    /// that meets the batch being 1. Then each pair of sizes, aligned from the last, must be equal or 1.
    /// </summary>
    private static LayerOutcome Arithmetic(ArgumentReader a, List<Operand> inputs)
    {
        var g = new LayerGeometry();
        if (a.Layer.Find("Other") is not null) g = g with { Scalar = Finite(a, "Other") };
        else if (a.Layer.Find("Minuend") is not null) g = g with { Scalar = Finite(a, "Minuend"), ScalarFirst = true };

        var computed = inputs.Where(i => !i.IsLearned).ToList();
        int rank = computed[0].Shape.Rank;
        SourceSpan at = a.SpanOfFirst("Inputs", "Subtrahend");
        int mismatch = computed.FindIndex(i => i.Shape.Rank != rank);
        if (mismatch >= 0)
        {
            Shape other = computed[mismatch].Shape;
            a.Report(RanksDiffer.At(at, a.Who, computed[0].Shape.ToString(), other.ToString()));
            return LayerOutcome.Failed;
        }

        var aligned = new List<Shape>();
        foreach (Operand operand in inputs)
        {
            Shape s = operand.Shape;
            if (!operand.IsLearned) { aligned.Add(s); continue; }
            if (s.Rank > rank + 1 || (s.Rank == rank + 1 && s[0] != 1))
            {
                string why = s.Rank > rank + 1
                    ? $"has {s.Rank} dimensions, more than the {rank + 1} of the batched {computed[0].Shape} operand"
                    : $"has {s.Rank} dimensions, so its first ({s[0]}) lines up with the batch dimension";
                a.Report(LearnedTensorDoesNotBroadcast.At(at, a.Who, Describe(operand), ShapeText(s), why, rank));
                return LayerOutcome.Failed;
            }
            aligned.Add(s.Rank == rank + 1 ? new Shape(s.Dims.Skip(1).ToEquatableArray()) : s);
        }

        var result = new int[rank];
        for (int i = 0; i < rank; i++) result[i] = 1;
        for (int k = 0; k < aligned.Count; k++)
        {
            Shape s = aligned[k];
            for (int j = 1; j <= s.Rank; j++)
            {
                int size = s[s.Rank - j], current = result[rank - j];
                if (size == current || size == 1) continue;
                if (current == 1) { result[rank - j] = size; continue; }
                int holder = aligned.FindIndex(t => t.Rank >= j && t[t.Rank - j] == current);
                int dim = rank - j + 1;
                a.Report(ShapesDoNotBroadcast.At(at, a.Who, ShapeText(inputs[holder].Shape), ShapeText(inputs[k].Shape), dim, current, size));
                return LayerOutcome.Failed;
            }
        }
        if (Limits.Output(a, at, "Broadcast smaller operands", result.Select(d => (double)d).ToArray()) is not { } output) return LayerOutcome.Failed;
        return new LayerOutcome(output, g, 0, 0);
    }

    /// <summary>A Parameter: the learned tensor of the stated shape (no batch dimension), keyed by its Name.</summary>
    public static LayerOutcome Parameter(ArgumentReader a)
    {
        Argument? arg = a.Layer.Find("Shape");
        EquatableArray<double> numbers = arg?.Value.Numbers ?? EquatableArray<double>.Empty;
        bool sizes = arg is null || arg.Value.Kind is ArgKind.IntArray or ArgKind.Int || (arg.Value.IsArray && numbers.Count == 0);
        if (!sizes || numbers.Any(d => d < 1 || d > int.MaxValue))
        {
            a.Report(ParameterShapeInvalid.At(a.SpanOf("Shape"), a.Who, arg?.Value.ToString() ?? "nothing"));
            return LayerOutcome.Failed;
        }
        if (Limits.Output(a, a.SpanOf("Shape"), "Declare a smaller tensor", numbers.ToArray()) is not { } shape) return LayerOutcome.Failed;
        return new LayerOutcome(shape, new LayerGeometry { LearnedShape = shape.Dims }, shape.Elements, 0);
    }

    private static double Finite(ArgumentReader a, string name)
    {
        double v = a.Double(name, 0);
        if (double.IsInfinity(v))
            a.Report(NumberNotFinite.At(a.SpanOf(name), a.Who, name, Number(v)));
        return v;
    }

    private static string Describe(Operand operand) => operand.Producer is { } p ? p.Name is { } n ? $"'{n}'" : $"#{p.Index}" : "input";

    private static string ShapeText(Shape s) => s.Rank == 0 ? "[] (a scalar)" : s.ToString();
}
