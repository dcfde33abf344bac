using ConvGen.Reference;
using ConvGen.Runtime.Kernels;
using static ConvGen.Tests.Runtime.ConvTestSupport;

namespace ConvGen.Tests.Runtime;

/// <summary>
/// The channel-blocked kernels other than direct/pointwise convolution, at every vector width, against naive
/// references: layout reorders, depthwise convolution, pooling, Linear (GEMV, GEMM, from a blocked map), element-wise
/// ops in both layouts, Winograd; padding lanes stay zero and Run allocates nothing.
/// </summary>
public class BlockedKernelTests
{
    [Fact]
    public unsafe void Arena_StartsOn64ByteBoundary_WithinSlack()
    {
        foreach (int length in new[] { 0, 1, 16, 1000, 300_000 })
        {
            float[] array = Arena.Allocate(length, out int start);
            Assert.InRange(start, 0, Blocked16.AlignmentSlack);
            Assert.True(array.Length - start >= length);
            fixed (float* p = &array[0]) Assert.Equal(0, (long)(p + start) % 64);
        }
    }

    [Fact]
    public void Reorders_RoundTrip_AndZeroPaddingLanes()
    {
        var random = new Random(3);
        foreach (int channels in new[] { 1, 3, 15, 16, 17, 32, 40 })
            foreach (int positions in new[] { 1, 7, 49 })
            {
                float[] chw = ConvReference.RandomValues(random, channels * positions);
                var blocked = new float[Blocked16.Length(channels, positions)];
                Array.Fill(blocked, float.NaN);
                Blocked16.FromChw(chw, blocked, channels, positions);
                Assert.Equal(BlockedReference.ToBlocked(chw, channels, positions), blocked);
                var back = new float[channels * positions];
                Blocked16.ToChw(blocked, back, channels, positions);
                Assert.Equal(chw, back);
            }
    }

    public static TheoryData<string, int> DepthwiseShapes()
    {
        var data = new TheoryData<string, int>();
        foreach ((string name, Conv2dGeometry g) in BlockedReference.ConvShapes())
            if (g.IsDepthwise)
                foreach (int width in AllWidths) data.Add(name, width);
        return data;
    }

