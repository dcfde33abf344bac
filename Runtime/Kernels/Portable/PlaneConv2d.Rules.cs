// Portable: compiled into the runtime and linked into the generator (netstandard2.0, CONVGEN_GENERATOR): which
// geometries the CHW direct convolution takes, its packed weight length and workspace, written once.
using System;

#if CONVGEN_GENERATOR
namespace ConvGen.Generator.Planning;
#else
namespace ConvGen.Runtime.Kernels;
#endif

/// <summary>
/// Direct convolution CHW → CHW with positions on the lanes (first layers with few input and output channels): a
/// register tile of <see cref="TileChannels"/> output channels × <see cref="TileRows"/> output rows ×
/// <see cref="TileVectors"/> vectors of a row accumulates, per input channel and kernel tap, a broadcast weight times
/// the input row read at the tap's offset. The rules the generator plans with and the kernel validates.
/// </summary>
public static partial class PlaneConv2d
{
    /// <summary>Output channels of the register tile (each input vector feeds this many multiply-adds).</summary>
    public const int TileChannels = 3;

    /// <summary>Output rows of the register tile.</summary>
    public const int TileRows = 2;

    /// <summary>Vectors along an output row in the register tile.</summary>
    public const int TileVectors = 2;

    /// <summary>
    /// The least share of the tile's lanes (at 16 lanes) that must carry outputs for this kernel to be chosen over the
    /// GEMM forms: channels of the <see cref="TileChannels"/>-channel groups × rows of the row pairs × columns of the
    /// two-vector row chunks. Below it the tile computes too many outputs it throws away.
    /// </summary>
    public const double MinimumLaneUse = 0.75;

    /// <summary>
    /// Why the kernel cannot run <paramref name="g"/>, or null: it needs groups = 1, stride 1 and output rows at
    /// least 16 wide (every vector of a row lies inside it: the last one is shifted back to end at the row's end).
    /// </summary>
    public static string? Rejects(in Conv2dGeometry g)
    {
        if (g.Groups != 1) return $"groups must be 1, got {g.Groups}";
        if (g.StrideHeight != 1 || g.StrideWidth != 1) return $"stride must be 1x1, got {g.StrideHeight}x{g.StrideWidth}";
        if (g.OutWidth < Blocked16.Lanes) return $"output rows must be at least {Blocked16.Lanes} wide, got {g.OutWidth}";
        return null;
    }

    /// <summary>
    /// Whether the planner picks this kernel for a CHW convolution: it takes the geometry (<see cref="Rejects"/>) and
    /// uses at least <see cref="MinimumLaneUse"/> of its tile (<see cref="LaneUse"/>).
    /// </summary>
    public static bool Suits(in Conv2dGeometry g) => Rejects(g) is null && LaneUse(g) >= MinimumLaneUse;

    /// <summary>The share of the register tile's lanes (at 16 lanes) that carry outputs of <paramref name="g"/>.</summary>
    public static double LaneUse(in Conv2dGeometry g)
    {
        int chunk = TileVectors * Blocked16.Lanes;
        double channels = (double)g.OutChannels / (Groups(g.OutChannels, TileChannels) * TileChannels);
        double rows = (double)g.OutHeight / (Groups(g.OutHeight, TileRows) * TileRows);
        double columns = (double)g.OutWidth / (Groups(g.OutWidth, chunk) * chunk);
        return channels * rows * columns;
    }

    /// <summary>Floats of <c>Pack</c>'s result: the weights as PyTorch orders them, then the bias (zeros when none).</summary>
    public static int PackedLength(in Conv2dGeometry g)
    {
        g.Validate();
        return PackedLengthUnchecked(g);
    }

    /// <summary><see cref="PackedLength"/> of a geometry already validated (the kernel's <c>Run</c> validates it once per call).</summary>
    internal static int PackedLengthUnchecked(in Conv2dGeometry g)
    {
        return checked(g.WeightLength + g.OutChannels);
    }

    /// <summary>Rows of the zero-padded input plane the kernel reads: every row a tap of an output row touches.</summary>
    public static int PaddedHeight(in Conv2dGeometry g) => g.OutHeight + (g.KernelHeight - 1) * g.DilationHeight;

    /// <summary>Columns of the zero-padded input plane the kernel reads.</summary>
    public static int PaddedWidth(in Conv2dGeometry g) => g.OutWidth + (g.KernelWidth - 1) * g.DilationWidth;

    /// <summary>
    /// Floats of workspace <c>Run</c> and <c>RunPooled</c> need: the zero-padded input planes, then the tile's output
    /// rows (<see cref="TileChannels"/> × <see cref="TileRows"/> × OutWidth) that the pooled form pools from.
    /// </summary>
    public static int WorkspaceLength(in Conv2dGeometry g)
    {
        g.Validate();
        return WorkspaceLengthUnchecked(g);
    }

    /// <summary><see cref="WorkspaceLength"/> of a geometry already validated (the kernel's <c>Run</c> validates it once per call).</summary>
    internal static int WorkspaceLengthUnchecked(in Conv2dGeometry g)
    {
        return checked(g.InChannels * PaddedHeight(g) * PaddedWidth(g) + TileChannels * TileRows * g.OutWidth);
    }

    /// <summary>
    /// Why <c>RunPooled</c> (a 2×2, stride-2 max pool of the activated output, fused into the store) cannot run
    /// <paramref name="g"/>, or null: the kernel must take it and the output must have an even height and width (each
    /// row pair of the tile is one pooled row, each window lies inside the output).
    /// </summary>
    public static string? PoolRejects(in Conv2dGeometry g)
    {
        if (Rejects(g) is { } problem) return problem;
        if (g.OutHeight % 2 != 0 || g.OutWidth % 2 != 0) return $"a fused 2x2 pool needs an even output size, got {g.OutHeight}x{g.OutWidth}";
        return null;
    }

    /// <summary>Floats of <c>RunPooled</c>'s output: OutChannels × OutHeight/2 × OutWidth/2.</summary>
    public static int PooledOutputLength(in Conv2dGeometry g) => checked(g.OutChannels * (g.OutHeight / 2) * (g.OutWidth / 2));

    private static int Groups(int count, int size) => (count + size - 1) / size;
}
