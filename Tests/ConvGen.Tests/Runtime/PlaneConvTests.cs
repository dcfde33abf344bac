using ConvGen.Reference;
using ConvGen.Runtime.Kernels;
using static ConvGen.Tests.Runtime.ConvTestSupport;

namespace ConvGen.Tests.Runtime;

/// <summary>
/// The CHW direct convolution with positions on the lanes (PlaneConv2d) at every vector width against the
/// double-precision reference: padding on every side (also more than the kernel reaches), cropping (negative implied
/// padding), dilation, odd heights and channel counts that leave the 3-channel × 2-row tile part empty, row widths
/// around the vector widths, activations in registers and after the store; guards around every span.
/// </summary>
public class PlaneConvTests
{
    public static TheoryData<int, int> Cases()
    {
        var data = new TheoryData<int, int>();
        for (int i = 0; i < 12; i++)
            foreach (int width in AllWidths) data.Add(i, width);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void RandomGeometries_MatchReference(int index, int width)
    {
        var random = new Random(1000 + index * 7 + width);
        for (int i = 0; i < 8; i++)
        {
            int k = 1 + random.Next(5), kw = i % 3 == 0 ? k : 1 + random.Next(5);
            int dilation = i % 4 == 3 ? 2 : 1;
            int pad = random.Next(4), padRight = random.Next(-1, 3);
            Conv2dGeometry g = ConvCases.Geometry(1 + random.Next(4), 1 + random.Next(9), 16 + random.Next(30), 1 + random.Next(8), k, kw,
                padTop: pad, padLeft: random.Next(4), padBottom: random.Next(3), padRight: Math.Max(padRight, 0), dilationHeight: dilation, dilationWidth: dilation);
            if (g.OutHeight < 1 || g.OutWidth < 16) continue;
            Assert.Null(PlaneConv2d.Rejects(g));
            Check(g, BlockedReference.Activations[(index + i) % BlockedReference.Activations.Length], withBias: i % 3 != 1, width, random,
                $"{ConvCases.Describe(g)} width {width}");
        }
    }

    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(ConvTestSupport))]
    public void LeNetFirstLayer_MatchesReference(int width)
    {
        // 1×28×28 → 6×28×28, 5×5, padding 2; and 6×14×14 → 16×10×10 (narrower than 16: rejected).
        Conv2dGeometry g = ConvCases.Geometry(1, 28, 28, 6, 5, 5, padTop: 2, padLeft: 2, padBottom: 2, padRight: 2);
        Check(g, BlockedReference.Activations[0], withBias: true, width, new Random(5), "lenet conv1");
        Assert.NotNull(PlaneConv2d.Rejects(ConvCases.Geometry(6, 14, 14, 16, 5, 5)));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Pooled_RandomGeometries_MatchConvolutionThenPool(int index, int width)
    {
        var random = new Random(2000 + index * 7 + width);
        int tested = 0;
        for (int i = 0; i < 10; i++)
        {
            int k = 1 + random.Next(5), kw = 1 + random.Next(5), h = k + random.Next(9), w = 16 + kw + random.Next(40);
            int cin = 1 + random.Next(3), cout = 1 + random.Next(8), top = random.Next(3), left = random.Next(3), bottom = random.Next(3), right = random.Next(3);
            Conv2dGeometry g = ConvCases.Geometry(cin, h, w, cout, k, kw, padTop: top, padLeft: left, padBottom: bottom, padRight: right);
            // An even output: one more input row or column where it is odd.
            g = ConvCases.Geometry(cin, h + g.OutHeight % 2, w + g.OutWidth % 2, cout, k, kw, padTop: top, padLeft: left, padBottom: bottom, padRight: right);
            if (PlaneConv2d.PoolRejects(g) is not null) continue;
            ActivationCase act = BlockedReference.Activations[(index + i) % BlockedReference.Activations.Length];
            CheckPooled(g, act, width, random, $"{ConvCases.Describe(g)} pooled width {width} {act}");
            tested++;
        }
        Assert.True(tested > 0);
    }

    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(ConvTestSupport))]
    public void Pooled_LeNetFirstLayer_MatchesConvolutionThenPool(int width)
    {
        Conv2dGeometry g = ConvCases.Geometry(1, 28, 28, 6, 5, 5, padTop: 2, padLeft: 2, padBottom: 2, padRight: 2);
        foreach (ActivationCase act in BlockedReference.Activations)
            CheckPooled(g, act, width, new Random(9), $"lenet conv1 pooled width {width} {act}");
    }

    [Fact]
    public void Rules()
    {
        Conv2dGeometry lenet = ConvCases.Geometry(1, 28, 28, 6, 5, 5, padTop: 2, padLeft: 2, padBottom: 2, padRight: 2);
        Assert.True(PlaneConv2d.Suits(lenet));
        Assert.Equal(28.0 / 32, PlaneConv2d.LaneUse(lenet), 6);
        Assert.Equal(32 * 32 + 3 * 2 * 28, PlaneConv2d.WorkspaceLength(lenet));
        Assert.Null(PlaneConv2d.PoolRejects(lenet));
        Assert.Equal(6 * 14 * 14, PlaneConv2d.PooledOutputLength(lenet));
        Assert.NotNull(PlaneConv2d.PoolRejects(ConvCases.Geometry(1, 27, 28, 6, 5, 5, padTop: 2, padLeft: 2, padBottom: 2, padRight: 2)));
        Assert.Equal(6 * 25 + 6, PlaneConv2d.PackedLength(lenet));
        // Four channels fill 4 of the 6 channel slots of two tiles: too few lanes carry outputs.
        Assert.False(PlaneConv2d.Suits(lenet with { OutChannels = 4 }));
        // Rows of 16 fill half of the two-vector chunk.
        Assert.False(PlaneConv2d.Suits(ConvCases.Geometry(1, 16, 16, 6, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1)));
        Assert.NotNull(PlaneConv2d.Rejects(ConvCases.Geometry(3, 32, 64, 6, 3, 3, strideHeight: 2, strideWidth: 2)));
        Assert.NotNull(PlaneConv2d.Rejects(ConvCases.Geometry(4, 32, 32, 6, 3, 3, groups: 2)));
    }

    [Fact]
    public void BadSpans_AreRejected()
    {
        Conv2dGeometry g = ConvCases.Geometry(1, 28, 28, 6, 5, 5, padTop: 2, padLeft: 2, padBottom: 2, padRight: 2);
        float[] packed = PlaneConv2d.Pack(new float[g.WeightLength], [], g);
        var x = new float[g.InputLength];
        var y = new float[g.OutputLength];
        var ws = new float[PlaneConv2d.WorkspaceLength(g)];
        Assert.Throws<ArgumentException>(() => PlaneConv2d.Run(x.AsSpan(1), y, packed, g, default(ReLU), ws));
        Assert.Throws<ArgumentException>(() => PlaneConv2d.Run(x, y.AsSpan(1), packed, g, default(ReLU), ws));
        Assert.Throws<ArgumentException>(() => PlaneConv2d.Run(x, y, packed.AsSpan(1), g, default(ReLU), ws));
        Assert.Throws<ArgumentException>(() => PlaneConv2d.Run(x, y, packed, g, default(ReLU), ws.AsSpan(1)));
        Assert.Throws<ArgumentException>(() => PlaneConv2d.Run(x, y, packed, g with { StrideHeight = 2, OutHeight = 14 }, default(ReLU), ws));
        PlaneConv2d.Run(x, y, packed, g, default(ReLU), ws);
        // Pooled: the output is the pooled length.
        Assert.Throws<ArgumentException>(() => PlaneConv2d.RunPooled(x, y, packed, g, default(ReLU), ws));
        PlaneConv2d.RunPooled(x, y.AsSpan(0, PlaneConv2d.PooledOutputLength(g)), packed, g, default(ReLU), ws);
    }

    private static void Check(Conv2dGeometry g, ActivationCase act, bool withBias, int width, Random random, string label)
    {
        float[] x = ConvReference.RandomValues(random, g.InputLength);
        float[] w = ConvReference.RandomValues(random, g.WeightLength);
        float[]? b = withBias ? ConvReference.RandomValues(random, g.OutChannels) : null;
        float[] expected = BlockedReference.Conv2d(x, w, b, null, g, act);
        var input = Guarded.Input(x);
        var output = Guarded.Output(g.OutputLength);
        var workspace = Guarded.Output(PlaneConv2d.WorkspaceLength(g));
        act.Accept(new User(width, input, output, PlaneConv2d.Pack(w, b ?? [], g), g, workspace));
        output.AssertGuardsIntact(label);
        workspace.AssertGuardsIntact(label + " (workspace)");
        AssertClose(output.Span, expected, g.ReductionLength, label + " " + act);
    }

    // The pooled kernel against the unpooled one, then PyTorch's max pool (max of the four, NaN-free data).
    private static void CheckPooled(Conv2dGeometry g, ActivationCase act, int width, Random random, string label)
    {
        float[] x = ConvReference.RandomValues(random, g.InputLength);
        float[] w = ConvReference.RandomValues(random, g.WeightLength);
        float[] b = ConvReference.RandomValues(random, g.OutChannels);
        float[] full = BlockedReference.Conv2d(x, w, b, null, g, act);
        int oh = g.OutHeight / 2, ow = g.OutWidth / 2;
        var expected = new float[PlaneConv2d.PooledOutputLength(g)];
        for (int c = 0; c < g.OutChannels; c++)
            for (int y = 0; y < oh; y++)
                for (int j = 0; j < ow; j++)
                {
                    int at = (c * g.OutHeight + 2 * y) * g.OutWidth + 2 * j;
                    expected[(c * oh + y) * ow + j] = Math.Max(Math.Max(full[at], full[at + 1]), Math.Max(full[at + g.OutWidth], full[at + g.OutWidth + 1]));
                }
        var input = Guarded.Input(x);
        var output = Guarded.Output(expected.Length);
        var workspace = Guarded.Output(PlaneConv2d.WorkspaceLength(g));
        act.Accept(new PooledUser(width, input, output, PlaneConv2d.Pack(w, b, g), g, workspace));
        output.AssertGuardsIntact(label);
        workspace.AssertGuardsIntact(label + " (workspace)");
        AssertClose(output.Span, expected, g.ReductionLength, label);
    }

    private sealed class PooledUser(int width, Guarded input, Guarded output, float[] packed, Conv2dGeometry g, Guarded workspace) : IActivationUser
    {
        public void Use<TAct>(TAct activation) where TAct : struct, IActivation =>
            PlaneConv2d.Run(width, input.Span, output.Span, packed, g, activation, workspace.Span, pooled: true);
    }

    private sealed class User(int width, Guarded input, Guarded output, float[] packed, Conv2dGeometry g, Guarded workspace) : IActivationUser
    {
        public void Use<TAct>(TAct activation) where TAct : struct, IActivation =>
            PlaneConv2d.Run(width, input.Span, output.Span, packed, g, activation, workspace.Span);
    }
}
