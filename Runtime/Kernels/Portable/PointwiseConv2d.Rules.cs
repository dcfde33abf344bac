// Portable: compiled into the runtime and linked into the generator (netstandard2.0, CONVGEN_GENERATOR).
using System;
using System.Runtime.CompilerServices;

#if CONVGEN_GENERATOR
namespace ConvGen.Generator.Planning;
#else
namespace ConvGen.Runtime.Kernels;
#endif

/// <summary>
/// Pointwise convolution (1x1 kernel, stride 1, no padding) as a GEMM over the flattened positions: the direct
/// convolution's micro-kernel with the map seen as one row of H*W positions, so a tile never stops at a row edge and
/// maps of 7x7, 3x3 or 1x1 keep every lane busy (channels are on the lanes). Same packed weights as
/// <see cref="DirectConv2d"/>.
/// </summary>
public static partial class PointwiseConv2d
{
    /// <summary>Why the pointwise kernel cannot run <paramref name="g"/>, or null.</summary>
    public static string? Rejects(in Conv2dGeometry g, TensorLayout inputLayout)
    {
        if (!g.IsPointwise)
            return $"a pointwise convolution has a 1x1 kernel, stride 1 and no padding, got kernel {g.KernelHeight}x{g.KernelWidth}, stride {g.StrideHeight}x{g.StrideWidth}, pad {g.PadTop},{g.PadLeft}";
        return DirectConv2d.Rejects(g, inputLayout);
    }

    /// <summary>Floats of the packed weights and bias (those of <see cref="DirectConv2d.PackedLength"/>).</summary>
    public static int PackedLength(in Conv2dGeometry g) => DirectConv2d.PackedLength(g);

    /// <summary>Why <paramref name="tile"/> cannot run <paramref name="g"/>, or null: positions at most H*W.</summary>
    public static string? TileRejects(in Conv2dGeometry g, ConvTile tile) =>
        DirectConv2d.TileRejects(tile, Blocked16.Blocks(g.OutChannelsPerGroup), g.OutHeight * g.OutWidth);

    /// <summary>The tile the cost rule (<see cref="DirectConv2d.TileCost"/>) picks for <paramref name="g"/>.</summary>
    public static ConvTile ChooseTile(in Conv2dGeometry g) =>
        DirectConv2d.ChooseTile(Blocked16.Blocks(g.OutChannelsPerGroup), g.OutHeight * g.OutWidth, 1, g.InChannelsPerGroup);

    /// <summary>Most input channels of the short-reduction CHW form (<see cref="HoldsWeightsInRegisters"/>).</summary>
    public const int MostShortReductionChannels = 8;

    /// <summary>
    /// Whether the 512-bit path runs <paramref name="g"/> in the short-reduction CHW form: a CHW input of at most
    /// <see cref="MostShortReductionChannels"/> channels and one group. Per output block its weight vectors and bias stay
    /// in registers for the whole map, a tile is 16 consecutive positions (one broadcast per multiply-add, each at a
    /// constant displacement from its channel's plane), so a short reduction no longer pays the general tile's set-up
    /// and epilogue per 8 steps; the tile argument is then unused. Narrower paths run the general tile.
    /// </summary>
    public static bool HoldsWeightsInRegisters(in Conv2dGeometry g, TensorLayout inputLayout) =>
        inputLayout == TensorLayout.Chw && g.Groups == 1 && g.InChannels <= MostShortReductionChannels;

    /// <summary>The geometry the kernel runs: one row of H*W positions.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Conv2dGeometry Flattened(in Conv2dGeometry g) =>
        new(g.InChannels, 1, g.InHeight * g.InWidth, g.OutChannels, 1, g.OutHeight * g.OutWidth, 1, 1, 1, 1, 0, 0, 1, 1, g.Groups);
}
