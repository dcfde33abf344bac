// Portable: compiled into the runtime and linked into the generator (netstandard2.0, CONVGEN_GENERATOR).
using System;
using System.Runtime.CompilerServices;

#if CONVGEN_GENERATOR
namespace ConvGen.Generator.Planning;
#else
namespace ConvGen.Runtime.Kernels;
#endif

/// <summary>
/// Depthwise convolution (groups = input channels, any depth multiplier) on <see cref="TensorLayout.Blocked16"/>
/// tensors, vectorised along channels: the rules the generator plans with and the kernel validates.
/// </summary>
public static partial class DepthwiseConv2d
{
    /// <summary>Why the depthwise kernel cannot run <paramref name="g"/>, or null: it needs groups = input channels and output channels a multiple of them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static string? Rejects(in Conv2dGeometry g)
    {
        if (!g.IsDepthwise)
            return $"a depthwise convolution has groups = input channels and output channels a multiple of them, got {g.InChannels} in, {g.OutChannels} out, groups {g.Groups}";
        return null;
    }

    /// <summary>Floats of <c>Pack</c>'s result: per output block <c>[KH][KW][16]</c> weights, then the bias padded to whole blocks.</summary>
    public static int PackedLength(in Conv2dGeometry g)
    {
        g.Validate();
        return PackedLengthUnchecked(g);
    }

    /// <summary><see cref="PackedLength"/> of a geometry already validated (the kernel's <c>Run</c> validates it once per call).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int PackedLengthUnchecked(in Conv2dGeometry g)
    {
        return checked(Blocked16.Blocks(g.OutChannels) * g.KernelHeight * g.KernelWidth * Blocked16.Lanes + Blocked16.PaddedChannels(g.OutChannels));
    }

    /// <summary>Input rows the kernel keeps zero-padded at once: the span of one output row's taps, (KH - 1) * dilation + 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int RingRows(in Conv2dGeometry g) => (g.KernelHeight - 1) * g.DilationHeight + 1;

    /// <summary>
    /// Padded rows the outputs read: (OutHeight - 1) * StrideHeight + <see cref="RingRows"/> (PadTop zero rows, the
    /// input rows, the bottom padding the output height implies).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int PaddedHeight(in Conv2dGeometry g) => (g.OutHeight - 1) * g.StrideHeight + RingRows(g);

    /// <summary>
    /// Most positions of a whole padded plane (16 floats each: 16 KB) for <see cref="PadsWholePlane"/>: with the output
    /// and the next block's input it stays in a 32 KB L1.
    /// </summary>
    public const int WholePlanePositions = 256;

    /// <summary>
    /// Whether the kernel pads one vector's whole input plane at once (its zero borders written once per run, output rows
    /// in pairs) rather than a ring of <see cref="RingRows"/> rows: when the padded plane has at most
    /// <see cref="WholePlanePositions"/> positions. On small maps the ring's per-row bookkeeping and border stores cost
    /// more than the multiply-adds (DS-CNN's 64 x 25 x 5).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool PadsWholePlane(in Conv2dGeometry g) => !TilesBlocks(g) && (long)PaddedHeight(g) * PaddedWidth(g) <= WholePlanePositions;

    /// <summary>
    /// Most output positions (per channel) of a map <see cref="TilesBlocks"/> takes: VWW's 48 -> 24 (24 x 24). Larger
    /// maps (MobileNetV2's 56 -> 28 and 112 -> 56) keep the in-place path (<see cref="ReadsInPlace"/>): the block tiles
    /// measured no faster there.
    /// </summary>
    public const int BlockTileOutputs = 576;

    /// <summary>
    /// Whether the kernel runs tiles of one output row across several channel blocks (<see cref="TileBlocks"/>), reading
    /// the input in place with no padded copy: a three-wide kernel (dilation 1) at stride 2 with at most one padding
    /// column each side, on a map of at most <see cref="BlockTileOutputs"/> output positions. A tap in the padding is
    /// skipped (the tile's first position's left tap, its last position's right tap, the kernel rows off the map), so
    /// nothing is copied or zeroed; the independent accumulators come from the blocks as well as the row's positions.
    /// On such maps (VWW's 48 -> 24 to 6 -> 3, MobileNetV2's 28 -> 14 and 14 -> 7) the plane copy and the per-block
    /// setup cost more than the multiply-adds. Any kernel height, row stride and padding, any vector width.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TilesBlocks(in Conv2dGeometry g) =>
        g.KernelWidth == 3 && g.DilationWidth == 1 && g.StrideWidth == 2 && g.PadLeft <= 1 && g.ImpliedPadRight <= 1
        && (long)g.OutHeight * g.OutWidth <= BlockTileOutputs;

    /// <summary>
    /// Channel blocks of a <see cref="TilesBlocks"/> tile (<see cref="TilePositions"/> positions) at a vector width of
    /// <paramref name="lanes"/>: as many as keep the accumulators within 24 registers at 512 bits (32 registers, less
    /// three weights, an input and spares), 12 narrower (16 registers), at most 4 and at least 1, and no more than the
    /// map has.
    /// </summary>
    public static int TileBlocks(in Conv2dGeometry g, int lanes) => TileBlocks(TilePositions(g), Blocked16.Blocks(g.OutChannels), lanes);

