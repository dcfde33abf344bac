using ConvGen.Generator.Diagnostics;
using ConvGen.Generator.Model;
using static ConvGen.Generator.Diagnostics.DiagnosticDescriptors;

namespace ConvGen.Generator.Analysis;

internal static partial class LayerRules
{
    /// <summary>
    /// LayerNorm over the last dimensions, whose sizes normalized_shape states: y = (x - mean) / sqrt(var + eps) * weight
    /// + bias, mean and (biased) variance over those dimensions. Viewed as [Outer rows, Axis normalised values].
    /// </summary>
    private static LayerOutcome LayerNorm(ArgumentReader a, Shape x)
    {
        Argument? arg = a.Layer.Find("NormalizedShape");
        ArgValue v = arg?.Value ?? ArgValue.Null;
        if (v.Kind is not (ArgKind.IntArray or ArgKind.Int) || v.Numbers.Count == 0 || v.Numbers.Any(n => n < 1))
        {
            a.Report(NormalizedShapeInvalid.At(arg?.Span ?? a.Layer.Span, a.Who, x[x.Rank - 1], v.ToString()));
            return LayerOutcome.Failed;
        }
        int[] normalized = v.Numbers.Select(n => (int)n).ToArray();
        int k = normalized.Length;
        int[] last = x.Dims.Skip(Math.Max(0, x.Rank - k)).ToArray();
        if (k > x.Rank || !last.SequenceEqual(normalized))
        {
            string fix = k == 1 && normalized[0] == x[0] && x.Rank == 3
                ? $"to normalise the {x[0]} channels at every position use LayerNorm2d, or Permute(0, 2, 3, 1) before it and Permute(0, 3, 1, 2) after (ConvNeXt's block)"
                : $"write LayerNorm({string.Join(", ", x.Dims.Skip(Math.Max(0, x.Rank - k)))})";
            a.Report(NormalizedShapeMismatch.At(arg!.Span, a.Who, string.Join(", ", normalized), k, Plural(k, "dimension"), x.ToString(), k == 1 ? "is" : "are",
                string.Join(", ", last), fix));
            return LayerOutcome.Failed;
        }
        double eps = a.Double("Eps", 1e-5, min: 0);
        bool affine = a.Bool("ElementwiseAffine", true);
        bool bias = affine && a.Bool("Bias", true);
        int axis = Product(x, x.Rank - k, x.Rank);
        var g = new LayerGeometry
        {
            Outer = Product(x, 0, x.Rank - k), Axis = axis, Inner = 1, Eps = eps, Affine = affine, Bias = bias,
            LearnedShape = normalized.ToEquatableArray(), InChannels = x[0], OutChannels = x[0],
        };
        return new LayerOutcome(x, g, affine ? (long)axis * (bias ? 2 : 1) : 0, 0);
    }

    /// <summary>torchvision's LayerNorm2d: LayerNorm over the C channels at each of the H·W positions (Axis C, stride Inner = H·W).</summary>
    private static LayerOutcome LayerNorm2d(ArgumentReader a, Shape x)
    {
        int channels = x[0];
        CheckDeclaredChannels(a, "NormalizedShape", "normalized_shape", channels, x);
        double eps = a.Double("Eps", 1e-5, min: 0);
        bool affine = a.Bool("ElementwiseAffine", true);
        var g = new LayerGeometry
        {
            Outer = 1, Axis = channels, Inner = x.Spatial, Eps = eps, Affine = affine, Bias = affine,
            LearnedShape = EquatableArray.Create(channels), InChannels = channels, OutChannels = channels,
        };
        return new LayerOutcome(x, g, affine ? 2L * channels : 0, 0);
    }
}
