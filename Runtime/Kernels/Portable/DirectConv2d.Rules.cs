// Portable: compiled into the runtime and linked into the generator (netstandard2.0, CONVGEN_GENERATOR): which
// geometries the direct convolution accepts, its packed weight length, workspace and tile rules, written once.
using System;
using System.Runtime.CompilerServices;

#if CONVGEN_GENERATOR
namespace ConvGen.Generator.Planning;
#else
namespace ConvGen.Runtime.Kernels;
#endif

/// <summary>
/// Direct convolution to a <see cref="TensorLayout.Blocked16"/> output, from a blocked input or a CHW one (first
/// layers with a few channels): the rules the generator plans with and the kernel validates.
/// </summary>
public static partial class DirectConv2d
{
    /// <summary>
    /// Why the direct convolution cannot run <paramref name="g"/> from an <paramref name="inputLayout"/> input, or null
    /// when it can. It runs any kernel, stride, padding and dilation; groups = 1, or (blocked input) groups whose input
    /// and output channels are both multiples of 16.
    /// </summary>
    public static string? Rejects(in Conv2dGeometry g, TensorLayout inputLayout)
    {
        if (g.Groups == 1) return null;
        if (inputLayout == TensorLayout.Chw)
            return $"a CHW input needs groups = 1, got {g.Groups}";
        if (g.InChannelsPerGroup % Blocked16.Lanes != 0 || g.OutChannelsPerGroup % Blocked16.Lanes != 0)
            return $"groups = {g.Groups} needs input and output channels per group that are multiples of 16, got {g.InChannelsPerGroup} and {g.OutChannelsPerGroup}";
        return null;
    }

    /// <summary>Input channels per tap of the packed weights: 16 per input block, or all of them when a group has fewer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int RowsPerTap(in Conv2dGeometry g) => Math.Min(g.InChannelsPerGroup, Blocked16.Lanes);

    /// <summary>
    /// Floats of <c>Pack</c>'s result: per group, output block and input block, <c>[KH][KW][RowsPerTap][16]</c> weights
    /// (16 output channels per reduction step, zero past the group's channels), then the bias padded to whole blocks.
    /// </summary>
    public static int PackedLength(in Conv2dGeometry g)
    {
        g.Validate();
        return PackedLengthUnchecked(g);
    }

    /// <summary><see cref="PackedLength"/> of a geometry already validated (the kernel's <c>Run</c> validates it once per call).</summary>
    internal static int PackedLengthUnchecked(in Conv2dGeometry g)
    {
        int outBlocks = Blocked16.Blocks(g.OutChannelsPerGroup), inBlocks = Blocked16.Blocks(g.InChannelsPerGroup);
        long weights = (long)g.Groups * outBlocks * inBlocks * g.KernelHeight * g.KernelWidth * RowsPerTap(g) * Blocked16.Lanes;
        return checked((int)(weights + Blocked16.PaddedChannels(g.OutChannels)));
    }

    /// <summary>
    /// Whether the kernel reads a zero-padded copy of its input (in the workspace): when any tap falls outside the
    /// input, i.e. some padding is used.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool CopiesInput(in Conv2dGeometry g) =>
        g.PadTop > 0 || g.PadLeft > 0 || g.ImpliedPadBottom > 0 || g.ImpliedPadRight > 0;

    /// <summary>Rows of the input the kernel reads: the padded rows when it copies, else the input's.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int PaddedHeight(in Conv2dGeometry g) =>
        CopiesInput(g) ? g.PadTop + g.InHeight + Math.Max(0, g.ImpliedPadBottom) : g.InHeight;

    /// <summary>Columns of the input the kernel reads: the padded columns when it copies, else the input's.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int PaddedWidth(in Conv2dGeometry g) =>
        CopiesInput(g) ? g.PadLeft + g.InWidth + Math.Max(0, g.ImpliedPadRight) : g.InWidth;

    /// <summary>Floats of workspace <c>Run</c> needs: the zero-padded input copy, in the input's layout, or 0.</summary>
    public static int WorkspaceLength(in Conv2dGeometry g, TensorLayout inputLayout)
    {
        g.Validate();
        return WorkspaceLengthUnchecked(g, inputLayout);
    }

