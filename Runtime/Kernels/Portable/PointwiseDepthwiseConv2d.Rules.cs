// Portable: compiled into the runtime and linked into the generator (netstandard2.0, CONVGEN_GENERATOR).
using System;

#if CONVGEN_GENERATOR
namespace ConvGen.Generator.Planning;
#else
namespace ConvGen.Runtime.Kernels;
#endif

/// <summary>
/// A pointwise (1x1) convolution and the depthwise convolution that reads only its output, run as one step on
/// <see cref="TensorLayout.Blocked16"/> tensors (MobileNetV2's expansion and the depthwise after it): the rules the
/// generator plans with and the kernel validates.
/// </summary>
public static partial class PointwiseDepthwiseConv2d
{
    /// <summary>
    /// Least size of the pointwise output (bytes, blocked) for which the step is fused (512 KB). KernelBench, 512 bits:
    /// MobileNetV2's 112x112x96 (4.8 MB) 295 against 347-386 µs for the two kernels, 56x56x144 180 against 202,
    /// 28x28x192 (602 KB) 70 against 80; from 14x14x384 (301 KB) down they tie, and on VWW's and DS-CNN's small maps
    /// (32-72 KB) the kernels' own forms (flattened pointwise tiles, the small-map depthwise paths) are up to 1.2x faster.
    /// </summary>
    public const long FusedIntermediateBytes = 1L << 19;

    /// <summary>Most input blocks of the pointwise convolution (16,384 channels): the kernel's table of them is on the stack.</summary>
    public const int MostInputBlocks = 1024;

    /// <summary>Most floats of one channel block's band of padded rows (48 KB: the pointwise writes it, the depthwise reads it from L1/L2).</summary>
    public const int BandFloats = 12 * 1024;

    /// <summary>
    /// Why <paramref name="pointwise"/> then <paramref name="depthwise"/> cannot run fused, or null: a 1x1 stride-1
    /// unpadded convolution of one group with a blocked input, then a depthwise convolution of depth multiplier 1 on its
    /// whole output.
    /// </summary>
    public static string? Rejects(in Conv2dGeometry pointwise, in Conv2dGeometry depthwise)
    {
        if (!pointwise.IsPointwise || pointwise.Groups != 1)
            return $"the first convolution is not a 1x1, stride-1, unpadded convolution of one group";
        if (Blocked16.Blocks(pointwise.InChannels) > MostInputBlocks)
            return $"the pointwise convolution has {pointwise.InChannels} input channels, more than {MostInputBlocks * Blocked16.Lanes} (its tap table stays on the stack)";
        if (!depthwise.IsDepthwise || depthwise.OutChannels != depthwise.InChannels)
            return "the second convolution is not a depthwise convolution of depth multiplier 1";
        if (depthwise.InChannels != pointwise.OutChannels || depthwise.InHeight != pointwise.OutHeight || depthwise.InWidth != pointwise.OutWidth)
            return $"the depthwise convolution reads {depthwise.InChannels}x{depthwise.InHeight}x{depthwise.InWidth}, the pointwise writes {pointwise.OutChannels}x{pointwise.OutHeight}x{pointwise.OutWidth}";
        return null;
    }

    /// <summary>
    /// Whether the planner fuses the pair: <see cref="Rejects"/> accepts it and the pointwise output (blocked) is at
    /// least <see cref="FusedIntermediateBytes"/>: writing it and reading it back would leave L1 and the nearer half of L2.
    /// </summary>
    public static bool Fuses(in Conv2dGeometry pointwise, in Conv2dGeometry depthwise) =>
        Rejects(pointwise, depthwise) is null
        && (long)Blocked16.PaddedChannels(pointwise.OutChannels) * pointwise.OutHeight * pointwise.OutWidth * sizeof(float) >= FusedIntermediateBytes;