    /// <summary><see cref="TileBlocks(in Conv2dGeometry, int)"/> of a tile of <paramref name="positions"/> on a map of <paramref name="blocks"/> blocks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int TileBlocks(int positions, int blocks, int lanes) =>
        Math.Max(1, Math.Min(Math.Min(4, blocks), (lanes == Blocked16.Lanes ? 24 : 12) / positions));

    /// <summary>
    /// Whether the kernel reads its input rows in place at 512 bits (where a blocked position is one vector) rather than
    /// copying each block into a whole padded plane: a 3x3 kernel at stride 1, dilation 1, padded by one on every side
    /// (PyTorch's <c>padding=1</c>), on a map the whole-plane path takes (<see cref="PadsWholePlane"/>). Each output row
    /// runs in tiles of <see cref="TilePositions"/> (rows in pairs between the first and the last): the first and last
    /// tile of a row skip the padding column beside them, and the first and last output rows run over the two input rows
    /// they reach. On DS-CNN's 25 x 5 the copy was a fifth of the layer, and MobileNetV2's 960 x 7 x 7 ran in 5.1-5.4 µs
    /// instead of 9.2-9.5. Measured slower on larger maps (the ring path's 28 x 28 to 112 x 112: 1.1-1.4x), which keep
    /// the ring; narrower widths keep the padded copies (their positions are `lanes` floats).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool ReadsRowsInPlace(in Conv2dGeometry g) =>
        g.KernelHeight == 3 && g.KernelWidth == 3 && g.StrideHeight == 1 && g.StrideWidth == 1 && g.DilationHeight == 1 && g.DilationWidth == 1
        && g.PadTop == 1 && g.PadLeft == 1 && g.ImpliedPadBottom == 1 && g.ImpliedPadRight == 1 && PadsWholePlane(g);

    /// <summary>
    /// Whether the whole-plane path (<see cref="PadsWholePlane"/>) reads each block's plane in place at 512 bits (where a
    /// blocked position is one vector) instead of copying it into a padded plane: when no tap falls outside the input
    /// (no padding). Narrower widths copy, as a padded plane's position is `lanes` floats.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool ReadsPlaneInPlace(in Conv2dGeometry g) =>
        PadsWholePlane(g) && g.PadTop == 0 && g.PadLeft == 0 && g.ImpliedPadBottom <= 0 && g.ImpliedPadRight <= 0;

    /// <summary>
    /// Whether the kernel reads its input in place at 512 bits (where a blocked position is one vector) instead of
    /// through the ring of padded rows: a three-wide kernel (dilation 1) at stride 2 on a map neither the block tiles
    /// (<see cref="TilesBlocks"/>) nor the whole-plane path take. Its tiles read the input rows themselves, two output
    /// rows at a time, over the <see cref="InteriorColumns"/>; the columns next to the left and right padding run one
    /// position at a time, and rows next to the top or bottom padding read a zero-padded copy of each tile's taps
    /// (<see cref="EdgeLength"/>). At stride 2 the ring's copies cost about as much as the multiply-adds they feed (each
    /// input vector is stored once for 2.25 of them). Measured no faster: stride 1 (9 per store), and small maps, where
    /// the whole padded plane runs every row in pairs. Narrower widths keep the ring.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool ReadsInPlace(in Conv2dGeometry g) =>
        !PadsWholePlane(g) && !TilesBlocks(g) && g.KernelWidth == 3 && g.DilationWidth == 1 && g.StrideWidth == 2;

    /// <summary>
    /// The output columns [First, End) whose three taps at stride 2 all lie inside the input row (none in the left or
    /// right padding); empty when there are none.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (int First, int End) InteriorColumns(in Conv2dGeometry g)
    {
        int first = Math.Min(g.OutWidth, (g.PadLeft + 1) / 2), last = g.InWidth - 3 + g.PadLeft;
        return (first, last < 0 ? first : Math.Max(first, Math.Min(g.OutWidth, last / 2 + 1)));
    }

    /// <summary>Most positions of a tile (one accumulator each).</summary>
    public const int MaxPositions = 8;

    /// <summary>
    /// Positions of a tile: the output row (the interior columns when the kernel <see cref="ReadsInPlace"/>) in equal
    /// tiles of at most <see cref="MaxPositions"/> (12 = 6 + 6, not 8 + 8 overlapping).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int TilePositions(in Conv2dGeometry g)
    {
        (int first, int end) = InteriorColumns(g);
        int width = ReadsInPlace(g) && end > first ? end - first : g.OutWidth;
        int tiles = (width + MaxPositions - 1) / MaxPositions;
        return (width + tiles - 1) / tiles;
    }

    /// <summary>Input columns one tile of a three-wide kernel reads: (positions - 1) * stride + 3.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int TileColumns(in Conv2dGeometry g) => TileColumns(TilePositions(g), g.StrideWidth);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int TileColumns(int positions, int stride) => (positions - 1) * stride + 3;

