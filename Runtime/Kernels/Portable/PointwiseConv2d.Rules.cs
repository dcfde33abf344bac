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

    /// <summary>The geometry the kernel runs: one row of H*W positions.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Conv2dGeometry Flattened(in Conv2dGeometry g) =>
        new(g.InChannels, 1, g.InHeight * g.InWidth, g.OutChannels, 1, g.OutHeight * g.OutWidth, 1, 1, 1, 1, 0, 0, 1, 1, g.Groups);
}