    [Theory]
    [MemberData(nameof(DepthwiseShapes))]
    public void Depthwise_NamedShapes_MatchReference(string name, int width)
    {
        Conv2dGeometry g = BlockedConvTests.Shape(name);
        var random = new Random(name.Length + 7 * width);
        for (int i = 0; i < 3; i++)
            CheckDepthwise(g, BlockedReference.Activations[(name.Length + i * 3) % BlockedReference.Activations.Length], i != 1, i == 2, width, random, $"{name} #{i}");
    }

    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(ConvTestSupport))]
    public void Depthwise_RandomAndBlockedShapes_MatchReference(int width)
    {
        var random = new Random(90 + width);
        Conv2dGeometry[] shapes =
        [
            ConvCases.Same(32, 14, 14, 32, 3, 3, groups: 32),
            ConvCases.Geometry(40, 15, 13, 40, 3, 3, 2, 2, 1, 1, 1, 1, groups: 40),
            ConvCases.Geometry(24, 7, 7, 24, 3, 3, 1, 1, 1, 1, 1, 1, groups: 24),
            ConvCases.Geometry(17, 3, 3, 17, 3, 3, 2, 2, 1, 1, 1, 1, groups: 17),
            ConvCases.Geometry(16, 20, 20, 16, 5, 5, 1, 1, 2, 2, 2, 2, groups: 16),
            ConvCases.Geometry(16, 24, 24, 16, 3, 3, 2, 2, 0, 0, 1, 1, groups: 16),
            ConvCases.Geometry(20, 11, 12, 40, 3, 3, 1, 1, 1, 1, 1, 1, groups: 20),
            // Rows the ring skips (stride 3 past a 1- or 2-row kernel span), rows tiled 7 + 7 (13 wide) and 6 + 6 (12).
            ConvCases.Geometry(16, 10, 13, 16, 1, 1, 3, 3, groups: 16),
            ConvCases.Geometry(32, 11, 13, 32, 2, 3, 3, 1, 1, 1, 0, 1, groups: 32),
            ConvCases.Geometry(16, 9, 12, 16, 3, 3, 1, 1, 1, 1, 1, 1, dilationHeight: 2, groups: 16),
            // Whole padded planes: rows in pairs with an odd last row (DS-CNN's 25 x 5), and a five-wide kernel row by row.
            ConvCases.Same(40, 25, 5, 40, 3, 3, groups: 40),
            ConvCases.Geometry(16, 9, 9, 16, 5, 5, 1, 1, 2, 2, 2, 2, groups: 16),
            // Read in place at 512 bits (ReadsInPlace, stride 2, past 576 outputs): padding on every side, Keras' (0, 1) padding with a
            // depth multiplier of 2, no padding, taps two rows apart at row stride 1, two rows, an interior narrower than a tile.
            ConvCases.Geometry(40, 49, 51, 40, 3, 3, 2, 2, 1, 1, 1, 1, groups: 40),
            ConvCases.Geometry(16, 50, 49, 32, 3, 3, 2, 2, 0, 0, 1, 1, groups: 16),
            ConvCases.Geometry(16, 41, 64, 16, 3, 3, 2, 2, groups: 16),
            ConvCases.Geometry(16, 26, 46, 16, 3, 3, 1, 2, 2, 1, 2, 1, dilationHeight: 2, groups: 16),
            ConvCases.Geometry(16, 2, 600, 16, 3, 3, 1, 2, 1, 1, 1, 0, groups: 16),
            ConvCases.Geometry(16, 120, 7, 16, 3, 3, 2, 2, 1, 2, 1, 2, groups: 16),
            // Tiles across channel blocks read in place (TilesBlocks): Keras' (0, 1) padding (VWW's 6 -> 3 and 12 -> 6 with
            // 40 and 8 channels), PyTorch's symmetric 1 (7 -> 4, 5 x 3 -> 3 x 2), a depth multiplier of 2, a tile moved back
            // (12 -> 6 ... 22 -> 11: 6 + 6), one output row or column, no padding, a five-tall kernel at row stride 1, rows
            // two apart (dilated rows), the blocks left over after full groups (9 blocks of tiles of 3 positions x 4).
            ConvCases.Geometry(40, 6, 6, 40, 3, 3, 2, 2, 0, 0, 1, 1, groups: 40),
            ConvCases.Geometry(8, 12, 12, 8, 3, 3, 2, 2, 0, 0, 1, 1, groups: 8),
            ConvCases.Geometry(40, 7, 7, 40, 3, 3, 2, 2, 1, 1, 1, 1, groups: 40),
            ConvCases.Geometry(24, 5, 3, 24, 3, 3, 2, 2, 1, 1, 1, 1, groups: 24),
            ConvCases.Geometry(20, 6, 6, 40, 3, 3, 2, 2, 0, 0, 1, 1, groups: 20),
            ConvCases.Geometry(48, 22, 22, 48, 3, 3, 2, 2, 0, 0, 1, 1, groups: 48),
            ConvCases.Geometry(16, 1, 9, 16, 3, 3, 2, 2, 1, 1, 1, 1, groups: 16),
            ConvCases.Geometry(16, 9, 2, 16, 3, 3, 2, 2, 1, 1, 1, 1, groups: 16),
            ConvCases.Geometry(32, 7, 9, 32, 3, 3, 2, 2, groups: 32),
            ConvCases.Geometry(24, 9, 8, 24, 5, 3, 1, 2, 2, 0, 2, 1, groups: 24),
            ConvCases.Geometry(16, 11, 8, 16, 3, 3, 1, 2, 2, 1, 2, 1, dilationHeight: 2, groups: 16),
            ConvCases.Geometry(136, 6, 6, 136, 3, 3, 2, 2, 0, 0, 1, 1, groups: 136),
            // Rows read in place at 512 bits (ReadsRowsInPlace): one row, two, three (no pair), a one-wide column, eight
            // wide, a depth multiplier of 2; rows of two tiles (9 = 5 + 5, the last moved back; 12 = 6 + 6), of three
            // (17 = 6 + 6 + 6 moved back); past the whole-plane bound (70 x 6, 20 x 30) the ring instead.
            ConvCases.Same(16, 1, 5, 16, 3, 3, groups: 16),
            ConvCases.Same(16, 2, 8, 16, 3, 3, groups: 16),
            ConvCases.Same(24, 3, 4, 24, 3, 3, groups: 24),
            ConvCases.Same(16, 9, 1, 16, 3, 3, groups: 16),
            ConvCases.Same(40, 8, 8, 40, 3, 3, groups: 40),
            ConvCases.Same(16, 70, 6, 16, 3, 3, groups: 16),
            ConvCases.Same(20, 6, 7, 40, 3, 3, groups: 20),
            ConvCases.Same(16, 9, 9, 16, 3, 3, groups: 16),
            ConvCases.Same(24, 5, 12, 24, 3, 3, groups: 24),
            ConvCases.Same(16, 4, 17, 16, 3, 3, groups: 16),
            ConvCases.Same(16, 1, 10, 16, 3, 3, groups: 16),
            ConvCases.Same(32, 20, 30, 32, 3, 3, groups: 32),
            // Unpadded whole planes read in place at 512 bits (ReadsPlaneInPlace; at stride 3, as stride 2 tiles blocks).
            ConvCases.Geometry(32, 9, 9, 32, 3, 3, groups: 32),
            ConvCases.Geometry(16, 11, 10, 16, 3, 3, 3, 3, groups: 16),
        ];
        int i = 0;
        foreach (Conv2dGeometry g in shapes)
            CheckDepthwise(g, BlockedReference.Activations[i % BlockedReference.Activations.Length], true, i++ % 2 == 0, width, random, ConvCases.Describe(g));
        for (int k = 0; k < 30; k++)
        {
            Conv2dGeometry g = ConvCases.RandomGeometry(random, depthwise: true);
            CheckDepthwise(g, BlockedReference.Activations[k % BlockedReference.Activations.Length], k % 3 != 0, k % 2 == 1, width, random, $"random {ConvCases.Describe(g)}");
        }
    }

    [Theory]
    // DS-CNN's 25 x 5 (27 x 7 padded), VWW's 6 x 6, a 12 x 12 at stride 3 (12 padded rows read), MobileNetV2's 14 x 14 at the bound (16 x 16);
    // 15 x 15 (17 x 17) and VWW's 24 x 24 past it keep the ring of three rows. (Small maps at stride 2 tile blocks instead.)
    [InlineData(25, 5, 1, 1, 1, 27, true)]
    [InlineData(6, 6, 1, 1, 1, 8, true)]
    [InlineData(12, 12, 3, 0, 1, 12, true)]
    [InlineData(14, 14, 1, 1, 1, 16, true)]
    [InlineData(15, 15, 1, 1, 1, 3, false)]
    [InlineData(24, 24, 1, 1, 1, 3, false)]
    public void Depthwise_PadsWholePlane_OnlyWhenThePaddedPlaneIsSmall(int h, int w, int stride, int padBegin, int padEnd, int bufferedRows, bool whole)
    {
        Conv2dGeometry g = ConvCases.Geometry(64, h, w, 64, 3, 3, stride, stride, padBegin, padBegin, padEnd, padEnd, groups: 64);
        Assert.False(DepthwiseConv2d.TilesBlocks(g));
        Assert.Equal(whole, DepthwiseConv2d.PadsWholePlane(g));
        Assert.Equal(bufferedRows, DepthwiseConv2d.BufferedRows(g));
        Assert.Equal(bufferedRows * DepthwiseConv2d.PaddedWidth(g) * Blocked16.Lanes + DepthwiseConv2d.RingSlack, DepthwiseConv2d.WorkspaceLength(g));
        // Past the whole-plane bound a three-wide kernel at stride 2 reads its input in place at 512 bits; the ring covers the border copy.
        Assert.Equal(!whole && stride == 2, DepthwiseConv2d.ReadsInPlace(g));
        Assert.True(DepthwiseConv2d.RingLength(g) >= (!whole && stride == 2 ? DepthwiseConv2d.EdgeLength(g) : 0));
    }

    [Theory]
    // Three-wide kernels at stride 2 past the block-tiled bound read in place; stride 1 and 3, five-wide kernels,
    // dilated columns and maps of at most 576 outputs (24 -> 12, 48 -> 24: TilesBlocks) do not. Tiles split the interior
    // columns (50 -> 25 with padding 1: columns 1 to 24, three tiles of 8; 64 -> 32: 1 to 31, four of 8); the border copy
    // is KH rows of (positions - 1) * stride + 3 vectors.
    [InlineData(3, 3, 1, 1, 24, false, 0)]
    [InlineData(3, 3, 2, 1, 24, false, 0)]
    [InlineData(3, 3, 2, 1, 50, true, 3 * 17 * 16)]
    [InlineData(3, 3, 2, 1, 12, false, 0)]
    [InlineData(5, 3, 2, 1, 64, true, 5 * 17 * 16)]
    [InlineData(3, 5, 1, 1, 24, false, 0)]
    [InlineData(3, 3, 1, 2, 24, false, 0)]
    [InlineData(3, 3, 3, 1, 24, false, 0)]
    public void Depthwise_ReadsInPlace_ThreeWideKernelsAtStrideOneOrTwo(int kh, int kw, int stride, int dilation, int size, bool inPlace, int edge)
    {
        Conv2dGeometry g = ConvCases.Geometry(32, size, size, 32, kh, kw, stride, stride, kh / 2 * dilation, kw / 2 * dilation, kh / 2 * dilation, kw / 2 * dilation,
            dilationHeight: dilation, dilationWidth: dilation, groups: 32);
        Assert.Equal(inPlace, DepthwiseConv2d.ReadsInPlace(g));
        if (inPlace) Assert.Equal(edge, DepthwiseConv2d.EdgeLength(g));
    }

    [Theory]
    // Three-wide kernels at stride 2 with at most one padding column each side on maps of at most 576 outputs: VWW's
    // 24 -> 12, 12 -> 6, 6 -> 3 and 48 -> 24 (Keras' (0, 1)), MobileNetV2's 14 -> 7 (1, 1), a five-tall kernel. Not:
    // 50 -> 25 (625 outputs), stride 1, two padding columns, a five-wide kernel, dilated columns.
    [InlineData(3, 3, 2, 24, 0, 1, 1, true)]
    [InlineData(3, 3, 2, 12, 0, 1, 1, true)]
    [InlineData(3, 3, 2, 6, 0, 1, 1, true)]
    [InlineData(3, 3, 2, 14, 1, 1, 1, true)]
    [InlineData(5, 3, 2, 14, 1, 1, 1, true)]
    [InlineData(3, 3, 2, 48, 0, 1, 1, true)]
    [InlineData(3, 3, 2, 50, 1, 1, 1, false)]
    [InlineData(3, 3, 1, 12, 1, 1, 1, false)]
    [InlineData(3, 3, 2, 12, 2, 2, 1, false)]
    [InlineData(3, 5, 2, 12, 1, 1, 1, false)]
    [InlineData(3, 3, 2, 12, 2, 2, 2, false)]
    public void Depthwise_TilesBlocks_SmallThreeWideMapsAtStrideTwo(int kh, int kw, int stride, int size, int padBegin, int padEnd, int dilation, bool tiles)
    {
        Conv2dGeometry g = ConvCases.Geometry(64, size, size, 64, kh, kw, stride, stride, padBegin, padBegin, padEnd, padEnd,
            dilationWidth: dilation, groups: 64);
        Assert.Equal(tiles, DepthwiseConv2d.TilesBlocks(g));
        if (!tiles) return;
        // No other path, no ring: the workspace is the alignment slack alone.
        Assert.False(DepthwiseConv2d.PadsWholePlane(g));
        Assert.False(DepthwiseConv2d.ReadsInPlace(g));
        Assert.Equal(DepthwiseConv2d.RingSlack, DepthwiseConv2d.WorkspaceLength(g));
    }

    [Theory]
    // Accumulators within 24 registers at 512 bits, 12 narrower; 1 to 4 blocks, no more than the map has.
    [InlineData(3, 8, 16, 4)]
    [InlineData(6, 4, 16, 4)]
    [InlineData(6, 2, 16, 2)]
    [InlineData(7, 36, 16, 3)]
    [InlineData(8, 9, 16, 3)]
    [InlineData(3, 8, 8, 4)]
    [InlineData(6, 8, 8, 2)]
    [InlineData(7, 8, 4, 1)]
    [InlineData(1, 3, 1, 3)]
    public void Depthwise_TileBlocks_FitTheRegisters(int positions, int blocks, int lanes, int expected) =>
        Assert.Equal(expected, DepthwiseConv2d.TileBlocks(positions, blocks, lanes));

    [Theory]
    // 3x3, stride 1, padding 1 on every side, on maps the whole-plane path takes: DS-CNN's 25 x 5, VWW's 6 x 6, 3 x 3 and
    // 12 x 12, MobileNetV2's 14 x 14, rows of two tiles (9 x 9); not past the whole-plane bound (a tall 70 x 6, VWW's
    // 24 x 24, MobileNetV2's 112 x 112), stride 2, Keras' (0, 1) padding, a 5x5 kernel or dilation 2.
    [InlineData(25, 5, 3, 1, 1, 1, 1, true)]
    [InlineData(6, 6, 3, 1, 1, 1, 1, true)]
    [InlineData(3, 3, 3, 1, 1, 1, 1, true)]
    [InlineData(12, 12, 3, 1, 1, 1, 1, true)]
    [InlineData(14, 14, 3, 1, 1, 1, 1, true)]
    [InlineData(9, 9, 3, 1, 1, 1, 1, true)]
    [InlineData(70, 6, 3, 1, 1, 1, 1, false)]
    [InlineData(24, 24, 3, 1, 1, 1, 1, false)]
    [InlineData(112, 112, 3, 1, 1, 1, 1, false)]
    [InlineData(12, 8, 3, 2, 1, 1, 1, false)]
    [InlineData(6, 6, 3, 1, 0, 1, 1, false)]
    [InlineData(6, 6, 5, 1, 2, 2, 1, false)]
    [InlineData(6, 6, 3, 1, 2, 2, 2, false)]
    public void Depthwise_ReadsRowsInPlace_ThreeByThreePaddedNarrowRows(int h, int w, int k, int stride, int padBegin, int padEnd, int dilation, bool inPlace)
    {
        Conv2dGeometry g = ConvCases.Geometry(32, h, w, 32, k, k, stride, stride, padBegin, padBegin, padEnd, padEnd, dilation, dilation, groups: 32);
        Assert.Equal(inPlace, DepthwiseConv2d.ReadsRowsInPlace(g));
    }

    [Fact]
    public void Depthwise_PathOf_IsTheOneDispatch()
    {
        // 512 bits, then narrower: DS-CNN's 25 x 5 (rows in place, else the whole padded plane), VWW's 12 -> 6 (block
        // tiles at every width), VWW's 24 x 24 (ring), MobileNetV2's 96 x 112 -> 56 (stride-2 tiles in place, else the
        // ring), an unpadded small map at stride 3 (its plane in place, else copied).
        (Conv2dGeometry G, DepthwisePath Wide, DepthwisePath Narrow)[] cases =
        [
            (ConvCases.Same(64, 25, 5, 64, 3, 3, groups: 64), DepthwisePath.RowsInPlace, DepthwisePath.WholePlane),
            (ConvCases.Geometry(64, 12, 12, 64, 3, 3, 2, 2, 0, 0, 1, 1, groups: 64), DepthwisePath.BlockTiles, DepthwisePath.BlockTiles),
            (ConvCases.Same(32, 24, 24, 32, 3, 3, groups: 32), DepthwisePath.Ring, DepthwisePath.Ring),
            (ConvCases.Geometry(96, 112, 112, 96, 3, 3, 2, 2, 1, 1, 1, 1, groups: 96), DepthwisePath.StrideTwoInPlace, DepthwisePath.Ring),
            (ConvCases.Geometry(16, 11, 10, 16, 3, 3, 3, 3, groups: 16), DepthwisePath.WholePlaneInPlace, DepthwisePath.WholePlane),
        ];
        foreach ((Conv2dGeometry g, DepthwisePath wide, DepthwisePath narrow) in cases)
        {
            Assert.Equal(wide, DepthwiseConv2d.PathOf(g, Blocked16.Lanes));
            foreach (int lanes in new[] { 8, 4, 1 }) Assert.Equal(narrow, DepthwiseConv2d.PathOf(g, lanes));
        }
    }

    private static void CheckDepthwise(Conv2dGeometry g, ActivationCase act, bool withBias, bool withResidual, int width, Random random, string label)
    {
        float[] x = ConvReference.RandomValues(random, g.InputLength);
        float[] w = ConvReference.RandomValues(random, g.WeightLength);
        float[]? b = withBias ? ConvReference.RandomValues(random, g.OutChannels) : null;
        float[]? residual = withResidual ? ConvReference.RandomValues(random, g.OutputLength) : null;
        float[] expected = BlockedReference.Conv2d(x, w, b, residual, g, act);
        var input = Guarded.Input(BlockedReference.ToBlocked(x, g.InChannels, g.InHeight * g.InWidth));
        var output = Guarded.Output(Blocked16.Length(g.OutChannels, g.OutputPlane));
        float[] res = residual is null ? [] : BlockedReference.ToBlocked(residual, g.OutChannels, g.OutputPlane);
        var workspace = Guarded.Output(DepthwiseConv2d.WorkspaceLength(g));
        float[] packed = DepthwiseConv2d.Pack(w, b, g);
        act.Accept(new Depthwise(width, input, output, packed, res, g, workspace));
        output.AssertGuardsIntact(label);
        Assert.Null(BlockedReference.PaddingLanesProblem(output.Span, g.OutChannels, g.OutputPlane));
        AssertClose(BlockedReference.FromBlocked(output.Span, g.OutChannels, g.OutputPlane), expected, g.ReductionLength, $"{label} {act} width {width}");
    }

    private sealed class Depthwise(int width, Guarded input, Guarded output, float[] packed, float[] residual, Conv2dGeometry g, Guarded workspace) : IActivationUser
    {
        public void Use<TAct>(TAct activation) where TAct : struct, IActivation =>
            DepthwiseConv2d.Run(width, input.Span, output.Span, packed, residual, g, activation, workspace.Span);
    }

    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(ConvTestSupport))]
    public void Pooling_EveryOption_MatchesReference(int width)
    {
        var random = new Random(17 + width);
        foreach (int channels in new[] { 3, 16, 21 })
        {
            foreach ((int h, int w, int k, int s, int p, int d, bool ceil) in new[]
            {
                (8, 8, 2, 2, 0, 1, false), (7, 9, 3, 2, 1, 1, true), (11, 6, 3, 1, 1, 2, false), (5, 5, 5, 1, 2, 1, false),
                (1, 13, 1, 1, 0, 1, false), (10, 10, 3, 3, 1, 1, true), (6, 7, 4, 3, 2, 1, true), (9, 7, 3, 2, 0, 1, false),
                (9, 9, 2, 2, 0, 1, true),
            })
            {
                int oh = PoolReference.OutputSize(h, k, s, p, d, ceil), ow = PoolReference.OutputSize(w, k, s, p, d, ceil);
                int kh = h == 1 ? 1 : k, ph = h == 1 ? 0 : p, sh = h == 1 ? 1 : s;
                if (h == 1) oh = 1;
                var g = new Pool2dGeometry(channels, h, w, oh, ow, kh, k, sh, s, ph, p, d, d);
                float[] x = ConvReference.RandomValues(random, channels * h * w, 3f);
                if (channels == 3) x[5] = float.NaN;
                float[] blocked = BlockedReference.ToBlocked(x, channels, h * w);
                var y = new float[Blocked16.Length(channels, oh * ow)];
                string label = $"{channels}x{h}x{w} k{k} s{s} p{p} d{d} ceil {ceil} width {width}";
                BlockedPool2d.Max(width, blocked, y, g);
                AssertSame(PoolReference.Max(x, g), BlockedReference.FromBlocked(y, channels, oh * ow), "max " + label);
                Assert.Null(BlockedReference.PaddingLanesProblem(y, channels, oh * ow));
                if (d != 1 || channels == 3) continue;
                foreach ((bool include, int divisor) in new[] { (true, 0), (false, 0), (true, 3) })
                {
                    BlockedPool2d.Average(width, blocked, y, g, include, divisor);
                    AssertClose(BlockedReference.FromBlocked(y, channels, oh * ow), PoolReference.Average(x, g, include, divisor), 1, $"avg {include} {divisor} {label}");
                }
            }

            foreach ((int h, int w, int oh, int ow) in new[] { (7, 7, 1, 1), (10, 9, 3, 4), (5, 5, 7, 6), (3, 3, 1, 1) })
            {
                float[] x = ConvReference.RandomValues(random, channels * h * w, 3f);
                float[] blocked = BlockedReference.ToBlocked(x, channels, h * w);
                var y = new float[Blocked16.Length(channels, oh * ow)];
                BlockedPool2d.Adaptive(width, blocked, y, channels, h, w, oh, ow, average: true);
                AssertClose(BlockedReference.FromBlocked(y, channels, oh * ow), PoolReference.AdaptiveAverage(x, channels, h, w, oh, ow), h * w, $"adaptive avg {h}x{w}->{oh}x{ow}");
                BlockedPool2d.Adaptive(width, blocked, y, channels, h, w, oh, ow, average: false);
                AssertSame(PoolReference.AdaptiveMax(x, channels, h, w, oh, ow), BlockedReference.FromBlocked(y, channels, oh * ow), $"adaptive max {h}x{w}->{oh}x{ow}");
            }
        }
    }

    private static void AssertSame(float[] expected, float[] actual, string label)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(expected[i].Equals(actual[i]), $"{label}: element {i} is {actual[i]:R}, expected {expected[i]:R}");
    }

    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(ConvTestSupport))]
    public void Linear_RowsAndLayouts_MatchReference(int width)
    {
        var random = new Random(23 + width);
        int index = 0;
        foreach ((int rows, int inF, int outF) in new[] { (1, 400, 120), (1, 120, 84), (1, 84, 10), (1, 1, 33), (1, 37, 1), (1, 1280, 1000), (1, 17, 71),
                     (3, 23, 19), (5, 31, 100), (49, 40, 24), (2, 64, 16), (7, 9, 5) })
        {
            ActivationCase act = BlockedReference.Activations[index++ % BlockedReference.Activations.Length];
            float[] x = ConvReference.RandomValues(random, rows * inF);
            float[] w = ConvReference.RandomValues(random, inF * outF);
            float[] b = ConvReference.RandomValues(random, outF);
            float[] expected = LinearReference(x, w, b, rows, inF, outF, act);
            float[] packed = PackedLinear.Pack(w, index % 3 == 0 ? default : b, inF, outF);
            if (index % 3 == 0) expected = LinearReference(x, w, null, rows, inF, outF, act);
            foreach (TensorLayout layout in rows == 1 ? new[] { TensorLayout.Chw, TensorLayout.Blocked16 } : new[] { TensorLayout.Chw })
            {
                var y = Guarded.Output(PackedLinear.OutputLength(rows, outF, layout));
                act.Accept(new Linear(width, x, y, packed, rows, inF, outF, layout));
                y.AssertGuardsIntact($"linear {rows}x{inF}->{outF} {layout}");
                float[] got = layout == TensorLayout.Chw ? y.Span.ToArray() : BlockedReference.FromBlocked(y.Span, outF, 1);
                if (layout == TensorLayout.Blocked16) Assert.Null(BlockedReference.PaddingLanesProblem(y.Span, outF, 1));
                AssertClose(got, expected, inF, $"linear {rows}x{inF}->{outF} {layout} {act} width {width}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(ConvTestSupport))]
    public void Linear_FromBlockedMap_MatchesFlattenedReference(int width)
    {
        var random = new Random(29 + width);
        foreach ((int channels, int positions, int outF) in new[] { (16, 25, 120), (20, 1, 10), (1280, 1, 1000), (7, 9, 33), (64, 1, 12) })
        {
            float[] x = ConvReference.RandomValues(random, channels * positions);
            float[] w = ConvReference.RandomValues(random, channels * positions * outF);
            float[] b = ConvReference.RandomValues(random, outF);
            float[] expected = LinearReference(x, w, b, 1, channels * positions, outF, BlockedReference.Activations[1]);
            float[] packed = PackedLinear.PackFromBlocked(w, b, channels, positions, outF);
            int inF = PackedLinear.BlockedInFeatures(channels, positions);
            var y = new float[outF];
            PackedLinear.Run(width, BlockedReference.ToBlocked(x, channels, positions), y, packed, 1, inF, outF, TensorLayout.Chw, default(ReLU));
            AssertClose(y, expected, channels * positions, $"linear from blocked {channels}x{positions}->{outF} width {width}");
        }
    }

    private static float[] LinearReference(float[] x, float[] w, float[]? b, int rows, int inF, int outF, ActivationCase act)
    {
        var y = new float[rows * outF];
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < outF; o++)
            {
                double sum = b is null ? 0 : b[o];
                for (int i = 0; i < inF; i++) sum += (double)w[o * inF + i] * x[r * inF + i];
                y[r * outF + o] = (float)act.Reference(sum);
            }

        return y;
    }

    private sealed class Linear(int width, float[] x, Guarded y, float[] packed, int rows, int inF, int outF, TensorLayout layout) : IActivationUser
    {
        public void Use<TAct>(TAct activation) where TAct : struct, IActivation =>
            PackedLinear.Run(width, x, y.Span, packed, rows, inF, outF, layout, activation);
    }

    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(ConvTestSupport))]
    public void Elementwise_BothLayouts_MatchReference(int width)
    {
        var random = new Random(31 + width);
        int index = 0;
        foreach (int channels in new[] { 1, 5, 16, 21, 40 })
            foreach (int positions in new[] { 1, 3, 49 })
                foreach (TensorLayout layout in new[] { TensorLayout.Chw, TensorLayout.Blocked16 })
                {
                    ActivationCase act = BlockedReference.Activations[index++ % BlockedReference.Activations.Length];
                    float[] a = ConvReference.RandomValues(random, channels * positions, 3f), b = ConvReference.RandomValues(random, channels * positions, 3f);
                    float[] scale = ConvReference.RandomValues(random, channels), shift = ConvReference.RandomValues(random, channels);
                    var expectAct = new float[a.Length];
                    var expectAdd = new float[a.Length];
                    var expectMul = new float[a.Length];
                    var expectAffine = new float[a.Length];
                    for (int i = 0; i < a.Length; i++)
                    {
                        expectAct[i] = (float)act.Reference(a[i]);
                        expectAdd[i] = (float)act.Reference((double)a[i] + b[i]);
                        expectMul[i] = (float)act.Reference((double)a[i] * b[i]);
                        expectAffine[i] = (float)act.Reference((double)a[i] * scale[i / positions] + shift[i / positions]);
                    }

                    float[] la = In(a, layout, channels, positions), lb = In(b, layout, channels, positions);
                    string label = $"{channels}x{positions} {layout} {act} width {width}";
                    var user = new Elementwise(width, la, lb, scale, shift, layout, channels, positions);
                    act.Accept(user);
                    Check(user.Activated, expectAct, layout, channels, positions, "activate " + label);
                    Check(user.Added, expectAdd, layout, channels, positions, "add " + label);
                    Check(user.Multiplied, expectMul, layout, channels, positions, "multiply " + label);
                    Check(user.Affine, expectAffine, layout, channels, positions, "affine " + label);
                }
    }

    private static float[] In(float[] chw, TensorLayout layout, int channels, int positions) =>
        layout == TensorLayout.Chw ? (float[])chw.Clone() : BlockedReference.ToBlocked(chw, channels, positions);

    private static void Check(float[] actual, float[] expected, TensorLayout layout, int channels, int positions, string label)
    {
        if (layout == TensorLayout.Blocked16)
        {
            Assert.Null(BlockedReference.PaddingLanesProblem(actual, channels, positions));
            actual = BlockedReference.FromBlocked(actual, channels, positions);
        }

        AssertClose(actual, expected, 1, label);
    }

    private sealed class Elementwise(int width, float[] a, float[] b, float[] scale, float[] shift, TensorLayout layout, int channels, int positions) : IActivationUser
    {
        public float[] Activated = [], Added = [], Multiplied = [], Affine = [];

        public void Use<TAct>(TAct activation) where TAct : struct, IActivation
        {
            Activated = (float[])a.Clone();
            ElementwiseOps.Activate(width, Activated, Activated, layout, channels, positions, activation);
            Added = (float[])a.Clone();
            Broadcast.Channelwise(width, Added, OperandForm.Full, b, OperandForm.Full, Added, BinaryOperation.Add, layout, channels, positions, activation);
            Multiplied = new float[a.Length];
            Broadcast.Channelwise(width, a, OperandForm.Full, b, OperandForm.Full, Multiplied, BinaryOperation.Multiply, layout, channels, positions, activation);
            Affine = new float[a.Length];
            ElementwiseOps.ChannelAffine(width, a, Affine, scale, shift, layout, channels, positions, activation);
        }
    }

    [Fact]
    public void CopyChannels_ConcatenatesWholeBlocks()
    {
        var random = new Random(41);
        float[] first = ConvReference.RandomValues(random, 32 * 5), second = ConvReference.RandomValues(random, 7 * 5);
        var output = new float[Blocked16.Length(39, 5)];
        ElementwiseOps.CopyChannels(BlockedReference.ToBlocked(first, 32, 5), output, TensorLayout.Blocked16, 0, 32, 39, 5);
        ElementwiseOps.CopyChannels(BlockedReference.ToBlocked(second, 7, 5), output, TensorLayout.Blocked16, 32, 7, 39, 5);
        Assert.Equal(first.Concat(second).ToArray(), BlockedReference.FromBlocked(output, 39, 5));
        Assert.Null(BlockedReference.PaddingLanesProblem(output, 39, 5));
        var chw = new float[39 * 5];
        ElementwiseOps.CopyChannels(first, chw, TensorLayout.Chw, 0, 32, 39, 5);
        ElementwiseOps.CopyChannels(second, chw, TensorLayout.Chw, 32, 7, 39, 5);
        Assert.Equal(first.Concat(second).ToArray(), chw);
        Assert.Throws<ArgumentException>(() => ElementwiseOps.CopyChannels(new float[Blocked16.Length(7, 5)], output, TensorLayout.Blocked16, 0, 7, 39, 5));
        Assert.Throws<ArgumentException>(() => ElementwiseOps.CopyChannels(new float[Blocked16.Length(7, 5)], output, TensorLayout.Blocked16, 8, 7, 39, 5));
    }

    public static TheoryData<int, int> WinogradCases()
    {
        var data = new TheoryData<int, int>();
        foreach (int tile in new[] { 2, 4 })
            foreach (int width in AllWidths) data.Add(tile, width);
        return data;
    }

    [Theory]
    [MemberData(nameof(WinogradCases))]
    public void Winograd_WithinTheContractBound_OnPyTorchScaleData(int outputTile, int width)
    {
        var random = new Random(outputTile * 100 + width);
        Conv2dGeometry[] shapes =
        [
            ConvCases.Same(16, 32, 32, 16, 3, 3),
            ConvCases.Same(32, 16, 16, 32, 3, 3),
            ConvCases.Same(64, 8, 8, 64, 3, 3),
            ConvCases.Geometry(17, 9, 11, 33, 3, 3, padTop: 1, padLeft: 0, padBottom: 2, padRight: 1),
            ConvCases.Geometry(3, 5, 5, 7, 3, 3),
            ConvCases.Geometry(20, 3, 3, 20, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1),
        ];
        int i = 0;
        foreach (Conv2dGeometry g in shapes)
        {
            ActivationCase act = BlockedReference.Activations[i++ % BlockedReference.Activations.Length];
            // PyTorch's default initialisation: uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)); inputs of unit scale.
            float bound = 1f / MathF.Sqrt(g.InChannels * 9);
            float[] x = ConvReference.RandomValues(random, g.InputLength);
            float[] w = ConvReference.RandomValues(random, g.WeightLength, bound);
            float[] b = ConvReference.RandomValues(random, g.OutChannels, bound);
            float[]? residual = i % 2 == 0 ? ConvReference.RandomValues(random, g.OutputLength) : null;
            float[] expected = BlockedReference.Conv2d(x, w, b, residual, g, act);
            var y = Guarded.Output(Blocked16.Length(g.OutChannels, g.OutputPlane));
            var ws = Guarded.Output(WinogradConv2d.WorkspaceLength(g, outputTile));
            act.Accept(new Winograd(width, BlockedReference.ToBlocked(x, g.InChannels, g.InHeight * g.InWidth), y, WinogradConv2d.Pack(w, b, g, outputTile),
                residual is null ? [] : BlockedReference.ToBlocked(residual, g.OutChannels, g.OutputPlane), g, outputTile, ws));
            y.AssertGuardsIntact(ConvCases.Describe(g));
            ws.AssertGuardsIntact(ConvCases.Describe(g) + " workspace");
            Assert.Null(BlockedReference.PaddingLanesProblem(y.Span, g.OutChannels, g.OutputPlane));
            float[] got = BlockedReference.FromBlocked(y.Span, g.OutChannels, g.OutputPlane);
            double scale = Math.Max(1, expected.Max(Math.Abs));
            for (int k = 0; k < got.Length; k++)
                Assert.True(Math.Abs(got[k] - expected[k]) <= 1e-4 * scale,
                    $"F({outputTile}) {ConvCases.Describe(g)} {act} width {width}: element {k} {got[k]} vs {expected[k]}");
        }
    }

    private sealed class Winograd(int width, float[] x, Guarded y, float[] packed, float[] residual, Conv2dGeometry g, int tile, Guarded ws) : IActivationUser
    {
        public void Use<TAct>(TAct activation) where TAct : struct, IActivation =>
            WinogradConv2d.Run(width, x, y.Span, packed, residual, g, tile, activation, ws.Span);
    }

    [Fact]
    public void Kernels_AllocateNothing()
    {
        Conv2dGeometry dense = ConvCases.Same(20, 10, 10, 33, 3, 3), pw = ConvCases.Geometry(33, 10, 10, 40, 1, 1), dw = ConvCases.Same(40, 10, 10, 40, 3, 3, groups: 40);
        var x = new float[Blocked16.Length(20, 100)];
        var y1 = new float[Blocked16.Length(33, 100)];
        var y2 = new float[Blocked16.Length(40, 100)];
        var y3 = new float[Blocked16.Length(40, 100)];
        float[] pd = DirectConv2d.Pack(new float[dense.WeightLength], default, dense), pp = PointwiseConv2d.Pack(new float[pw.WeightLength], default, pw);
        float[] pdw = DepthwiseConv2d.Pack(new float[dw.WeightLength], default, dw), pwin = WinogradConv2d.Pack(new float[dense.WeightLength], default, dense, 4);
        float[] plin = PackedLinear.Pack(new float[4000 * 10], default, 4000, 10);
        var ws = new float[Math.Max(DirectConv2d.WorkspaceLength(dense, TensorLayout.Blocked16), WinogradConv2d.WorkspaceLength(dense, 4))];
        var pooled = new float[Blocked16.Length(40, 25)];
        var dwWorkspace = new float[DepthwiseConv2d.WorkspaceLength(dw)];
        var logits = new float[10];
        var g = new Pool2dGeometry(40, 10, 10, 5, 5, 2, 2, 2, 2, 0, 0, 1, 1);
        void RunAll()
        {
            DirectConv2d.Run(x, y1, pd, default, dense, TensorLayout.Blocked16, DirectConv2d.ChooseTile(dense), default(ReLU), ws);
            WinogradConv2d.Run(x, y1, pwin, y1, dense, 4, default(SiLU), ws);
            PointwiseConv2d.Run(y1, y2, pp, default, pw, TensorLayout.Blocked16, PointwiseConv2d.ChooseTile(pw), default(Sigmoid));
            DepthwiseConv2d.Run(y2, y3, pdw, y2, dw, default(ReLU6), dwWorkspace);
            BlockedPool2d.Max(y3, pooled, g);
            BlockedPool2d.Average(y3, pooled, g, true, 0);
            Broadcast.Channelwise(y2, OperandForm.Full, y3, OperandForm.Full, y3, BinaryOperation.Add, TensorLayout.Blocked16, 40, 100, default(Tanh));
            PackedLinear.Run(y3.AsSpan(0, 4000), logits, plin, 1, 4000, 10, TensorLayout.Chw, default(Identity));
        }

        RunAll();
        long before = GC.GetAllocatedBytesForCurrentThread();
        RunAll();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
