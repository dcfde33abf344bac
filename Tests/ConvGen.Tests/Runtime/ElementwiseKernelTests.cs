using System.Runtime.Intrinsics;
using ConvGen.Reference;
using ConvGen.Runtime.Kernels;
using ConvGen.Runtime.Simd;
using static ConvGen.Tests.Runtime.PoolingTestSupport;

namespace ConvGen.Tests.Runtime;

public class ElementwiseKernelTests
{
    private static readonly ActivationKind[] AllKinds = Enum.GetValues<ActivationKind>();

    /// <summary>Every length 0..(3*16+1) and a few longer ones: empty, scalar-only, one vector, overlapped tails.</summary>
    private static IEnumerable<int> Lengths() => Enumerable.Range(0, 3 * 16 + 2).Concat([63, 64, 65, 255, 1000]);

    // Activation error bound relative to max(1, max|y|): exp-based activations are a few float ulps.
    private const double ActivationTolerance = 2e-6;

    private static void Activate(int width, ReadOnlySpan<float> x, Span<float> y, Epilogue e)
    {
        switch (width)
        {
            case 16: Elementwise.Activate<Vec512, Vector512<float>>(x, y, e); break;
            case 8: Elementwise.Activate<Vec256, Vector256<float>>(x, y, e); break;
            case 4: Elementwise.Activate<Vec128, Vector128<float>>(x, y, e); break;
            default: Elementwise.Activate<Scalar, float>(x, y, e); break;
        }
    }

    private static void Add(int width, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y, Epilogue e)
    {
        switch (width)
        {
            case 16: Elementwise.Add<Vec512, Vector512<float>>(a, b, y, e); break;
            case 8: Elementwise.Add<Vec256, Vector256<float>>(a, b, y, e); break;
            case 4: Elementwise.Add<Vec128, Vector128<float>>(a, b, y, e); break;
            default: Elementwise.Add<Scalar, float>(a, b, y, e); break;
        }
    }

