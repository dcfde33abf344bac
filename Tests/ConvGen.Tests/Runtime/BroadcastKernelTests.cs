using ConvGen.Reference;
using ConvGen.Runtime.Kernels;
using static ConvGen.Tests.Runtime.PoolingTestSupport;

namespace ConvGen.Tests.Runtime;

/// <summary>
/// The kernels of the 2026-12 layers at every vector width against double-precision references: broadcast arithmetic
/// (channel-wise in both layouts, by strides, with numbers), PReLU, LayerNorm/LayerNorm2d, slices and permutations.
/// </summary>
public class BroadcastKernelTests
{
    private static readonly int[] ChannelCounts = [1, 3, 16, 17, 33];
    private static readonly int[] PositionCounts = [1, 5, 16, 37];
    private static readonly (OperandForm A, OperandForm B)[] Pairs =
        [(OperandForm.Full, OperandForm.Full), (OperandForm.Full, OperandForm.Channel), (OperandForm.Channel, OperandForm.Full),
         (OperandForm.Full, OperandForm.Single), (OperandForm.Single, OperandForm.Full)];

    private static double Apply(BinaryOperation op, double a, double b) => op switch
    {
        BinaryOperation.Add => a + b,
        BinaryOperation.Subtract => a - b,
        _ => a * b,
    };

    private static float[] Operand(Random rng, OperandForm form, int channels, int positions) =>
        RandomValues(rng, form switch { OperandForm.Full => channels * positions, OperandForm.Channel => channels, _ => 1 });

    private static double At(float[] x, OperandForm form, int c, int p, int positions) =>
        form switch { OperandForm.Full => x[c * positions + p], OperandForm.Channel => x[c], _ => x[0] };

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void Channelwise_EveryFormLayoutAndOperation(int width)
    {
        var rng = new Random(71);
        foreach (BinaryOperation op in Enum.GetValues<BinaryOperation>())
            foreach ((OperandForm af, OperandForm bf) in Pairs)
                foreach (int channels in ChannelCounts)
                    foreach (int positions in PositionCounts)
                    {
                        float[] a = Operand(rng, af, channels, positions), b = Operand(rng, bf, channels, positions);
                        // Hardsigmoid(0) = 0.5: the blocked padding lanes must be cleared again.
                        var expected = new float[channels * positions];
                        for (int c = 0; c < channels; c++)
                            for (int p = 0; p < positions; p++)
                            {
                                double v = Apply(op, At(a, af, c, p, positions), At(b, bf, c, p, positions));
                                expected[c * positions + p] = (float)(Math.Min(Math.Max(v + 3, 0), 6) / 6);
                            }
                        string what = $"width {width}, {op} {af}×{bf}, {channels}×{positions}";

                        var chw = new float[channels * positions];
                        Broadcast.Channelwise(width, a, af, b, bf, chw, op, TensorLayout.Chw, channels, positions, default(Hardsigmoid));
                        AssertClose(expected, chw, 1e-6, what + " CHW");

                        float[] Blocked(float[] x, OperandForm f) => f == OperandForm.Full ? BlockedReference.ToBlocked(x, channels, positions)
                            : f == OperandForm.Channel ? BlockedReference.ToBlocked(x, channels, 1) : x;
                        var blocked = new float[Blocked16.Length(TensorLayout.Blocked16, channels, positions)];
                        Array.Fill(blocked, float.NaN);
                        Broadcast.Channelwise(width, Blocked(a, af), af, Blocked(b, bf), bf, blocked, op, TensorLayout.Blocked16, channels, positions, default(Hardsigmoid));
                        AssertClose(expected, BlockedReference.FromBlocked(blocked, channels, positions), 1e-6, what + " blocked");
                        AssertClose(BlockedReference.ToBlocked(expected, channels, positions), blocked, 1e-6, what + " blocked, padding lanes");
                    }
    }

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void WithNumber_BothOrders(int width)
    {
        var rng = new Random(72);
        float[] x = RandomValues(rng, 3 * 37);
        foreach (bool first in new[] { false, true })
        {
            var y = new float[x.Length];
            Broadcast.WithNumber(width, x, 1.5f, first, y, BinaryOperation.Subtract, TensorLayout.Chw, 3, 37, default(Identity));
            AssertClose(x.Select(v => first ? 1.5f - v : v - 1.5f).ToArray(), y, 1e-7, $"width {width}, number first {first}");
        }
    }

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void General_OuterProductsAndTrailingVectors(int width)
    {
        var rng = new Random(73);
        // (3, 6, 1) op (1, 1, 5) → 3×6×5; (4, 5, 6) op (6) → 4×5×6; (2, 1, 7) op (2, 9, 1).
        foreach ((int[] a, int[] b, int[] y) in new[]
        {
            (new[] { 3, 6, 1 }, new[] { 1, 1, 5 }, new[] { 3, 6, 5 }),
            (new[] { 4, 5, 6 }, new[] { 1, 1, 6 }, new[] { 4, 5, 6 }),
            (new[] { 2, 1, 37 }, new[] { 2, 9, 1 }, new[] { 2, 9, 37 }),
        })
            foreach (BinaryOperation op in Enum.GetValues<BinaryOperation>())
            {
                float[] av = RandomValues(rng, a.Aggregate(1, (p, d) => p * d)), bv = RandomValues(rng, b.Aggregate(1, (p, d) => p * d));
                Dims4 Strides(int[] s) => new(0, s[0] == 1 ? 0 : s[1] * s[2], s[1] == 1 ? 0 : s[2], s[2] == 1 ? 0 : 1);
                var expected = new float[y[0] * y[1] * y[2]];
                for (int i = 0; i < y[0]; i++)
                    for (int j = 0; j < y[1]; j++)
                        for (int k = 0; k < y[2]; k++)
                        {
                            double l = av[(a[0] == 1 ? 0 : i) * a[1] * a[2] + (a[1] == 1 ? 0 : j) * a[2] + (a[2] == 1 ? 0 : k)];
                            double r = bv[(b[0] == 1 ? 0 : i) * b[1] * b[2] + (b[1] == 1 ? 0 : j) * b[2] + (b[2] == 1 ? 0 : k)];
                            expected[(i * y[1] + j) * y[2] + k] = (float)Apply(op, l, r);
                        }
                var actual = new float[expected.Length];
                Broadcast.General(width, av, Strides(a), bv, Strides(b), actual, new Dims4(1, y[0], y[1], y[2]), op, default(Identity));
                AssertClose(expected, actual, 1e-7, $"width {width}, {op} [{string.Join(",", a)}] [{string.Join(",", b)}]");
            }
    }

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void PReLU_SharedAndPerChannel_BothLayouts(int width)
    {
        var rng = new Random(74);
        foreach (int channels in ChannelCounts)
            foreach (int positions in PositionCounts)
                foreach (bool shared in new[] { true, false })
                {
                    float[] x = RandomValues(rng, channels * positions), slopes = RandomValues(rng, shared ? 1 : channels);
                    float[] expected = x.Select((v, i) => v > 0 ? v : v * slopes[shared ? 0 : i / positions]).ToArray();
                    var y = new float[x.Length];
                    ParametricReLU.Forward(width, x, y, slopes, TensorLayout.Chw, channels, positions);
                    AssertClose(expected, y, 1e-7, $"width {width}, CHW {channels}×{positions}");
                    float[] xb = BlockedReference.ToBlocked(x, channels, positions);
                    var yb = new float[xb.Length];
                    ParametricReLU.Forward(width, xb, yb, slopes, TensorLayout.Blocked16, channels, positions);
                    AssertClose(BlockedReference.ToBlocked(expected, channels, positions), yb, 1e-7, $"width {width}, blocked {channels}×{positions}");
                }
    }