    /// <summary>The pointwise tile of the fused step: the direct kernel's tile for the pointwise over rows (a band's rows are not contiguous in the output).</summary>
    public static ConvTile ChooseTile(in Conv2dGeometry pointwise) => DirectConv2d.ChooseTile(pointwise);

    /// <summary>Output rows of the depthwise per band: as many as keep <see cref="BandFloats"/> per block, at least one.</summary>
    public static int BandRows(in Conv2dGeometry depthwise)
    {
        long row = (long)DepthwiseConv2d.PaddedWidth(depthwise) * Blocked16.Lanes;
        long rows = BandFloats / row;
        // A band of b output rows holds (b - 1) * stride + RingRows padded rows.
        long bands = (rows - DepthwiseConv2d.RingRows(depthwise)) / depthwise.StrideHeight + 1;
        return (int)Math.Max(1, Math.Min(depthwise.OutHeight, bands));
    }

    /// <summary>Padded rows a band holds: (BandRows - 1) * stride + RingRows.</summary>
    public static int BandHeight(in Conv2dGeometry depthwise) => (BandRows(depthwise) - 1) * depthwise.StrideHeight + DepthwiseConv2d.RingRows(depthwise);

    /// <summary>
    /// Workspace floats: a band of padded rows per block of the tile (and a vector to align it), then, for the widths
    /// below 512 bits, one block's packed depthwise weights and bias and the workspace of the depthwise kernel they run
    /// on one block's band (<see cref="BandGeometry"/>, the full band and the last).
    /// </summary>
    public static int WorkspaceLength(in Conv2dGeometry pointwise, in Conv2dGeometry depthwise, ConvTile tile)
    {
        pointwise.Validate();
        depthwise.Validate();
        return WorkspaceLengthUnchecked(pointwise, depthwise, tile);
    }

    /// <summary><see cref="WorkspaceLength"/> of geometries already validated (the kernel's <c>Run</c> validates them once per call).</summary>
    internal static int WorkspaceLengthUnchecked(in Conv2dGeometry pointwise, in Conv2dGeometry depthwise, ConvTile tile)
    {
        int rows = BandRows(depthwise), last = depthwise.OutHeight - (depthwise.OutHeight - 1) / rows * rows;
        long bands = BandsLength(pointwise, depthwise, tile) + Blocked16.Lanes;
        long narrow = (long)(depthwise.KernelHeight * depthwise.KernelWidth + 1) * Blocked16.Lanes
            + Math.Max(DepthwiseConv2d.WorkspaceLengthUnchecked(BandGeometry(depthwise, rows)), DepthwiseConv2d.WorkspaceLengthUnchecked(BandGeometry(depthwise, last)));
        return checked((int)(bands + narrow));
    }

    /// <summary>Floats of the bands: <c>min(tile.Blocks, blocks) * BandHeight * PaddedWidth * 16</c>.</summary>
    public static long BandsLength(in Conv2dGeometry pointwise, in Conv2dGeometry depthwise, ConvTile tile) =>
        (long)Math.Min(tile.Blocks, Blocked16.Blocks(pointwise.OutChannels)) * BandHeight(depthwise) * DepthwiseConv2d.PaddedWidth(depthwise) * Blocked16.Lanes;

    /// <summary>
    /// The depthwise convolution of one block's band of <paramref name="rows"/> output rows as a map of its own: 16
    /// channels, the band's padded rows and width, no padding (the band holds it).
    /// </summary>
    public static Conv2dGeometry BandGeometry(in Conv2dGeometry depthwise, int rows) =>
        new(Blocked16.Lanes, (rows - 1) * depthwise.StrideHeight + DepthwiseConv2d.RingRows(depthwise), DepthwiseConv2d.PaddedWidth(depthwise),
            Blocked16.Lanes, rows, depthwise.OutWidth, depthwise.KernelHeight, depthwise.KernelWidth, depthwise.StrideHeight, depthwise.StrideWidth,
            0, 0, depthwise.DilationHeight, depthwise.DilationWidth, Blocked16.Lanes);

}
