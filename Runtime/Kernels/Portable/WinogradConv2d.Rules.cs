// Portable: compiled into the runtime and linked into the generator (netstandard2.0, CONVGEN_GENERATOR).
using System;

#if CONVGEN_GENERATOR
namespace ConvGen.Generator.Planning;
#else
namespace ConvGen.Runtime.Kernels;
#endif

/// <summary>
/// Winograd convolution F(m x m, 3 x 3) for stride-1 3x3 dense layers on <see cref="TensorLayout.Blocked16"/> tensors,
/// m = 2 (16 products per 2x2 outputs) or 4 (36 per 4x4): the rules the generator plans with.
/// </summary>
public static partial class WinogradConv2d
{
    /// <summary>Why F(<paramref name="outputTile"/> x outputTile, 3x3) cannot run <paramref name="g"/>, or null.</summary>
    public static string? Rejects(in Conv2dGeometry g, int outputTile)
    {
        if (outputTile != 2 && outputTile != 4) return $"the output tile is 2 or 4, got {outputTile}";
        if (g.KernelHeight != 3 || g.KernelWidth != 3) return $"Winograd runs 3x3 kernels, got {g.KernelHeight}x{g.KernelWidth}";
        if (g.StrideHeight != 1 || g.StrideWidth != 1) return $"Winograd runs stride 1, got {g.StrideHeight}x{g.StrideWidth}";
        if (g.DilationHeight != 1 || g.DilationWidth != 1) return $"Winograd runs dilation 1, got {g.DilationHeight}x{g.DilationWidth}";
        if (g.Groups != 1) return $"Winograd runs groups = 1, got {g.Groups}";
        return null;
    }

    /// <summary>Transform points per axis: outputTile + 2.</summary>
    public static int Points(int outputTile) => outputTile + 2;

    /// <summary>Floats of <c>Pack</c>'s result: per point, the transformed weights packed as a 1x1 <see cref="DirectConv2d"/>, then the bias padded to whole blocks.</summary>
    public static int PackedLength(in Conv2dGeometry g, int outputTile)
    {
        g.Validate();
        return PackedLengthUnchecked(g, outputTile);
    }

    /// <summary><see cref="PackedLength"/> of a geometry already validated (the kernel's <c>Run</c> validates it once per call).</summary>
    internal static int PackedLengthUnchecked(in Conv2dGeometry g, int outputTile)
    {
        int n = Points(outputTile);
        return checked(n * n * PointWeights(g) + Blocked16.PaddedChannels(g.OutChannels));
    }

    /// <summary>Output tiles per row and rows of tiles.</summary>
    public static int TilesPerRow(in Conv2dGeometry g, int outputTile) => (g.OutWidth + outputTile - 1) / outputTile;

    /// <summary>Rows of output tiles transformed and multiplied together: at least 16 tiles per chunk, so each product has positions enough for a register tile.</summary>
    public static int ChunkRows(in Conv2dGeometry g, int outputTile)
    {
        int perRow = TilesPerRow(g, outputTile), rows = (g.OutHeight + outputTile - 1) / outputTile;
        return Math.Min(rows, Math.Max(1, (16 + perRow - 1) / perRow));
    }

    /// <summary>Floats of workspace: the transformed input and products of one chunk of tiles, and a zero bias.</summary>
    public static int WorkspaceLength(in Conv2dGeometry g, int outputTile)
    {
        g.Validate();
        return WorkspaceLengthUnchecked(g, outputTile);
    }

    /// <summary><see cref="WorkspaceLength"/> of a geometry already validated (the kernel's <c>Run</c> validates it once per call).</summary>
    internal static int WorkspaceLengthUnchecked(in Conv2dGeometry g, int outputTile)
    {
        int n = Points(outputTile), tiles = ChunkRows(g, outputTile) * TilesPerRow(g, outputTile);
        long v = (long)n * n * Blocked16.Blocks(g.InChannels) * tiles * Blocked16.Lanes;
        long m = (long)n * n * Blocked16.Blocks(g.OutChannels) * tiles * Blocked16.Lanes;
        return checked((int)(v + m + Blocked16.PaddedChannels(g.OutChannels)));
    }

    /// <summary>The register tile of each point's product (positions are the chunk's tiles).</summary>
    public static ConvTile ProductTile(in Conv2dGeometry g, int outputTile) =>
        DirectConv2d.ChooseTile(Blocked16.Blocks(g.OutChannels), ChunkRows(g, outputTile) * TilesPerRow(g, outputTile), 1, g.InChannels);

    /// <summary>
    /// Whether F(outputTile) is estimated faster than the direct convolution with its chosen tile: the products'
    /// cycles (the direct cost rule on n*n products over the tiles, plus 150 cycles to set up each) plus the
    /// transforms (per point, about 1.5(n + 1) cycles per input block and 0.75(n + m + 2) per output block, fitted to
    /// measurements on ResNet-8's layers), against the direct cost.
    /// </summary>
    public static bool Pays(in Conv2dGeometry g, int outputTile)
    {
        if (Rejects(g, outputTile) is not null) return false;
        return EstimatedCycles(g, outputTile) < DirectCycles(g);
    }

    /// <summary>The direct convolution's estimated cycles (<see cref="DirectConv2d.TileCost"/> with its chosen tile).</summary>
    public static double DirectCycles(in Conv2dGeometry g) =>
        DirectConv2d.TileCost(DirectConv2d.ChooseTile(g), Blocked16.Blocks(g.OutChannelsPerGroup), g.OutWidth, g.OutHeight, g.InChannelsPerGroup * 9) * g.Groups;

    /// <summary>Winograd's estimated cycles for <paramref name="outputTile"/>.</summary>
    public static double EstimatedCycles(in Conv2dGeometry g, int outputTile)
    {
        int n = Points(outputTile), perRow = TilesPerRow(g, outputTile);
        int tileRows = (g.OutHeight + outputTile - 1) / outputTile, chunk = ChunkRows(g, outputTile);
        int inBlocks = Blocked16.Blocks(g.InChannels), outBlocks = Blocked16.Blocks(g.OutChannels);
        double cycles = 0;
        for (int r = 0; r < tileRows; r += chunk)
        {
            int tiles = Math.Min(chunk, tileRows - r) * perRow;
            ConvTile tile = DirectConv2d.ChooseTile(outBlocks, tiles, 1, g.InChannels);
            cycles += n * n * (DirectConv2d.TileCost(tile, outBlocks, tiles, 1, g.InChannels) + 150);
            cycles += tiles * (inBlocks * n * n * 1.5 * (n + 1) + outBlocks * n * n * 0.75 * (n + outputTile + 2));
        }

        return cycles;
    }

    /// <summary>The output tile the cost rule picks: 4 or 2 where it pays (4 preferred when both do), else 0 (use the direct convolution).</summary>
    public static int ChooseOutputTile(in Conv2dGeometry g)
    {
        bool four = Pays(g, 4), two = Pays(g, 2);
        if (four && (!two || EstimatedCycles(g, 4) <= EstimatedCycles(g, 2))) return 4;
        return two ? 2 : 0;
    }

    private static int PointWeights(in Conv2dGeometry g) =>
        Blocked16.Blocks(g.OutChannels) * Blocked16.Blocks(g.InChannels) * Math.Min(g.InChannels, Blocked16.Lanes) * Blocked16.Lanes;
}
