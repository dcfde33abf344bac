using ConvGen.Reference;
using ConvGen.Runtime.Kernels;

namespace ConvGen.IsaCheck.Checks;

/// <summary>
/// <see cref="Elementwise"/> and <see cref="Softmax"/> through their public entry points, against
/// <see cref="ElementwiseReference"/>.
/// </summary>
internal static class ElementwiseChecks
{
    // Exp-based activations are a few float ulps of max(1, max|ref|) away from the double formula.
    private const double ActivationTolerance = 2e-6;

    private static readonly ActivationKind[] Kinds = Enum.GetValues<ActivationKind>();

    // Empty, below and around each vector width (1, 4, 8, 16 lanes: tails up to 3*16+1), and a long tensor.
    private static IEnumerable<int> Lengths()
    {
        for (int n = 0; n <= 49; n++) yield return n;
        yield return 63;
        yield return 64;
        yield return 65;
        yield return 1000;
    }

    private static Epilogue EpilogueOf(ActivationKind kind) => new(kind, kind == ActivationKind.LeakyReLU ? 0.1f : 0f);

    [IsaCheck("elementwise.activate")]
    public static void Activate(CheckContext context)
    {
        var random = new Random(301);
        foreach (ActivationKind kind in Kinds)
            foreach (int n in Lengths())
            {
                Epilogue e = EpilogueOf(kind);
                float[] x = ConvReference.RandomValues(random, n, 4f);
                float[] expected = ElementwiseReference.Activate(x, kind, e.Alpha);
                var y = new float[n];
                Elementwise.Activate(x, y, e);
                context.ExpectWithin($"{kind} n {n}", y, expected, ActivationTolerance);
                // In place: the overlapped tail was computed from the original inputs, so the bits are the same.
                Elementwise.Activate(x.AsSpan(), e);
                context.ExpectEqual($"{kind} n {n} in place", x, y);
            }
    }

    [IsaCheck("elementwise.add")]
    public static void Add(CheckContext context)
    {
        var random = new Random(302);
        foreach (ActivationKind kind in Kinds)
            foreach (int n in Lengths())
            {
                Epilogue e = EpilogueOf(kind);
                float[] a = ConvReference.RandomValues(random, n, 3f), b = ConvReference.RandomValues(random, n, 3f);
                float[] expected = ElementwiseReference.Add(a, b, kind, e.Alpha);
                var y = new float[n];
                Elementwise.Add(a, b, y, e);
                context.ExpectWithin($"{kind} n {n}", y, expected, ActivationTolerance);
                float[] a2 = (float[])a.Clone(), b2 = (float[])b.Clone();
                Elementwise.Add(a2, b, a2, e);
                context.ExpectEqual($"{kind} n {n} y = a", a2, y);
                Elementwise.Add(a, b2, b2, e);
                context.ExpectEqual($"{kind} n {n} y = b", b2, y);
            }
    }

    [IsaCheck("elementwise.multiply")]
    public static void Multiply(CheckContext context)
    {
        // A float product rounded from its exact double value is the float product: equality is exact.
        var random = new Random(303);
        foreach (int n in Lengths())
        {
            float[] a = ConvReference.RandomValues(random, n, 3f), b = ConvReference.RandomValues(random, n, 3f);
            float[] expected = ElementwiseReference.Multiply(a, b);
            var y = new float[n];
            Elementwise.Multiply(a, b, y);
            context.ExpectEqual($"n {n}", y, expected);
            float[] a2 = (float[])a.Clone();
            Elementwise.Multiply(a2, b, a2);
            context.ExpectEqual($"n {n} y = a", a2, expected);
            Elementwise.Multiply(a, b, b);
            context.ExpectEqual($"n {n} y = b", b, expected);
        }
    }

