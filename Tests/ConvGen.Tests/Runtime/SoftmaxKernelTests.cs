using System.Runtime.Intrinsics;
using ConvGen.Reference;
using ConvGen.Runtime.Kernels;
using ConvGen.Runtime.Simd;
using static ConvGen.Tests.Runtime.PoolingTestSupport;

namespace ConvGen.Tests.Runtime;

public class SoftmaxKernelTests
{
    private static void Run(int width, bool log, ReadOnlySpan<float> x, Span<float> y, int outer, int axis, int inner)
    {
        switch (width, log)
        {
            case (16, false): Softmax.Forward<Vec512, Vector512<float>>(x, y, outer, axis, inner); break;
            case (8, false): Softmax.Forward<Vec256, Vector256<float>>(x, y, outer, axis, inner); break;
            case (4, false): Softmax.Forward<Vec128, Vector128<float>>(x, y, outer, axis, inner); break;
            case (_, false): Softmax.Forward<Scalar, float>(x, y, outer, axis, inner); break;
            case (16, true): Softmax.LogForward<Vec512, Vector512<float>>(x, y, outer, axis, inner); break;
            case (8, true): Softmax.LogForward<Vec256, Vector256<float>>(x, y, outer, axis, inner); break;
            case (4, true): Softmax.LogForward<Vec128, Vector128<float>>(x, y, outer, axis, inner); break;
            default: Softmax.LogForward<Scalar, float>(x, y, outer, axis, inner); break;
        }
    }

    private static IEnumerable<(int Outer, int Axis, int Inner)> Shapes(int seed)
    {
        // inner 1: contiguous rows; inner > 1: vectors along inner with scalar leftovers.
        foreach (int axis in new[] { 1, 2, 3, 4, 7, 8, 15, 16, 17, 31, 33, 48, 49, 100, 1000 })
            yield return (1, axis, 1);
        foreach (int inner in new[] { 2, 3, 4, 5, 8, 15, 16, 17, 33, 49, 196 })
            yield return (1, 10, inner);
        var rng = new Random(seed);
        for (int i = 0; i < 40; i++) yield return (rng.Next(1, 4), rng.Next(1, 40), rng.Next(1, 40));
    }

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void Softmax_MatchesReference(int width)
    {
        var rng = new Random(61);
        foreach (var (outer, axis, inner) in Shapes(1))
            foreach (bool log in new[] { false, true })
            {
                float[] x = RandomValues(rng, outer * axis * inner, 5f);
                var y = new float[x.Length];
                Run(width, log, x, y, outer, axis, inner);
                string context = $"width {width}, log {log}, [{outer}, {axis}, {inner}]";
                AssertClose(ElementwiseReference.Softmax(x, outer, axis, inner, log), y, 2e-6, context);
                // In place gives the same values.
                Run(width, log, x, x, outer, axis, inner);
                AssertEqual(y, x, context + " in place");
            }
    }

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void Softmax_RowsSumToOne(int width)
    {
        var rng = new Random(67);
        float[] x = RandomValues(rng, 3 * 37 * 21, 8f);
        var y = new float[x.Length];
        Run(width, false, x, y, 3, 37, 21);
        for (int o = 0; o < 3; o++)
            for (int j = 0; j < 21; j++)
            {
                double sum = 0;
                for (int a = 0; a < 37; a++) sum += y[(o * 37 + a) * 21 + j];
                Assert.True(Math.Abs(sum - 1) < 1e-5, $"width {width}: sum {sum} at ({o}, {j})");
            }
    }

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void Softmax_IsStableForLargeValues(int width)
    {
        // torch.softmax / log_softmax of [1000, 999, -1000, 1000] (PyTorch 1.13).
        float[] x = [1000f, 999f, -1000f, 1000f];
        var y = new float[4];
        Run(width, false, x, y, 1, 4, 1);
        AssertClose([0.42231881618499756f, 0.15536241233348846f, 0f, 0.42231881618499756f], y, 1e-7, "softmax");
        Run(width, true, x, y, 1, 4, 1);
        AssertClose([-0.8619948029518127f, -1.861994743347168f, -2000.8619384765625f, -0.8619948029518127f], y, 1e-7, "log_softmax");

        // Large magnitudes on every path (rows, inner vectors, scalar leftovers).
        var rng = new Random(71);
        foreach (var (outer, axis, inner) in new[] { (1, 50, 1), (2, 9, 37), (1, 3 * 16 + 1, 1) })
            foreach (bool log in new[] { false, true })
            {
                float[] big = RandomValues(rng, outer * axis * inner, 1000f);
                var z = new float[big.Length];
                Run(width, log, big, z, outer, axis, inner);
                Assert.All(z, v => Assert.True(float.IsFinite(v)));
                AssertClose(ElementwiseReference.Softmax(big, outer, axis, inner, log), z, 2e-6, $"width {width}, log {log}, [{outer}, {axis}, {inner}] x1000");
            }
    }

    [Fact]
    public void PublicEntryPoints_MatchReference_AndCheckLengths()
    {
        var rng = new Random(73);
        float[] x = RandomValues(rng, 2 * 10 * 49);
        var y = new float[x.Length];
        Softmax.Forward(x, y, 2, 10, 49);
        AssertClose(ElementwiseReference.Softmax(x, 2, 10, 49, false), y, 2e-6, "Forward");
        Softmax.LogForward(x, y, 2, 10, 49);
        AssertClose(ElementwiseReference.Softmax(x, 2, 10, 49, true), y, 2e-6, "LogForward");
        Softmax.Forward(Array.Empty<float>(), Array.Empty<float>(), 1, 0, 1);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => Softmax.Forward(new float[9], new float[10], 1, 10, 1)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => Softmax.LogForward(new float[10], new float[9], 1, 10, 1)).ParamName);
        Assert.Throws<ArgumentException>(() => Softmax.Forward(new float[10], new float[10], -1, -10, 1));
    }
}