    /// <summary>Floats of the padded copy a border tile of the in-place path reads: KH rows of <see cref="TileColumns"/> vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int EdgeLength(in Conv2dGeometry g) => checked(g.KernelHeight * TileColumns(g) * Blocked16.Lanes);

    /// <summary>
    /// The path the kernel runs <paramref name="g"/> on at a vector width of <paramref name="lanes"/> floats: the one
    /// dispatch, which <c>Run</c> follows and the step summary prints. The in-place forms of the 512-bit path (a blocked
    /// position is one vector) fall back narrower to the padded copies of the same map: rows in place to the whole padded
    /// plane, the unpadded plane in place to the plane copied, the stride-2 in-place tiles to the ring.
    /// </summary>
    public static DepthwisePath PathOf(in Conv2dGeometry g, int lanes)
    {
        bool wide = lanes == Blocked16.Lanes;
        if (TilesBlocks(g)) return DepthwisePath.BlockTiles;
        if (wide && ReadsRowsInPlace(g)) return DepthwisePath.RowsInPlace;
        if (PadsWholePlane(g)) return wide && ReadsPlaneInPlace(g) ? DepthwisePath.WholePlaneInPlace : DepthwisePath.WholePlane;
        if (wide && ReadsInPlace(g)) return DepthwisePath.StrideTwoInPlace;
        return DepthwisePath.Ring;
    }

    /// <summary>Padded rows the kernel keeps at once: <see cref="PaddedHeight"/> if it <see cref="PadsWholePlane"/>, else <see cref="RingRows"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int BufferedRows(in Conv2dGeometry g) => PadsWholePlane(g) ? PaddedHeight(g) : RingRows(g);

    /// <summary>Positions of a zero-padded input row: PadLeft + InWidth + the right padding the output width implies.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int PaddedWidth(in Conv2dGeometry g) => g.PadLeft + g.InWidth + Math.Max(0, g.ImpliedPadRight);

    /// <summary>
    /// Floats of workspace: a ring of <see cref="BufferedRows"/> zero-padded input rows (16 floats per position) and
    /// <see cref="RingSlack"/> floats to start it on a 64-byte boundary, plus, for a depth multiplier above 1, the input
    /// with each channel repeated multiplier times (blocked, with the output's channel count), which the kernel then
    /// convolves channel by channel.
    /// </summary>
    public static int WorkspaceLength(in Conv2dGeometry g)
    {
        g.Validate();
        return WorkspaceLengthUnchecked(g);
    }

    /// <summary><see cref="WorkspaceLength"/> of a geometry already validated (the kernel's <c>Run</c> validates it once per call).</summary>
    internal static int WorkspaceLengthUnchecked(in Conv2dGeometry g) => WorkspaceAround(RingLength(g), g);

    // The workspace of a ring of ringLength floats: the slack that aligns the ring, the ring, then the expanded input.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int WorkspaceAround(int ringLength, in Conv2dGeometry g)
    {
        long expanded = g.OutChannels == g.InChannels ? 0 : Blocked16.Length(g.OutChannels, g.InHeight * g.InWidth);
        return checked((int)((long)ringLength + RingSlack + expanded));
    }

    /// <summary>
    /// Floats the ring may start past the workspace's start: every tap reads the ring, and a vector load that crosses
    /// a cache line costs two (MobileNetV2's 144 x 56 x 56 with the other buffers 16 bytes past a 64-byte boundary:
    /// 95 µs with the ring aligned, 110 without).
    /// </summary>
    public const int RingSlack = Blocked16.AlignmentSlack;

    /// <summary>Floats of the ring (after up to <see cref="RingSlack"/> floats of slack; the expanded input follows the slack and the ring).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int RingLength(in Conv2dGeometry g) => TilesBlocks(g) ? 0 :
        checked((int)Math.Max((long)BufferedRows(g) * PaddedWidth(g) * Blocked16.Lanes, ReadsInPlace(g) ? (long)EdgeLength(g) : 0));
}

/// <summary>How the blocked depthwise kernel runs a geometry (<see cref="DepthwiseConv2d.PathOf"/>).</summary>
public enum DepthwisePath
{
    /// <summary>Tiles of an output row's positions × channel blocks, the input read in place (<see cref="DepthwiseConv2d.TilesBlocks"/>).</summary>
    BlockTiles,
    /// <summary>3x3 <c>padding=1</c> rows read in place, the padding skipped in the tiles (<see cref="DepthwiseConv2d.ReadsRowsInPlace"/>).</summary>
    RowsInPlace,
    /// <summary>Each vector's input copied into a whole zero-padded plane (<see cref="DepthwiseConv2d.PadsWholePlane"/>).</summary>
    WholePlane,
    /// <summary>The whole-plane path on an unpadded map, each plane read in place (<see cref="DepthwiseConv2d.ReadsPlaneInPlace"/>).</summary>
    WholePlaneInPlace,
    /// <summary>Three-wide stride-2 tiles reading the input rows in place (<see cref="DepthwiseConv2d.ReadsInPlace"/>).</summary>
    StrideTwoInPlace,
    /// <summary>A ring of <see cref="DepthwiseConv2d.RingRows"/> zero-padded input rows.</summary>
    Ring,
}
