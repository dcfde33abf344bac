using ConvGen.Generator.Diagnostics;
using ConvGen.Generator.Model;
using static ConvGen.Generator.Diagnostics.DiagnosticDescriptors;

namespace ConvGen.Generator.Analysis;

/// <summary>What shape inference learned about one layer; <see cref="Output"/> is null when it cannot be computed.</summary>
internal readonly record struct LayerOutcome(Shape? Output, LayerGeometry Geometry, long Parameters, long MultiplyAccumulates)
{
    public static LayerOutcome Failed => new(null, new LayerGeometry(), 0, 0);
}

/// <summary>One tensor a layer reads: its shape and the layer that produced it (null for the network input).</summary>
internal readonly record struct Operand(Shape Shape, AnalyzedLayer? Producer)
{
    /// <summary>A Parameter's tensor: no batch dimension, so it broadcasts like a PyTorch parameter.</summary>
    public bool IsLearned => Producer?.Kind == LayerKind.Parameter;
}

/// <summary>
/// PyTorch's shape rules and argument checks for every layer kind. Output sizes follow the formulas of the
/// <c>torch.nn</c> documentation; each check reports on the argument at fault with the numbers and a fix.
/// </summary>
internal static partial class LayerRules
{
    public static LayerOutcome Infer(ArgumentReader a, List<Operand> inputs)
    {
        LayerDeclaration layer = a.Layer;
        Shape x = inputs[0].Shape;
        if (!CheckDimensionality(a, x)) return LayerOutcome.Failed;

        LayerOutcome outcome = layer.Kind switch
        {
            LayerKind.Conv1d or LayerKind.Conv2d => Convolution(a, x),
            LayerKind.ConvTranspose1d or LayerKind.ConvTranspose2d => TransposedConvolution(a, x),
            LayerKind.MaxPool1d or LayerKind.MaxPool2d or LayerKind.AvgPool1d or LayerKind.AvgPool2d => Pool(a, x),
            LayerKind.AdaptiveAvgPool1d or LayerKind.AdaptiveAvgPool2d or LayerKind.AdaptiveMaxPool1d or LayerKind.AdaptiveMaxPool2d => AdaptivePool(a, x),
            LayerKind.BatchNorm1d or LayerKind.BatchNorm2d => BatchNorm(a, x),
            LayerKind.Activation => Activation(a, x),
            LayerKind.PReLU => PReLU(a, x),
            LayerKind.Softmax or LayerKind.LogSoftmax => Softmax(a, x),
            LayerKind.Flatten => Flatten(a, x),
            LayerKind.Linear => Linear(a, x),
            LayerKind.Dropout => Dropout(a, x),
            LayerKind.StochasticDepth => StochasticDepth(a, x),
            LayerKind.Chunk or LayerKind.Split => Slice(a, x),
            LayerKind.Permute => Permute(a, x),
            LayerKind.Unflatten => Unflatten(a, x),
            LayerKind.LayerNorm => LayerNorm(a, x),
            LayerKind.LayerNorm2d => LayerNorm2d(a, x),
            LayerKind.MaxUnpool2d => MaxUnpool(a, x, inputs[1].Producer!),
            LayerKind.Identity => new LayerOutcome(x, new LayerGeometry(), 0, 0),
            LayerKind.ZeroPad2d or LayerKind.ReflectionPad2d or LayerKind.ReplicationPad2d => Pad(a, x),
            LayerKind.Upsample => Upsample(a, x),
            LayerKind.ChannelShuffle => ChannelShuffle(a, x),
            LayerKind.Concat => Concat(a, inputs.Select(i => i.Shape).ToList()),
            LayerKind.Add or LayerKind.Multiply or LayerKind.Subtract => Arithmetic(a, inputs),
            _ => LayerOutcome.Failed,
        };
        return a.HasErrors && outcome.Output is not null && !ShapeStillMeaningful(layer.Kind) ? outcome with { Output = null } : outcome;
    }

    // After an error in one argument the output shape is still computed from defaults, so later layers are checked
    // too; but a wrong channel count would cascade into false reports, so those layers stop the walk.
    private static bool ShapeStillMeaningful(LayerKind kind) => kind is not (LayerKind.Add or LayerKind.Multiply or LayerKind.Subtract or LayerKind.Concat);

