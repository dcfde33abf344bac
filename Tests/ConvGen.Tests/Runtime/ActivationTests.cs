using System.Runtime.Intrinsics;
using ConvGen.Reference;
using ConvGen.Runtime.Kernels;
using ConvGen.Runtime.Simd;
using static ConvGen.Tests.Runtime.PoolingTestSupport;

namespace ConvGen.Tests.Runtime;

/// <summary>
/// The activation operator structs at every vector width, through <see cref="ElementwiseOps.Activate{TAct}(ReadOnlySpan{float}, Span{float}, TensorLayout, int, int, TAct)"/>
/// on CHW tensors: every length around the vector widths, extreme inputs, PyTorch's own GELU values, and erf.
/// </summary>
public class ActivationTests
{
    /// <summary>Every length 1..(3*16+1) and a few longer ones: scalar-only, one vector, tails.</summary>
    private static IEnumerable<int> Lengths() => Enumerable.Range(1, 3 * 16 + 1).Concat([63, 64, 65, 255, 1000]);

    // Activation error bound relative to max(1, max|y|): exp-based activations are a few float ulps.
    private const double ActivationTolerance = 2e-6;

    private sealed class Activate(int width, float[] x, float[] y) : IActivationUser
    {
        public void Use<TAct>(TAct activation) where TAct : struct, IActivation =>
            ElementwiseOps.Activate(width, x, y, TensorLayout.Chw, 1, x.Length, activation);
    }

    private static float[] Run(ActivationCase activation, int width, float[] x)
    {
        var y = new float[x.Length];
        activation.Accept(new Activate(width, x, y));
        return y;
    }

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void EveryActivationAndLength_MatchesReference(int width)
    {
        var rng = new Random(31);
        foreach (ActivationCase activation in BlockedReference.Activations)
            foreach (int n in Lengths())
            {
                float[] x = RandomValues(rng, n, 4f);
                float[] expected = x.Select(v => (float)activation.Reference(v)).ToArray();
                AssertClose(expected, Run(activation, width, x), ActivationTolerance, $"width {width}, {activation}, n {n}");
            }
    }

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void ExtremeInputs(int width)
    {
        float[] x = [float.NegativeInfinity, -1e30f, -100f, -20f, -0f, 0f, 20f, 100f, 1e30f, float.PositiveInfinity, -5f, 5f, -1f, 1f, 0.5f, -0.5f, 3f];
        foreach (ActivationCase activation in BlockedReference.Activations)
        {
            float[] y = Run(activation, width, x);
            for (int i = 0; i < x.Length; i++)
            {
                double expected = activation.Reference(x[i]);
                if (double.IsNaN(expected)) continue;   // e.g. inf * 0 in the textbook formula
                Assert.True(Math.Abs(y[i] - expected) <= 1e-6 * Math.Max(1, Math.Abs(expected)) || y[i] == expected,
                    $"width {width}, {activation}({x[i]}) = {y[i]:R}, expected {expected:R}");
            }
            float nan = Run(activation, width, [float.NaN])[0];
            if (activation.Name is not ("ReLU" or "ReLU6" or "LeakyReLU(0.1)" or "Hardswish"))
                Assert.True(float.IsNaN(nan), $"{activation}(NaN) = {nan}");
        }
    }

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void Gelu_KnownPyTorchValues(int width)
    {
        float[] x = [-3f, -1f, -0.5f, 0f, 0.5f, 1f, 3f];
        var y = new float[x.Length];
        ElementwiseOps.Activate(width, x, y, TensorLayout.Chw, 1, x.Length, default(GELU));
        AssertClose([-0.004049867391586304f, -0.1586552858352661f, -0.1542687863111496f, 0.0f, 0.3457311987876892f, 0.8413447141647339f, 2.995950222015381f],
            y, 2e-7, "GELU (torch 1.13)");
        ElementwiseOps.Activate(width, x, y, TensorLayout.Chw, 1, x.Length, default(GELUTanh));
        AssertClose([-0.0036374330520629883f, -0.15880799293518066f, -0.1542859971523285f, 0.0f, 0.3457140028476715f, 0.8411920070648193f, 2.9963626861572266f],
            y, 2e-7, "GELU tanh (torch 1.13)");
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

    [Fact]
    public void ChannelShuffle_MatchesPyTorch()
    {
        var rng = new Random(53);
        foreach (var (channels, groups, spatial) in new[] { (4, 2, 3), (6, 3, 5), (12, 4, 1), (8, 1, 7), (8, 8, 2), (0, 2, 3) })
        {
            float[] x = RandomValues(rng, channels * spatial);
            var y = new float[x.Length];
            ChannelShuffle.Forward(x, y, channels, groups, spatial);
            AssertEqual(ElementwiseReference.ChannelShuffle(x, channels, groups, spatial), y, $"{channels}/{groups}x{spatial}");
        }
        // channel_shuffle(arange(6), 2) per PyTorch: [0, 3, 1, 4, 2, 5].
        var z = new float[6];
        ChannelShuffle.Forward([0, 1, 2, 3, 4, 5], z, 6, 2, 1);
        AssertEqual([0, 3, 1, 4, 2, 5], z, "torch.nn.ChannelShuffle(2)");
        Assert.Throws<ArgumentException>(() => ChannelShuffle.Forward(new float[6], new float[6], 6, 4, 1));
    }
}
