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
/// kernel's 16 lanes): each input plane is copied once into a zero-padded plane, then a register tile (3×3: <see
/// cref="TileRows"/> output rows × one vector; other kernels: one row × <see cref="RowTileVectors"/> vectors)
/// accumulates the padded rows read at each tap's offset times a broadcast weight. The rules the generator plans with
/// and the kernel validates.
/// </summary>
public static partial class PlaneDepthwiseConv2d
{
    /// <summary>
    /// Output rows of the 3×3 register tile (dilation 1; one vector wide): its six input rows are each loaded once and
    /// feed up to three of them (4.5 loads per output vector, against 9 for one row).
    /// </summary>
    public const int TileRows = 4;

    /// <summary>
    /// The 3×3 tile at 512 bits instead (dilation 1): up to this many vectors of a row streamed down the padded plane,
    /// each padded row loaded once (3 loads per output vector, against 4.5) and fed into the three output rows it belongs
    /// to, three sums per vector in flight (9 accumulators, 9 weights and the bias fit the 32 registers, not the 16 of
    /// the narrower paths). KernelBench, VWW's 8×48×48: 0.87× the time of the four-row tile.
    /// </summary>
    public const int StreamVectors = 3;

    /// <summary>
    /// Whether the 512-bit path reads the input planes in place (no padded copy, no cleared plane): the streamed 3×3
    /// tile with padding 1 on every side ("same" size) and rows a whole number of vectors, so that each row is loaded
    /// as aligned vectors and the columns at -1 and +1 are made in registers from neighbouring vectors (zeros past the
    /// row's ends), the rows above and below the plane being zeros.
    /// </summary>
    public static bool ReadsInPlace(in Conv2dGeometry g) =>
        HasRowBlockTile(g) && g.PadTop == 1 && g.PadLeft == 1 && g.InHeight == g.OutHeight && g.InWidth == g.OutWidth
        && g.OutWidth % Blocked16.Lanes == 0;

    /// <summary>Vectors along an output row in the one-row tile (other kernels, and the rows the 3×3 tile leaves).</summary>
    public const int RowTileVectors = 3;

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

    /// <summary>Whether <paramref name="g"/> runs the <see cref="TileRows"/>-row tile (3×3 taps, dilation 1), else the one-row tile.</summary>
    public static bool HasRowBlockTile(in Conv2dGeometry g) =>
        g.KernelHeight == 3 && g.KernelWidth == 3 && g.DilationHeight == 1 && g.DilationWidth == 1;

    /// <summary>
    /// Whether the planner picks this kernel for a CHW depthwise convolution: wherever it takes the geometry
    /// (<see cref="Rejects"/>). Measured against the runtime-picked CHW forms it replaces (KernelBench, 16 lanes, 8
    /// channels, 3×3 padding 1): 0.41× the time at 48×48, 0.46× at 32×32, 0.65× at 20×20 and 0.81× at 17×17 (rows using
    /// 17 of 32 lanes, the worst lane use it takes), 0.56× with 5×5 taps at 48×48.
    /// </summary>
    public static bool Suits(in Conv2dGeometry g) => Rejects(g) is null;

    /// <summary>Floats of <c>Pack</c>'s result: the weights as PyTorch orders them (<c>[OutChannels, 1, KH, KW]</c>), then the bias (zeros when none).</summary>
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
        return WorkspaceLengthUnchecked(g);
    }

    /// <summary><see cref="WorkspaceLength"/> of a geometry already validated (the kernel's <c>Run</c> validates it once per call).</summary>
    internal static int WorkspaceLengthUnchecked(in Conv2dGeometry g)
    {
        return checked(PaddedHeight(g) * RowStride(g));
    }
}
