using ConvGen.Reference;
using ConvGen.Runtime.Kernels;
using static ConvGen.Tests.Runtime.ConvTestSupport;

namespace ConvGen.Tests.Runtime;

/// <summary>
/// The CHW depthwise register tile (PlaneDepthwiseConv2d) at every vector width against the double-precision
/// reference: 3×3 (the four-row tile, heights leaving up to three rows to the general tile) and other kernels, dilation,
/// padding on every side (also more than the kernel reaches, and cropping), depth multipliers, row widths around the
/// vector widths, activations in registers and after the store; guards around every span.
/// </summary>
public class PlaneDepthwiseConvTests
{
    public static TheoryData<int, int> Cases()
    {
        var data = new TheoryData<int, int>();
        for (int i = 0; i < 10; i++)
            foreach (int width in AllWidths) data.Add(i, width);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void RandomGeometries_MatchReference(int index, int width)
    {
        var random = new Random(3000 + index * 7 + width);
        int tested = 0;
        for (int i = 0; i < 8; i++)
        {
            bool square3 = i % 2 == 0;
            int k = square3 ? 3 : 1 + random.Next(5), kw = square3 ? 3 : 1 + random.Next(5);
            int dilation = !square3 && i % 4 == 3 ? 2 : 1;
            int channels = 1 + random.Next(5), multiplier = i % 3 == 2 ? 2 : 1;
            Conv2dGeometry g = ConvCases.Geometry(channels, 1 + random.Next(9), 16 + random.Next(40), channels * multiplier, k, kw,
                padTop: random.Next(4), padLeft: random.Next(4), padBottom: random.Next(3), padRight: random.Next(3),
                dilationHeight: dilation, dilationWidth: dilation, groups: channels);
            if (g.OutHeight < 1 || g.OutWidth < 16) continue;
            Assert.Null(PlaneDepthwiseConv2d.Rejects(g));
            Check(g, BlockedReference.Activations[(index + i) % BlockedReference.Activations.Length], withBias: i % 3 != 1, width, random,
                $"{ConvCases.Describe(g)} width {width}");
            tested++;
        }
        Assert.True(tested > 0);
    }

    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(ConvTestSupport))]
    public void VwwFirstDepthwise_MatchesReference(int width)
    {
        // VWW MobileNetV1-0.25's blocks.0.dw: 8×48×48, 3×3, padding 1.
        Conv2dGeometry g = ConvCases.Geometry(8, 48, 48, 8, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1, groups: 8);
        foreach (ActivationCase act in BlockedReference.Activations)
            Check(g, act, withBias: true, width, new Random(7), $"vww dw width {width}");
    }

    // The input read in place at 512 bits (ReadsInPlace: 3×3, padding 1 on every side, rows a whole number of vectors):
    // one group of one, two and three vectors per row, and rows of several groups (3 + 1, 3 + 3), with neighbours read
    // across groups; heights 1 and 2 (no output row has both neighbour rows inside the plane), depth multiplier 2.
    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(ConvTestSupport))]
    public void ReadInPlace_MatchesReference(int width)
    {
        var random = new Random(4000 + width);
        int index = 0;
        foreach (int w in new[] { 16, 32, 48, 64, 96 })
            foreach (int h in new[] { 1, 2, 5 })
            {
                int channels = 1 + index % 3, multiplier = index % 4 == 3 ? 2 : 1;
                Conv2dGeometry g = ConvCases.Geometry(channels, h, w, channels * multiplier, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1, groups: channels);
                Assert.True(PlaneDepthwiseConv2d.ReadsInPlace(g));
                Check(g, BlockedReference.Activations[index % BlockedReference.Activations.Length], withBias: index % 3 != 1, width, random,
                    $"{ConvCases.Describe(g)} width {width}");
                index++;
            }
    }

    [Fact]
    public void Rules()
    {
        Conv2dGeometry vww = ConvCases.Geometry(8, 48, 48, 8, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1, groups: 8);
        Assert.True(PlaneDepthwiseConv2d.Suits(vww));
        Assert.True(PlaneDepthwiseConv2d.HasRowBlockTile(vww));
        Assert.False(PlaneDepthwiseConv2d.HasRowBlockTile(ConvCases.Geometry(8, 48, 48, 8, 5, 5, padTop: 2, padLeft: 2, padBottom: 2, padRight: 2, groups: 8)));
        Assert.True(PlaneDepthwiseConv2d.ReadsInPlace(vww));
        Assert.False(PlaneDepthwiseConv2d.ReadsInPlace(ConvCases.Geometry(8, 48, 40, 8, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1, groups: 8)));
        Assert.False(PlaneDepthwiseConv2d.ReadsInPlace(ConvCases.Geometry(8, 48, 48, 8, 3, 3, padTop: 0, padLeft: 0, padBottom: 2, padRight: 2, groups: 8)));
        Assert.False(PlaneDepthwiseConv2d.ReadsInPlace(ConvCases.Geometry(8, 48, 48, 8, 3, 3, padTop: 1, padLeft: 1, padBottom: 0, padRight: 0, groups: 8)));
        // 50 padded rows of 16 (front) + 48 + 1 (right padding), rounded up to 80.
        Assert.Equal(50 * 80, PlaneDepthwiseConv2d.WorkspaceLength(vww));
        Assert.Equal(8 * 9 + 8, PlaneDepthwiseConv2d.PackedLength(vww));
        // Rows of 17 use 17 of 32 lanes at 16 lanes, and still beat the runtime-picked forms.
        Assert.True(PlaneDepthwiseConv2d.Suits(ConvCases.Geometry(8, 17, 17, 8, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1, groups: 8)));
        Assert.True(PlaneDepthwiseConv2d.Suits(ConvCases.Geometry(8, 24, 24, 16, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1, groups: 8)));
        Assert.NotNull(PlaneDepthwiseConv2d.Rejects(ConvCases.Geometry(8, 48, 48, 8, 3, 3, strideHeight: 2, strideWidth: 2, groups: 8)));
        Assert.NotNull(PlaneDepthwiseConv2d.Rejects(ConvCases.Geometry(8, 12, 12, 8, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1, groups: 8)));
        Assert.NotNull(PlaneDepthwiseConv2d.Rejects(ConvCases.Geometry(8, 48, 48, 8, 3, 3, groups: 2)));
    }

    [Fact]
    public void BadSpans_AreRejected()
    {
        Conv2dGeometry g = ConvCases.Geometry(8, 48, 48, 8, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1, groups: 8);
        float[] packed = PlaneDepthwiseConv2d.Pack(new float[g.WeightLength], [], g);
        var x = new float[g.InputLength];
        var y = new float[g.OutputLength];
        var ws = new float[PlaneDepthwiseConv2d.WorkspaceLength(g)];
        Assert.Throws<ArgumentException>(() => PlaneDepthwiseConv2d.Run(x.AsSpan(1), y, packed, g, default(ReLU), ws));
        Assert.Throws<ArgumentException>(() => PlaneDepthwiseConv2d.Run(x, y.AsSpan(1), packed, g, default(ReLU), ws));
        Assert.Throws<ArgumentException>(() => PlaneDepthwiseConv2d.Run(x, y, packed.AsSpan(1), g, default(ReLU), ws));
        Assert.Throws<ArgumentException>(() => PlaneDepthwiseConv2d.Run(x, y, packed, g, default(ReLU), ws.AsSpan(1)));
        Assert.Throws<ArgumentException>(() => PlaneDepthwiseConv2d.Run(x, y, packed, g with { StrideHeight = 2, OutHeight = 24 }, default(ReLU), ws));
        PlaneDepthwiseConv2d.Run(x, y, packed, g, default(ReLU), ws);
    }

    private static void Check(Conv2dGeometry g, ActivationCase act, bool withBias, int width, Random random, string label)
    {
        float[] x = ConvReference.RandomValues(random, g.InputLength);
        float[] w = ConvReference.RandomValues(random, g.WeightLength);
        float[]? b = withBias ? ConvReference.RandomValues(random, g.OutChannels) : null;
        float[] expected = BlockedReference.Conv2d(x, w, b, null, g, act);
        var input = Guarded.Input(x);
        var output = Guarded.Output(g.OutputLength);
        var workspace = Guarded.Output(PlaneDepthwiseConv2d.WorkspaceLength(g));
        act.Accept(new User(width, input, output, PlaneDepthwiseConv2d.Pack(w, b ?? [], g), g, workspace));
        output.AssertGuardsIntact(label);
        workspace.AssertGuardsIntact(label + " (workspace)");
        AssertClose(output.Span, expected, g.ReductionLength, label + " " + act);
    }

    private sealed class User(int width, Guarded input, Guarded output, float[] packed, Conv2dGeometry g, Guarded workspace) : IActivationUser
    {
        public void Use<TAct>(TAct activation) where TAct : struct, IActivation =>
            PlaneDepthwiseConv2d.Run(width, input.Span, output.Span, packed, g, activation, workspace.Span);
    }
}
