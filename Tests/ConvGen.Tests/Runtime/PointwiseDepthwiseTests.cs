using ConvGen.Reference;
using ConvGen.Runtime.Kernels;
using static ConvGen.Tests.Runtime.ConvTestSupport;

namespace ConvGen.Tests.Runtime;

/// <summary>
/// The fused pointwise + depthwise step at every vector width against the reference of the two convolutions one after
/// the other: maps of one band and of several (rows moved up between bands at stride 1 and 2), padding of 0, 1 and
/// Keras' asymmetric "same", a 5x5 kernel, channels filling part of a block, tiles of 1 to 3 blocks, activations with
/// f(0) != 0 on both (the padding lanes stay zero), guards around the output and the workspace; and its rules.
/// </summary>
public class PointwiseDepthwiseTests
{
    // (input channels, height, width, expanded channels, kernel, stride, pad begin, pad end)
    private static readonly (int Cin, int H, int W, int C, int K, int S, int P0, int P1)[] Pairs =
    [
        (16, 12, 10, 96, 3, 2, 1, 1),
        (24, 40, 40, 48, 3, 1, 1, 1),
        (24, 41, 40, 40, 3, 2, 1, 1),
        (3, 9, 33, 20, 3, 1, 1, 1),
        (40, 30, 21, 36, 3, 2, 0, 1),
        (17, 23, 64, 16, 5, 1, 2, 2),
        (8, 70, 64, 32, 3, 2, 1, 1),
        (32, 6, 7, 64, 3, 1, 0, 0),
        (16, 50, 50, 16, 3, 1, 1, 1),
    ];