    /// <summary><see cref="WorkspaceLength"/> of a geometry already validated (the kernel's <c>Run</c> validates it once per call).</summary>
    internal static int WorkspaceLengthUnchecked(in Conv2dGeometry g, TensorLayout inputLayout)
    {
        if (!CopiesInput(g)) return 0;
        long plane = (long)PaddedHeight(g) * PaddedWidth(g);
        long length = inputLayout == TensorLayout.Blocked16
            ? Blocked16.Blocks(g.InChannels) * plane * Blocked16.Lanes
            : g.InChannels * plane;
        return checked((int)length);
    }

    /// <summary>
    /// Why <paramref name="tile"/> cannot run <paramref name="g"/>, or null: it must be legal
    /// (<see cref="ConvTile.IsLegal"/>), have no more blocks than a group has output blocks and no more positions
    /// than an output row.
    /// </summary>
    public static string? TileRejects(in Conv2dGeometry g, ConvTile tile) => TileRejects(tile, Blocked16.Blocks(g.OutChannelsPerGroup), g.OutWidth);

    /// <summary>The tile the cost rule (<see cref="TileCost"/>) picks for <paramref name="g"/>.</summary>
    public static ConvTile ChooseTile(in Conv2dGeometry g) =>
        ChooseTile(Blocked16.Blocks(g.OutChannelsPerGroup), g.OutWidth, g.OutHeight, g.InChannelsPerGroup * g.KernelHeight * g.KernelWidth);

    internal static string? TileRejects(ConvTile tile, int blocks, int columns)
    {
        if (!tile.IsLegal)
            return $"tile {tile} is not legal (1..{ConvTile.MaxBlocks} blocks, 1..{ConvTile.MaxPositions} positions, accumulators, weights and a broadcast in {ConvTile.VectorRegisters} registers)";
        if (tile.Blocks > blocks) return $"tile {tile} has more blocks than the {blocks} output block(s) per group";
        if (tile.Positions > columns) return $"tile {tile} has more positions than the {columns} per output row";
        return null;
    }

    internal static ConvTile ChooseTile(int blocks, int columns, int rows, int steps)
    {
        ConvTile best = new(1, 1);
        double bestCost = double.MaxValue;
        for (int r = 1; r <= Math.Min(ConvTile.MaxBlocks, blocks); r++)
        {
            for (int p = 1; p <= Math.Min(ConvTile.MaxPositions, columns); p++)
            {
                var tile = new ConvTile(r, p);
                if (!tile.IsLegal) continue;
                double cost = TileCost(tile, blocks, columns, rows, steps);
                if (cost < bestCost - 1e-9) { bestCost = cost; best = tile; }
            }
        }

        return best;
    }

    /// <summary>
    /// Estimated cycles of the 512-bit path for <paramref name="blocks"/> output blocks over rows x columns positions,
    /// <paramref name="steps"/> reduction steps each: per tile and step, the larger of the multiply-adds (two per
    /// cycle) and the loads (weight vectors and broadcasts, measured at about 1.5 per cycle on the Zen 5 machine, which
    /// makes one-block tiles load-bound), plus a cycle of loop and addressing; per tile, 20 cycles of call, bias and
    /// stores. The last tile of a row computes a whole tile; the blocks left after whole tiles run as a narrower tile.
    /// </summary>
    public static double TileCost(ConvTile tile, int blocks, int columns, int rows, int steps)
    {
        int tilesPerRow = (columns + tile.Positions - 1) / tile.Positions;
        double cost = 0;
        int full = blocks / tile.Blocks, rest = blocks % tile.Blocks;
        cost += full * TileCycles(tile.Blocks, tile.Positions, steps);
        if (rest > 0) cost += TileCycles(rest, tile.Positions, steps);
        return cost * tilesPerRow * rows;
    }

    private static double TileCycles(int r, int p, int steps) =>
        steps * (Math.Max(r * p / 2.0, (r + p) / 1.5) + 1.0) + 20.0;
}
