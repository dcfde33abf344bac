// Portable: compiled into the runtime and linked into the generator (netstandard2.0, CONVGEN_GENERATOR): which
// geometries the CHW depthwise register tile takes, its packed weight length and workspace, written once.
using System;

#if CONVGEN_GENERATOR
namespace ConvGen.Generator.Planning;
#else
namespace ConvGen.Runtime.Kernels;
#endif

/// <summary>
/// Depthwise convolution CHW → CHW with positions on the lanes (maps with few channels, too few to fill the blocked
/// kernel's 16 lanes): each input plane is copied once into a zero-padded plane, then a register tile of
/// <see cref="TileRows"/> output rows × <see cref="TileVectors"/> vectors of a row accumulates the padded rows read at
/// each tap's offset times a broadcast weight. The rules the generator plans with and the kernel validates.
/// </summary>
public static partial class PlaneDepthwiseConv2d
{
    /// <summary>Output rows of the register tile (3×3 taps, dilation 1: each loaded input row feeds both rows).</summary>
    public const int TileRows = 2;

    /// <summary>Vectors along an output row in the register tile.</summary>
    public const int TileVectors = 3;

    /// <summary>
    /// The least share of the lanes (at 16 lanes) that must carry outputs for the planner to pick this kernel over the
    /// runtime-picked CHW depthwise forms: the row's vectors, the last one shifted back to end at the row's end,
    /// recompute the overlap.
    /// </summary>
    public const double MinimumLaneUse = 0.75;

    /// <summary>
    /// Why the kernel cannot run <paramref name="g"/>, or null: depthwise (groups = input channels, any depth
    /// multiplier), stride 1 and output rows at least 16 wide (every vector of a row lies inside it).
    /// </summary>
    public static string? Rejects(in Conv2dGeometry g)
    {
        if (!g.IsDepthwise) return $"groups must equal the input channels ({g.InChannels}), got {g.Groups}";
        if (g.StrideHeight != 1 || g.StrideWidth != 1) return $"stride must be 1x1, got {g.StrideHeight}x{g.StrideWidth}";
        if (g.OutWidth < Blocked16.Lanes) return $"output rows must be at least {Blocked16.Lanes} wide, got {g.OutWidth}";
        return null;
    }

    /// <summary>The share of the lanes (at 16 lanes) that carry new outputs of <paramref name="g"/>'s rows.</summary>
    public static double LaneUse(in Conv2dGeometry g) =>
        (double)g.OutWidth / ((g.OutWidth + Blocked16.Lanes - 1) / Blocked16.Lanes * Blocked16.Lanes);

    /// <summary>
    /// Whether the planner picks this kernel for a CHW depthwise convolution: it takes the geometry (<see cref="Rejects"/>)
    /// and its vectors use at least <see cref="MinimumLaneUse"/> of their lanes (<see cref="LaneUse"/>).
    /// </summary>
    public static bool Suits(in Conv2dGeometry g) => Rejects(g) is null && LaneUse(g) >= MinimumLaneUse;

    /// <summary>Floats of <c>Pack</c>'s result: the weights as PyTorch orders them (<c>[OutChannels, 1, KH, KW]</c>), then the bias (zeros when none).</summary>
    public static int PackedLength(in Conv2dGeometry g)
    {
        g.Validate();
        return checked(g.WeightLength + g.OutChannels);
    }

    /// <summary>Rows of the zero-padded plane: every input row a tap of an output row touches.</summary>
    public static int PaddedHeight(in Conv2dGeometry g) => checked(g.OutHeight + (g.KernelHeight - 1) * g.DilationHeight);

    /// <summary>
    /// Floats before an input row's first column in the padded plane: the left padding rounded up to 16 floats, so that
    /// the rows start 64 bytes apart from the plane's start and the centre tap's loads are aligned.
    /// </summary>
    public static int Front(in Conv2dGeometry g) => (g.PadLeft + Blocked16.Lanes - 1) / Blocked16.Lanes * Blocked16.Lanes;

    /// <summary>
    /// Floats from one padded row to the next: the front, then the input columns or the columns the taps reach
    /// (whichever is more, the right padding being zeros), rounded up to 16.
    /// </summary>
    public static int RowStride(in Conv2dGeometry g)
    {
        int reach = checked(g.OutWidth + (g.KernelWidth - 1) * g.DilationWidth - g.PadLeft);
        return checked((Front(g) + Math.Max(g.InWidth, reach) + Blocked16.Lanes - 1) / Blocked16.Lanes * Blocked16.Lanes);
    }

    /// <summary>Floats of workspace <c>Run</c> needs: one zero-padded plane, reused for every input channel.</summary>
    public static int WorkspaceLength(in Conv2dGeometry g)
    {
        g.Validate();
        return checked(PaddedHeight(g) * RowStride(g));
    }
}