    private static void Multiply(int width, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
    {
        switch (width)
        {
            case 16: Elementwise.Multiply<Vec512, Vector512<float>>(a, b, y); break;
            case 8: Elementwise.Multiply<Vec256, Vector256<float>>(a, b, y); break;
            case 4: Elementwise.Multiply<Vec128, Vector128<float>>(a, b, y); break;
            default: Elementwise.Multiply<Scalar, float>(a, b, y); break;
        }
    }

    private static void ChannelAffine(int width, ReadOnlySpan<float> x, Span<float> y, float[] scale, float[] shift, int channels, int spatial, Epilogue e)
    {
        switch (width)
        {
            case 16: Elementwise.ChannelAffine<Vec512, Vector512<float>>(x, y, scale, shift, channels, spatial, e); break;
            case 8: Elementwise.ChannelAffine<Vec256, Vector256<float>>(x, y, scale, shift, channels, spatial, e); break;
            case 4: Elementwise.ChannelAffine<Vec128, Vector128<float>>(x, y, scale, shift, channels, spatial, e); break;
            default: Elementwise.ChannelAffine<Scalar, float>(x, y, scale, shift, channels, spatial, e); break;
        }
    }

    private static float[] Erf(int width, float[] x)
    {
        var y = new float[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            // One lane broadcast per call is enough to test each width's instruction sequence.
            y[i] = width switch
            {
                16 => Gelu.Erf<Vec512, Vector512<float>>(Vector512.Create(x[i])).GetElement(i % 16),
                8 => Gelu.Erf<Vec256, Vector256<float>>(Vector256.Create(x[i])).GetElement(i % 8),
                4 => Gelu.Erf<Vec128, Vector128<float>>(Vector128.Create(x[i])).GetElement(i % 4),
                _ => Gelu.Erf<Scalar, float>(x[i]),
            };
        }
        return y;
    }

    private static Epilogue EpilogueOf(ActivationKind kind) => new(kind, kind == ActivationKind.LeakyReLU ? 0.1f : 0f);

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void Activate_EveryKindAndLength_MatchesReference(int width)
    {
        var rng = new Random(31);
        foreach (ActivationKind kind in AllKinds)
            foreach (int n in Lengths())
            {
                float[] x = RandomValues(rng, n, 4f);
                var e = EpilogueOf(kind);
                var y = new float[n];
                Activate(width, x, y, e);
                AssertClose(ElementwiseReference.Activate(x, kind, e.Alpha), y, ActivationTolerance, $"width {width}, {kind}, n {n}");
            }
    }

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void Activate_InPlace_EqualsOutOfPlace(int width)
    {
        // The overlapped tail is computed before the main loop overwrites its inputs, so in place gives the same bits.
        var rng = new Random(37);
        foreach (ActivationKind kind in AllKinds)
            foreach (int n in Lengths())
            {
                float[] x = RandomValues(rng, n, 4f);
                var e = EpilogueOf(kind);
                var expected = new float[n];
                Activate(width, x, expected, e);
                Activate(width, x, x, e);
                AssertEqual(expected, x, $"width {width}, {kind}, n {n}");
            }
    }

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void Activate_ExtremeInputs(int width)
    {
        float[] x = [float.NegativeInfinity, -1e30f, -100f, -20f, -0f, 0f, 20f, 100f, 1e30f, float.PositiveInfinity, -5f, 5f, -1f, 1f, 0.5f, -0.5f, 3f];
        foreach (ActivationKind kind in AllKinds)
        {
            var y = new float[x.Length];
            Activate(width, x, y, EpilogueOf(kind));
            for (int i = 0; i < x.Length; i++)
            {
                double expected = ElementwiseReference.Activation(x[i], kind, EpilogueOf(kind).Alpha);
                if (double.IsNaN(expected)) continue;   // e.g. inf * 0 in the textbook formula
                Assert.True(Math.Abs(y[i] - expected) <= 1e-6 * Math.Max(1, Math.Abs(expected)) || y[i] == expected,
                    $"width {width}, {kind}({x[i]}) = {y[i]:R}, expected {expected:R}");
            }
        }
        foreach (ActivationKind kind in AllKinds)
        {
            var nan = new float[] { float.NaN };
            Activate(width, nan, nan, EpilogueOf(kind));
            if (kind is not (ActivationKind.ReLU or ActivationKind.ReLU6 or ActivationKind.LeakyReLU or ActivationKind.Hardswish))
                Assert.True(float.IsNaN(nan[0]), $"{kind}(NaN) = {nan[0]}");
        }
    }

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void Erf_IsAccurateToFloatPrecision(int width)
    {
        // A dense grid over [-6, 6] (erf is +-1 in float beyond about 3.9), plus tiny arguments.
        var x = new List<float>();
        for (int i = -60000; i <= 60000; i++) x.Add(i * 1e-4f);
        x.AddRange([1e-30f, -1e-20f, 1e-7f, 0.999999f, 1f, 1.000001f, -1f, 10f, -10f, 1e30f, float.PositiveInfinity, float.NegativeInfinity]);
        float[] xs = x.ToArray();
        float[] y = Erf(width, xs);
        double worst = 0;
        for (int i = 0; i < xs.Length; i++)
        {
            double expected = ElementwiseReference.Erf(xs[i]);
            double error = Math.Abs(y[i] - expected);
            worst = Math.Max(worst, error);
            // Near 0 erf is small: require relative accuracy there as well.
            Assert.True(error <= 2.5e-7 && error <= 4e-7 * Math.Abs(expected) + 1e-37,
                $"width {width}: erf({xs[i]:R}) = {y[i]:R}, expected {expected:R}, error {error:E2}");
        }
        Assert.True(worst < 2.5e-7, $"worst {worst}");
        Assert.True(float.IsNaN(Erf(width, [float.NaN])[0]));
    }

    [Fact]
    public void ErfReference_KnownValues()
    {
        // Abramowitz and Stegun, table 7.1, and the limits.
        Assert.Equal(0.5204998778130465, ElementwiseReference.Erf(0.5), 14);
        Assert.Equal(0.8427007929497149, ElementwiseReference.Erf(1.0), 14);
        Assert.Equal(-0.9953222650189527, ElementwiseReference.Erf(-2.0), 14);
        Assert.Equal(0.9999779095030014, ElementwiseReference.Erf(3.0), 14);
        Assert.Equal(0.9999999845827421, ElementwiseReference.Erf(4.0), 14);
        Assert.Equal(0.0, ElementwiseReference.Erf(0.0));
    }

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void Gelu_KnownPyTorchValues(int width)
    {
        float[] x = [-3f, -1f, -0.5f, 0f, 0.5f, 1f, 3f];
        var y = new float[x.Length];
        Activate(width, x, y, new Epilogue(ActivationKind.GELU));
        AssertClose([-0.004049867391586304f, -0.1586552858352661f, -0.1542687863111496f, 0.0f, 0.3457311987876892f, 0.8413447141647339f, 2.995950222015381f],
            y, 2e-7, "GELU (torch 1.13)");
        Activate(width, x, y, new Epilogue(ActivationKind.GELUTanh));
        AssertClose([-0.0036374330520629883f, -0.15880799293518066f, -0.1542859971523285f, 0.0f, 0.3457140028476715f, 0.8411920070648193f, 2.9963626861572266f],
            y, 2e-7, "GELU tanh (torch 1.13)");
    }

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void Add_EveryKindAndAliasing_MatchesReference(int width)
    {
        var rng = new Random(41);
        foreach (ActivationKind kind in AllKinds)
            foreach (int n in Lengths())
            {
                float[] a = RandomValues(rng, n), b = RandomValues(rng, n);
                var e = EpilogueOf(kind);
                float[] expected = ElementwiseReference.Add(a, b, kind, e.Alpha);
                var y = new float[n];
                Add(width, a, b, y, e);
                AssertClose(expected, y, ActivationTolerance, $"width {width}, {kind}, n {n}");
                float[] a2 = (float[])a.Clone(), b2 = (float[])b.Clone();
                Add(width, a2, b, a2, e);
                AssertEqual(y, a2, $"width {width}, {kind}, n {n}, y = a");
                Add(width, a, b2, b2, e);
                AssertEqual(y, b2, $"width {width}, {kind}, n {n}, y = b");
            }
    }

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void Multiply_AndAliasing_MatchesReference(int width)
    {
        var rng = new Random(43);
        foreach (int n in Lengths())
        {
            float[] a = RandomValues(rng, n), b = RandomValues(rng, n);
            float[] expected = ElementwiseReference.Multiply(a, b);
            var y = new float[n];
            Multiply(width, a, b, y);
            AssertEqual(expected, y, $"width {width}, n {n}");
            Multiply(width, a, b, b);
            AssertEqual(expected, b, $"width {width}, n {n}, y = b");
        }
    }

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void ChannelAffine_MatchesReference(int width)
    {
        var rng = new Random(47);
        // spatial 1 is a feature vector (BatchNorm1d); below a vector, one vector, tails, a large plane.
        foreach (var (channels, spatial) in new[] { (0, 5), (3, 0), (1, 1), (7, 1), (37, 1), (3, 2), (5, 9), (4, 16), (3, 17), (2, 49), (3, 3 * 16 + 1), (2, 28 * 28) })
            foreach (ActivationKind kind in AllKinds)
            {
                float[] x = RandomValues(rng, channels * spatial);
                float[] scale = RandomValues(rng, channels, 1f), shift = RandomValues(rng, channels, 1f);
                var e = EpilogueOf(kind);
                float[] expected = ElementwiseReference.ChannelAffine(x, scale, shift, channels, spatial, kind, e.Alpha);
                var y = new float[x.Length];
                ChannelAffine(width, x, y, scale, shift, channels, spatial, e);
                string context = $"width {width}, {kind}, {channels}x{spatial}";
                AssertClose(expected, y, ActivationTolerance, context);
                ChannelAffine(width, x, x, scale, shift, channels, spatial, e);
                AssertEqual(y, x, context + " in place");
            }
    }

    [Fact]
    public void ChannelShuffle_MatchesReference()
    {
        var rng = new Random(53);
        foreach (var (channels, groups, spatial) in new[] { (4, 2, 3), (6, 3, 5), (12, 4, 1), (8, 1, 7), (8, 8, 2), (0, 2, 3) })
        {
            float[] x = RandomValues(rng, channels * spatial);
            var y = new float[x.Length];
            Elementwise.ChannelShuffle(x, y, channels, groups, spatial);
            AssertEqual(ElementwiseReference.ChannelShuffle(x, channels, groups, spatial), y, $"{channels}/{groups}x{spatial}");
        }
        // channel_shuffle(arange(6), 2) per PyTorch: [0, 3, 1, 4, 2, 5].
        var z = new float[6];
        Elementwise.ChannelShuffle([0, 1, 2, 3, 4, 5], z, 6, 2, 1);
        AssertEqual([0, 3, 1, 4, 2, 5], z, "torch.nn.ChannelShuffle(2)");
        Assert.Throws<ArgumentException>(() => Elementwise.ChannelShuffle(new float[6], new float[6], 6, 4, 1));
    }

    [Fact]
    public void PublicEntryPoints_MatchReference_AndCheckLengths()
    {
        var rng = new Random(59);
        float[] a = RandomValues(rng, 1001), b = RandomValues(rng, 1001);
        var y = new float[1001];
        Elementwise.Activate(a, y, new Epilogue(ActivationKind.GELU));
        AssertClose(ElementwiseReference.Activate(a, ActivationKind.GELU), y, ActivationTolerance, "Activate");
        float[] c = (float[])a.Clone();
        Elementwise.Activate(c, new Epilogue(ActivationKind.SiLU));
        AssertClose(ElementwiseReference.Activate(a, ActivationKind.SiLU), c, ActivationTolerance, "Activate in place");
        Elementwise.Add(a, b, y, new Epilogue(ActivationKind.ReLU));
        AssertClose(ElementwiseReference.Add(a, b, ActivationKind.ReLU), y, 1e-7, "Add");
        Elementwise.Multiply(a, b, y);
        AssertEqual(ElementwiseReference.Multiply(a, b), y, "Multiply");
        float[] scale = RandomValues(rng, 7), shift = RandomValues(rng, 7);
        Elementwise.ChannelAffine(a.AsSpan(0, 1001 - 1001 % 7), y.AsSpan(0, 1001 - 1001 % 7), scale, shift, 7, 1001 / 7, new Epilogue(ActivationKind.ReLU6));
        AssertClose(ElementwiseReference.ChannelAffine(a[..(1001 - 1001 % 7)], scale, shift, 7, 1001 / 7, ActivationKind.ReLU6), y.AsSpan(0, 1001 - 1001 % 7), 1e-6, "ChannelAffine");

        Assert.Equal("y", Assert.Throws<ArgumentException>(() => Elementwise.Activate(new float[3], new float[4], Epilogue.None)).ParamName);
        Assert.Equal("b", Assert.Throws<ArgumentException>(() => Elementwise.Add(new float[3], new float[4], new float[3], Epilogue.None)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => Elementwise.Multiply(new float[3], new float[3], new float[2])).ParamName);
        Assert.Equal("scale", Assert.Throws<ArgumentException>(() => Elementwise.ChannelAffine(new float[6], new float[6], new float[2], new float[3], 3, 2, Epilogue.None)).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => Elementwise.ChannelAffine(new float[5], new float[6], new float[3], new float[3], 3, 2, Epilogue.None)).ParamName);
    }
}