    public static TheoryData<int, int> Cases()
    {
        var data = new TheoryData<int, int>();
        for (int i = 0; i < Pairs.Length; i++)
            foreach (int width in AllWidths) data.Add(i, width);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fused_MatchesTheTwoConvolutions(int index, int width)
    {
        (Conv2dGeometry pw, Conv2dGeometry dw) = Geometries(index);
        var random = new Random(index * 7 + width);
        ConvTile chosen = PointwiseDepthwiseConv2d.ChooseTile(pw);
        int blocks = Blocked16.Blocks(pw.OutChannels);
        foreach (ConvTile tile in BlockedConvTests.Tiles(chosen, blocks, pw.OutWidth).Take(4))
        {
            ActivationCase first = BlockedReference.Activations[(index + tile.Blocks) % BlockedReference.Activations.Length];
            ActivationCase second = BlockedReference.Activations[(index * 3 + tile.Positions) % BlockedReference.Activations.Length];
            string label = $"pair {index} ({pw.InChannels}->{pw.OutChannels} {pw.InHeight}x{pw.InWidth}, dw {dw.KernelHeight}x{dw.KernelWidth} s{dw.StrideHeight} pad {dw.PadTop}) tile {tile} {first}/{second} width {width} band {PointwiseDepthwiseConv2d.BandRows(dw)} of {dw.OutHeight} rows";
            Check(pw, dw, tile, first, second, width, random, label);
        }
    }

    [Fact]
    public void Rules_FuseOnlyLargeIntermediates_AndTheWorkspaceHoldsBothForms()
    {
        // MobileNetV2: 16 -> 96 on 112x112 (4.8 MB), 24 -> 144 on 56x56 (1.8 MB), 32 -> 192 on 28x28 (602 KB) fuse;
        // 96 -> 576 on 14x14 (451 KB) and DS-CNN's 64 -> 64 on 25x5 do not.
        Assert.True(PointwiseDepthwiseConv2d.Fuses(Pw(16, 112, 112, 96), Dw(96, 112, 112, 3, 2, 1, 1)));
        Assert.True(PointwiseDepthwiseConv2d.Fuses(Pw(24, 56, 56, 144), Dw(144, 56, 56, 3, 1, 1, 1)));
        Assert.True(PointwiseDepthwiseConv2d.Fuses(Pw(32, 28, 28, 192), Dw(192, 28, 28, 3, 2, 1, 1)));
        Assert.False(PointwiseDepthwiseConv2d.Fuses(Pw(96, 14, 14, 576), Dw(576, 14, 14, 3, 2, 1, 1)));
        Assert.False(PointwiseDepthwiseConv2d.Fuses(Pw(64, 25, 5, 64), Dw(64, 25, 5, 3, 1, 1, 1)));
        // The scratch is the bands (and a band's depthwise workspace), not the 4.8 MB map: 112x112 rows of 16 floats.
        Conv2dGeometry pw112 = Pw(16, 112, 112, 96), dw112 = Dw(96, 112, 112, 3, 2, 1, 1);
        Assert.InRange(PointwiseDepthwiseConv2d.WorkspaceLength(pw112, dw112, PointwiseDepthwiseConv2d.ChooseTile(pw112)), 1, 100_000);
        // Not a pointwise, a depth multiplier, a shape mismatch.
        Assert.NotNull(PointwiseDepthwiseConv2d.Rejects(new Conv2dGeometry(16, 56, 56, 144, 54, 54, 3, 3, 1, 1, 0, 0, 1, 1, 1), Dw(144, 54, 54, 3, 1, 1, 1)));
        Assert.NotNull(PointwiseDepthwiseConv2d.Rejects(Pw(16, 56, 56, 144), new Conv2dGeometry(144, 56, 56, 288, 56, 56, 3, 3, 1, 1, 1, 1, 1, 1, 144)));
        Assert.NotNull(PointwiseDepthwiseConv2d.Rejects(Pw(16, 56, 56, 144), Dw(144, 28, 28, 3, 1, 1, 1)));
        Assert.Contains("input channels", PointwiseDepthwiseConv2d.Rejects(Pw(20000, 8, 8, 16), Dw(16, 8, 8, 3, 1, 1, 1)));
        foreach (int i in Enumerable.Range(0, Pairs.Length))
        {
            (Conv2dGeometry pw, Conv2dGeometry dw) = Geometries(i);
            int bandRows = PointwiseDepthwiseConv2d.BandRows(dw);
            Assert.InRange(bandRows, 1, dw.OutHeight);
            ConvTile tile = PointwiseDepthwiseConv2d.ChooseTile(pw);
            Assert.Null(DirectConv2d.TileRejects(pw, tile));
            int needed = PointwiseDepthwiseConv2d.WorkspaceLength(pw, dw, tile);
            long bands = Math.Min(tile.Blocks, Blocked16.Blocks(pw.OutChannels)) * PointwiseDepthwiseConv2d.BandHeight(dw) * DepthwiseConv2d.PaddedWidth(dw) * 16;
            Assert.True(needed >= bands + 16 + DepthwiseConv2d.WorkspaceLength(PointwiseDepthwiseConv2d.BandGeometry(dw, bandRows)));
            // The bands, not the whole intermediate map: the fused step's scratch is far below the pointwise output's.
            if (PointwiseDepthwiseConv2d.Fuses(pw, dw)) Assert.True(needed < Blocked16.Length(pw.OutChannels, pw.OutHeight * pw.OutWidth) / 4);
        }
    }

    [Fact]
    public void Run_RejectsBadArguments()
    {
        (Conv2dGeometry pw, Conv2dGeometry dw) = Geometries(0);
        ConvTile tile = PointwiseDepthwiseConv2d.ChooseTile(pw);
        float[] x = new float[Blocked16.Length(pw.InChannels, pw.InHeight * pw.InWidth)];
        float[] y = new float[Blocked16.Length(dw.OutChannels, dw.OutHeight * dw.OutWidth)];
        float[] pwPacked = new float[DirectConv2d.PackedLength(pw)], dwPacked = new float[DepthwiseConv2d.PackedLength(dw)];
        float[] ws = new float[PointwiseDepthwiseConv2d.WorkspaceLength(pw, dw, tile)];
        void Run(float[] input, float[] output, float[] workspace, Conv2dGeometry second) =>
            PointwiseDepthwiseConv2d.Run(input, output, pwPacked, dwPacked, pw, second, tile, default(ReLU6), default(ReLU6), workspace);
        Assert.Contains("input", Assert.Throws<ArgumentException>(() => Run(new float[x.Length - 1], y, ws, dw)).Message);
        Assert.Contains("output", Assert.Throws<ArgumentException>(() => Run(x, new float[y.Length + 16], ws, dw)).Message);
        Assert.Contains("workspace", Assert.Throws<ArgumentException>(() => Run(x, y, new float[ws.Length - 1], dw)).Message);
        Assert.Contains("depth multiplier", Assert.Throws<ArgumentException>(() => Run(x, y, ws, dw with { OutChannels = 2 * dw.OutChannels })).Message);
    }

    private static (Conv2dGeometry Pointwise, Conv2dGeometry Depthwise) Geometries(int index)
    {
        var p = Pairs[index];
        return (Pw(p.Cin, p.H, p.W, p.C), Dw(p.C, p.H, p.W, p.K, p.S, p.P0, p.P1));
    }

    private static Conv2dGeometry Pw(int cin, int h, int w, int cout) => new(cin, h, w, cout, h, w, 1, 1, 1, 1, 0, 0, 1, 1, 1);

    private static Conv2dGeometry Dw(int c, int h, int w, int k, int s, int padBegin, int padEnd)
    {
        int oh = (h + padBegin + padEnd - k) / s + 1, ow = (w + padBegin + padEnd - k) / s + 1;
        return new Conv2dGeometry(c, h, w, c, oh, ow, k, k, s, s, padBegin, padBegin, 1, 1, c);
    }

    private static void Check(Conv2dGeometry pw, Conv2dGeometry dw, ConvTile tile, ActivationCase first, ActivationCase second, int width, Random random, string label)
    {
        float[] x = ConvReference.RandomValues(random, pw.InputLength);
        float[] pwWeights = ConvReference.RandomValues(random, pw.WeightLength), pwBias = ConvReference.RandomValues(random, pw.OutChannels);
        float[] dwWeights = ConvReference.RandomValues(random, dw.WeightLength), dwBias = ConvReference.RandomValues(random, dw.OutChannels);
        float[] middle = BlockedReference.Conv2d(x, pwWeights, pwBias, null, pw, first);
        float[] expected = BlockedReference.Conv2d(middle, dwWeights, dwBias, null, dw, second);
        var input = Guarded.Input(BlockedReference.ToBlocked(x, pw.InChannels, pw.InHeight * pw.InWidth));
        var output = Guarded.Output(Blocked16.Length(dw.OutChannels, dw.OutputPlane));
        var workspace = Guarded.Output(PointwiseDepthwiseConv2d.WorkspaceLength(pw, dw, tile));
        first.Accept(new First(second, width, input, output, PointwiseConv2d.Pack(pwWeights, pwBias, pw), DepthwiseConv2d.Pack(dwWeights, dwBias, dw), pw, dw, tile, workspace));
        output.AssertGuardsIntact(label);
        workspace.AssertGuardsIntact(label + " (workspace)");
        Assert.Null(BlockedReference.PaddingLanesProblem(output.Span, dw.OutChannels, dw.OutputPlane));
        AssertClose(BlockedReference.FromBlocked(output.Span, dw.OutChannels, dw.OutputPlane), expected, pw.ReductionLength * dw.ReductionLength, label);
    }

    private sealed class First(ActivationCase second, int width, Guarded input, Guarded output, float[] pwPacked, float[] dwPacked,
        Conv2dGeometry pw, Conv2dGeometry dw, ConvTile tile, Guarded workspace) : IActivationUser
    {
        public void Use<TFirst>(TFirst activation) where TFirst : struct, IActivation =>
            second.Accept(new Second<TFirst>(activation, width, input, output, pwPacked, dwPacked, pw, dw, tile, workspace));
    }

    private sealed class Second<TFirst>(TFirst first, int width, Guarded input, Guarded output, float[] pwPacked, float[] dwPacked,
        Conv2dGeometry pw, Conv2dGeometry dw, ConvTile tile, Guarded workspace) : IActivationUser
        where TFirst : struct, IActivation
    {
        public void Use<TSecond>(TSecond activation) where TSecond : struct, IActivation =>
            PointwiseDepthwiseConv2d.Run(width, input.Span, output.Span, pwPacked, dwPacked, pw, dw, tile, first, activation, workspace.Span);
    }
}
