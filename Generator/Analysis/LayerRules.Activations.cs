using ConvGen.Generator.Diagnostics;
using ConvGen.Generator.Model;

namespace ConvGen.Generator.Analysis;

internal static partial class LayerRules
{
    /// <summary>Hardtanh: clamp to [min_val, max_val]; PyTorch asserts max_val &gt; min_val.</summary>
    private static LayerOutcome Hardtanh(ArgumentReader a, Shape x)
    {
        double min = a.Double("MinVal", -1), max = a.Double("MaxVal", 1);
        if (!(max > min))
        {
            a.Report(DiagnosticDescriptors.OutOfRangeId, a.SpanOfFirst("MaxVal", "MinVal"),
                $"{a.Who}: max_val {Number(max)} must be greater than min_val {Number(min)}, as PyTorch asserts; e.g. Hardtanh({Number(min)}, {Number(min + 1)})");
        }
        return new LayerOutcome(x, new LayerGeometry { MinVal = min, MaxVal = max }, 0, 0);
    }

    /// <summary>Softplus: log(1 + exp(beta x)) / beta, x where beta x &gt; threshold; beta 0 would divide by zero.</summary>
    private static LayerOutcome Softplus(ArgumentReader a, Shape x)
    {
        double beta = a.Double("Beta", 1), threshold = a.Double("Threshold", 20);
        if (beta == 0)
        {
            a.Report(DiagnosticDescriptors.OutOfRangeId, a.SpanOf("Beta"),
                $"{a.Who}: beta 0 divides by zero (PyTorch outputs infinity everywhere); use a non-zero beta, e.g. the default 1");
        }
        return new LayerOutcome(x, new LayerGeometry { Beta = beta, Threshold = threshold }, 0, 0);
    }

    /// <summary>PReLU: one learned slope, or one per channel (dimension 1 with the batch, as PyTorch).</summary>
    private static LayerOutcome PReLU(ArgumentReader a, Shape x)
    {
        int channels = x[0];
        int n = a.Int("NumParameters", 1, min: 1);
        a.Double("Init", 0.25);
        if (n != 1 && n != channels)
        {
            a.Report(DiagnosticDescriptors.ShapeMismatchId, a.SpanOf("NumParameters"),
                $"{a.Who}: num_parameters is {n}, but the input {x} has {channels} {Plural(channels, "channel")}; use 1 (one slope shared) or {channels} (one per channel)");
            n = 1;
        }
        var g = new LayerGeometry { InChannels = channels, OutChannels = channels, LearnedShape = EquatableArray.Create(n) };
        return new LayerOutcome(x, g, n, 0);
    }

    private static string Number(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