    [Fact]
    public void LayerNorm_OverTheLastDimensionAndOverChannels()
    {
        var rng = new Random(75);
        // (outer, axis, inner): rows of the last dimension; channels at each of 70 positions (past one chunk of 64).
        foreach ((int outer, int axis, int inner) in new[] { (6, 8, 1), (1, 24, 1), (1, 8, 70), (2, 3, 5) })
        {
            float[] x = RandomValues(rng, outer * axis * inner, 5f), w = RandomValues(rng, axis), b = RandomValues(rng, axis);
            var expected = new float[x.Length];
            for (int o = 0; o < outer; o++)
                for (int p = 0; p < inner; p++)
                {
                    double mean = 0, var = 0;
                    for (int a = 0; a < axis; a++) mean += x[(o * axis + a) * inner + p];
                    mean /= axis;
                    for (int a = 0; a < axis; a++) var += Math.Pow(x[(o * axis + a) * inner + p] - mean, 2);
                    var /= axis;
                    for (int a = 0; a < axis; a++)
                        expected[(o * axis + a) * inner + p] = (float)((x[(o * axis + a) * inner + p] - mean) / Math.Sqrt(var + 1e-6) * w[a] + b[a]);
                }
            var y = new float[x.Length];
            LayerNormalization.Forward(x, y, w, b, outer, axis, inner, 1e-6f);
            AssertClose(expected, y, 1e-6, $"LayerNorm {outer}×{axis}×{inner}");
        }
    }

    [Fact]
    public void SlicesAndPermutationsCopyExactly()
    {
        float[] x = Enumerable.Range(0, 2 * 5 * 3).Select(i => (float)i).ToArray();
        var slice = new float[2 * 2 * 3];
        TensorCopy.Slice(x, slice, outer: 2, axis: 5, inner: 3, start: 1, length: 2);
        Assert.Equal(new float[] { 3, 4, 5, 6, 7, 8, 18, 19, 20, 21, 22, 23 }, slice);

        // Channels 16..20 of a 21-channel blocked map: one whole block, padding lanes cleared.
        float[] map = Enumerable.Range(0, 21 * 4).Select(i => (float)i + 1).ToArray();
        float[] blocked = BlockedReference.ToBlocked(map, 21, 4);
        var part = new float[Blocked16.Length(TensorLayout.Blocked16, 5, 4)];
        Array.Fill(part, float.NaN);
        TensorCopy.SliceChannelsBlocked(blocked, part, channels: 21, positions: 4, start: 16, length: 5);
        Assert.Equal(BlockedReference.ToBlocked(map.Skip(16 * 4).ToArray(), 5, 4), part);

        // (2, 5, 3) permuted to (3, 2, 5): y[k, i, j] = x[i, j, k].
        var permuted = new float[x.Length];
        TensorCopy.Permute(x, permuted, new Dims4(1, 3, 2, 5), new Dims4(0, 1, 15, 3));
        for (int i = 0; i < 2; i++) for (int j = 0; j < 5; j++) for (int k = 0; k < 3; k++)
            Assert.Equal(x[(i * 5 + j) * 3 + k], permuted[(k * 2 + i) * 5 + j]);
    }
}