    /// <summary>CG0010: a 1-D layer in a 2-D network or the reverse, or a spatial layer after Flatten.</summary>
    private static bool CheckDimensionality(ArgumentReader a, Shape x)
    {
        LayerKind kind = a.Layer.Kind;
        int spatial = kind.SpatialRank();
        bool ok = kind switch
        {
            LayerKind.BatchNorm1d => x.Rank is 1 or 2,
            LayerKind.Upsample => x.Rank is 2 or 3,
            LayerKind.ChannelShuffle => x.Rank >= 2,
            _ => spatial == 0 || x.Rank == spatial + 1,
        };
        if (ok) return true;

        string needs = kind == LayerKind.BatchNorm1d ? "a C×L or F input" : spatial == 2 ? "a C×H×W input" : spatial == 1 ? "a C×L input" : "a C×H×W or C×L input";
        string got = x.Rank switch { 1 => $"{x} (flat)", 2 => $"{x} (C×L, 1-D)", 3 => $"{x} (C×H×W, 2-D)", _ => x.ToString() };
        // The same layer for the other dimensionality (Conv1d <-> Conv2d), when there is one.
        LayerKind? other = spatial == 0 || x.Rank == 1 ? null
            : LayerKinds.TryFromAttributeClass(spatial == 2 ? kind.ToString().Replace("2d", "1d") : kind.ToString().Replace("1d", "2d"), out LayerKind k, out _) ? k : null;
        string fix = x.Rank == 1 ? "move it before Flatten"
            : other is { } o ? $"use {o} here, or declare the input as [Network({(spatial == 2 ? "C, H, W" : "C, L")})]"
            : $"declare the input as [Network({(spatial == 2 ? "C, H, W" : "C, L")})]";
        DiagnosticInfo d = WrongDimensionality.At(a.Layer.KindSpan, a.Who, needs, got, fix);
        a.Report(other is { } rename ? d.WithFix(FixProposal.Rename(a.Layer, rename)) : d);
        return false;
    }

    /// <summary>Spatial sizes of a C×H×W or C×L shape as (H, W), H = 1 for 1-D.</summary>
    private static (int H, int W) SpatialOf(Shape x) => x.Rank == 3 ? (x[1], x[2]) : (1, x[x.Rank - 1]);

    /// <summary>A C×H×W or C×L output from sizes computed in 64 bits, or null after CG0013 when it is too large (<see cref="Limits.Output"/>).</summary>
    private static Shape? SpatialOutput(ArgumentReader a, int rank, long channels, double h, double w, string fix) =>
        Limits.Output(a, a.Layer.Span, fix, rank == 2 ? new double[] { channels, h, w } : new double[] { channels, w });

    private static string Plural(int n, string one) => n == 1 ? one : one + "s";

    /// <summary>
    /// The divisors of <paramref name="n"/> that also divide <paramref name="m"/>, for a groups fix: the divisors
    /// of their gcd, found in pairs up to its square root (at most 46,341 steps for any two ints).
    /// </summary>
    private static string CommonDivisors(int n, int m)
    {
        int g = Gcd(n, m);
        var small = new List<int>();
        var large = new List<int>();
        for (int d = 1; (long)d * d <= g; d++)
        {
            if (g % d != 0) continue;
            small.Add(d);
            if (d != g / d) large.Add(g / d);
        }
        large.Reverse();
        var list = small.Concat(large).ToList();
        return list.Count <= 8 ? string.Join(", ", list) : string.Join(", ", list.Take(4)) + ", ..., " + list[list.Count - 1];
    }

    /// <summary>The common divisors of <paramref name="n"/> and <paramref name="m"/> nearest to <paramref name="groups"/>: the next smaller and the next larger.</summary>
    private static IEnumerable<int> NearestDivisors(int groups, int n, int m)
    {
        // The common divisors are the divisors of gcd(n, m), found in pairs up to its square root (bounded for any size).
        int gcd = Gcd(n, m);
        var divisors = new List<int>();
        for (long d = 1; d * d <= gcd; d++)
            if (gcd % d == 0) { divisors.Add((int)d); if (gcd / d != d) divisors.Add((int)(gcd / d)); }
        divisors.Sort();
        int? below = divisors.Where(d => d < groups).Select(d => (int?)d).LastOrDefault();
        int? above = divisors.Where(d => d > groups).Select(d => (int?)d).FirstOrDefault();
        if (below is { } b) yield return b;
        if (above is { } a) yield return a;
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }
}