    [IsaCheck("elementwise.affine")]
    public static void ChannelAffine(CheckContext context)
    {
        var random = new Random(304);
        foreach (int spatial in new[] { 1, 2, 17, 49 })
            foreach (int channels in new[] { 1, 3, 37 })
                foreach (ActivationKind kind in Kinds)
                {
                    Epilogue e = EpilogueOf(kind);
                    float[] x = ConvReference.RandomValues(random, channels * spatial, 3f);
                    float[] scale = ConvReference.RandomValues(random, channels), shift = ConvReference.RandomValues(random, channels);
                    float[] expected = ElementwiseReference.ChannelAffine(x, scale, shift, channels, spatial, kind, e.Alpha);
                    var y = new float[x.Length];
                    Elementwise.ChannelAffine(x, y, scale, shift, channels, spatial, e);
                    string label = $"{kind} {channels}x{spatial}";
                    context.ExpectWithin(label, y, expected, ActivationTolerance);
                    Elementwise.ChannelAffine(x, x, scale, shift, channels, spatial, e);
                    context.ExpectEqual(label + " in place", x, y);
                }
    }

    [IsaCheck("elementwise.shuffle")]
    public static void ChannelShuffle(CheckContext context)
    {
        var random = new Random(305);
        foreach ((int channels, int groups) in new[] { (1, 1), (4, 2), (6, 3), (8, 4), (12, 2), (24, 8), (9, 9), (58, 2) })
            foreach (int spatial in new[] { 1, 3, 16, 17, 49 })
            {
                float[] x = ConvReference.RandomValues(random, channels * spatial);
                var y = new float[x.Length];
                Elementwise.ChannelShuffle(x, y, channels, groups, spatial);
                context.ExpectEqual($"{channels} channels, {groups} groups, spatial {spatial}", y,
                    ElementwiseReference.ChannelShuffle(x, channels, groups, spatial));
            }
    }

    [IsaCheck("softmax")]
    public static void SoftmaxAndLog(CheckContext context)
    {
        var random = new Random(306);
        foreach (int inner in new[] { 1, 2, 3, 17, 33 })
            foreach (int axis in new[] { 1, 2, 5, 10, 16, 17, 33, 100 })
                foreach (float scale in new[] { 3f, 1000f })
                {
                    int outer = 1 + (axis + inner) % 3;
                    float[] x = ConvReference.RandomValues(random, outer * axis * inner, scale);
                    string shape = $"[{outer}, {axis}, {inner}] x{scale}";
                    foreach (bool log in new[] { false, true })
                    {
                        var y = new float[x.Length];
                        if (log) Softmax.LogForward(x, y, outer, axis, inner);
                        else Softmax.Forward(x, y, outer, axis, inner);
                        float[] expected = ElementwiseReference.Softmax(x, outer, axis, inner, log);
                        string label = $"{(log ? "log_softmax" : "softmax")} {shape}";
                        context.ExpectWithin(label, y, expected, 2e-6);
                        float[] z = (float[])x.Clone();
                        if (log) Softmax.LogForward(z, z, outer, axis, inner);
                        else Softmax.Forward(z, z, outer, axis, inner);
                        context.ExpectWithin(label + " in place", z, expected, 2e-6);
                    }
                }
    }

    [IsaCheck("elementwise.arguments")]
    public static void Arguments(CheckContext context)
    {
        context.ExpectArgumentException("activate lengths", () => Elementwise.Activate(new float[5], new float[4], Epilogue.None));
        context.ExpectArgumentException("add lengths", () => Elementwise.Add(new float[5], new float[4], new float[5], Epilogue.None));
        context.ExpectArgumentException("affine scale", () => Elementwise.ChannelAffine(new float[6], new float[6], new float[2], new float[3], 3, 2, Epilogue.None));
        context.ExpectArgumentException("shuffle groups", () => Elementwise.ChannelShuffle(new float[6], new float[6], 3, 2, 2));
        context.ExpectArgumentException("softmax length", () => Softmax.Forward(new float[6], new float[5], 1, 3, 2));
    }
}
