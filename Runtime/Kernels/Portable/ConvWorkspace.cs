// Portable: compiled into the runtime and linked into the generator (netstandard2.0, CONVGEN_GENERATOR), so that the
// generator sizes each convolution's scratch at compile time with the very rule the kernel uses at run time.
using System;

#if CONVGEN_GENERATOR
namespace ConvGen.Generator.Planning;
#else
namespace ConvGen.Runtime.Kernels;
#endif

/// <summary>Which GEMM form suits a convolution (shifted views or im2col), and the scratch each needs.</summary>
public static class ConvWorkspace
{
    /// <summary>
    /// True for the shifted-view method (the input's zero-padded stride phases read in place as GEMM rows), false for
    /// classic im2col. Shifted wins unless the kernel is 1×1 or it would compute too many extra columns
    /// (many output channels on narrow rows); the threshold was measured on the LeNet and ResNet-8 layers.
    /// </summary>
    public static bool UsesShiftedViews(int outChannelsPerGroup, int outHeight, int outWidth, int kernelHeight, int kernelWidth, int strideWidth, int dilationWidth)
    {
        if (kernelHeight == 1 && kernelWidth == 1) return false;
        long phaseWidth = PhaseLength(outWidth, kernelWidth, dilationWidth, strideWidth);
        return outHeight == 1 || (long)(phaseWidth - outWidth) * outChannelsPerGroup <= 10L * outWidth;
    }

    /// <summary>
    /// Floats of scratch <c>Conv2d.Im2ColGemm</c> needs: one group's column matrix (0 for a pointwise geometry), in 64
    /// bits, or long.MaxValue past them: the generator rejects a network whose scratch passes its limit (CG0013).
    /// </summary>
    public static long Im2ColLength(int inChannels, int inHeight, int inWidth, int outHeight, int outWidth,
        int kernelHeight, int kernelWidth, int strideHeight, int strideWidth, int padTop, int padLeft, int groups)
    {
        if (IsPointwise(inHeight, inWidth, outHeight, outWidth, kernelHeight, kernelWidth, strideHeight, strideWidth, padTop, padLeft)) return 0;
        return Multiply(Multiply(Multiply(inChannels / groups, kernelHeight), Multiply(kernelWidth, outHeight)), outWidth);
    }

    /// <summary>
    /// Floats of scratch <c>Conv2d.ShiftedGemm</c> needs: one group's used stride-phase planes (none at stride 1
    /// without padding) and its output rows computed phase-width wide (none when they are not wider than the output's);
    /// in 64 bits, long.MaxValue past them.
    /// </summary>
    public static long ShiftedLength(int inChannels, int inHeight, int inWidth, int outChannels, int outHeight, int outWidth,
        int kernelHeight, int kernelWidth, int strideHeight, int strideWidth, int padTop, int padLeft,
        int dilationHeight, int dilationWidth, int groups)
    {
        if (IsPointwise(inHeight, inWidth, outHeight, outWidth, kernelHeight, kernelWidth, strideHeight, strideWidth, padTop, padLeft)) return 0;
        int inPerGroup = inChannels / groups, outPerGroup = outChannels / groups;
        long phaseWidth = PhaseLength(outWidth, kernelWidth, dilationWidth, strideWidth);
        long phaseHeight = PhaseLength(outHeight, kernelHeight, dilationHeight, strideHeight);
        // At stride 1 without padding the one phase plane is the input plane itself: nothing is copied.
        bool copiesInput = strideHeight != 1 || strideWidth != 1 || phaseWidth != inWidth || phaseHeight != inHeight || padTop != 0 || padLeft != 0;
        bool writesOutput = ShiftedWritesOutput(outHeight, outWidth, phaseWidth);
        long phases = UsedPhaseCount(kernelHeight, kernelWidth, strideHeight, strideWidth, dilationHeight, dilationWidth);
        long planeRows = ShiftedBandRows(inPerGroup, phases, outHeight, outWidth, phaseWidth, phaseHeight, copiesInput) + phaseHeight - outHeight;
        long planes = copiesInput ? Multiply(Multiply(inPerGroup, phases), Multiply(planeRows, phaseWidth)) : 0;
        long wide = writesOutput ? 0 : Multiply(outPerGroup, Add(Multiply(outHeight - 1, phaseWidth), outWidth));
        return Add(planes, wide);
    }

    /// <summary>
    /// Columns (rows) of one stride-phase plane of the shifted-view method along a dimension of <paramref name="output"/>
    /// positions: every tap of an output reads the plane at its position plus (kernel - 1) * dilation / stride.
    /// </summary>
    public static long PhaseLength(int output, int kernel, int dilation, int stride) => output + (long)(kernel - 1) * dilation / stride;

    /// <summary>
    /// Whether <c>Conv2d.ShiftedGemm</c> writes the output without a copy: when its GEMM rows (padded phase rows of
    /// <paramref name="phaseWidth"/> columns) are not wider than the output's, or when it computes the output row by
    /// row (<see cref="ShiftedRowByRow"/>).
    /// </summary>
    public static bool ShiftedWritesOutput(int outHeight, int outWidth, long phaseWidth) =>
        outHeight == 1 || phaseWidth == outWidth || ShiftedRowByRow(outHeight, outWidth, phaseWidth);

    /// <summary>
    /// Whether <c>Conv2d.ShiftedGemm</c> computes each output row as its own run of GEMM columns, straight into the
    /// output, instead of the rows PhaseWidth apart (the PhaseWidth - OutWidth columns between them computed and then
    /// dropped by a copy of every row): when a row is at least a 512-bit vector wide and its whole vectors are no more
    /// columns than a phase row, so the row-by-row tiles do no more multiply-adds than the wide ones and the copy goes.
    /// On the VWW stem (48 columns, phase rows of 49) that copy was an eighth of the layer.
    /// </summary>
    public static bool ShiftedRowByRow(int outHeight, int outWidth, long phaseWidth) =>
        outHeight > 1 && phaseWidth != outWidth && outWidth >= WidestLanes && (outWidth + WidestLanes - 1L) / WidestLanes * WidestLanes <= phaseWidth;

    /// <summary>
    /// Whether <c>Conv2d.ShiftedGemm</c>, at 512 bits, skips the phase planes for a column stride of 2: it computes
    /// the convolution directly, reading the input rows in place and gathering each tap's 16 even-spaced columns in
    /// registers (two loads and a two-source permute), for a register tile of <see cref="GatherTileChannels"/> output
    /// channels × up to <see cref="GatherTileVectors"/> vectors of an output row. It needs at most one tile of output
    /// channels per group (the phase copy is shared by all output channels, the gathers are redone per tile: at 32
    /// channels, the MobileNetV2 stem, the GEMM on the phase planes was faster), output rows at least a vector wide,
    /// at most <see cref="MaxGatherKernelWidth"/> tap columns reaching at most <see cref="MaxGatherKernelReach"/>
    /// columns, and left and right padding no wider than the input (then only the input's first and last rows need
    /// zero-padded copies). Narrower vector widths (256, 128 bits, scalar) keep the phase planes and the packed GEMM;
    /// the workspace stays sized for them. Measured on the VWW stem (3->8, 96x96 -> 48x48), where the phase copy cost
    /// about as much as the GEMM: about 0.65 of the phase-plane GEMM's time.
    /// </summary>
    public static bool GathersStrideTwoColumns(in Conv2dGeometry g) =>
        (long)g.InChannelsPerGroup * g.KernelHeight <= MaxGatherRows
        && GathersStrideTwoColumns(g.OutChannelsPerGroup, g.InWidth, g.OutWidth, g.KernelWidth, g.StrideWidth, g.PadLeft, g.DilationWidth);

    /// <summary>
    /// The column conditions of <see cref="GathersStrideTwoColumns(in Conv2dGeometry)"/> (stride, output channels, row
    /// width, kernel width and reach, padding); the geometry overload adds the bound on the input rows a tile reads.
    /// </summary>
    public static bool GathersStrideTwoColumns(int outChannelsPerGroup, int inWidth, int outWidth, int kernelWidth, int strideWidth, int padLeft, int dilationWidth)
    {
        if (strideWidth != 2 || outChannelsPerGroup > GatherTileChannels || outWidth < WidestLanes || kernelWidth > MaxGatherKernelWidth) return false;
        long reach = (long)(kernelWidth - 1) * dilationWidth;
        long padRight = 2L * (outWidth - 1) + reach + 1 - inWidth - padLeft;
        return reach <= MaxGatherKernelReach && padLeft <= inWidth && padRight <= inWidth;
    }

    /// <summary>Output channels of the register tile of <see cref="GathersStrideTwoColumns"/> (one panel of the packed GEMM weights).</summary>
    public const int GatherTileChannels = 8;

    /// <summary>512-bit vectors along an output row in the register tile of <see cref="GathersStrideTwoColumns"/>.</summary>
    public const int GatherTileVectors = 3;

    /// <summary>The farthest tap column of <see cref="GathersStrideTwoColumns"/> past the first, (KW - 1) * DW: its edge-row copies live on the stack.</summary>
    public const int MaxGatherKernelReach = 32;

    /// <summary>
    /// Most input rows (input channels per group × kernel rows) one output row of <see cref="GathersStrideTwoColumns(in Conv2dGeometry)"/>
    /// reads: their addresses live on the stack (12 bytes each), so a layer with more keeps the phase planes.
    /// </summary>
    public const int MaxGatherRows = 1024;

    /// <summary>The widest kernel of <see cref="GathersStrideTwoColumns"/>: its gather descriptors live on the stack.</summary>
    public const int MaxGatherKernelWidth = 16;

    // Floats of the widest vector (512 bits), the width the row-by-row rule is judged at.
    private const int WidestLanes = 16;

    // Floats of stride-phase plane rows one band of Conv2d.ShiftedGemm copies: two thirds of a 48 KB L1 data cache,
    // the rest left to the band's output rows and the weights.
    private const long BandFloats = 8192;

    /// <summary>
    /// Output rows per band of <c>Conv2d.ShiftedGemm</c>: when it copies the input into stride-phase planes and computes
    /// row by row (<see cref="ShiftedRowByRow"/>), it copies only the phase rows of a band of output rows at a time, so
    /// that they can still be in L1 when the GEMM reads them back, and the workspace is a band's rather than whole
    /// planes (VWW stem: 7,644 floats instead of 28,812). Measured a few percent on the VWW and MobileNetV2 stems
    /// (the copy itself costs about as much as before: it is bound by its per-row work, not by L2). A band's phase
    /// rows hold about <see cref="BandFloats"/> floats; the (KH - 1) * DH / SH rows shared with the next band are
    /// copied twice. Otherwise one band of every output row.
    /// </summary>
    public static int ShiftedBandRows(int inPerGroup, long phases, int outHeight, int outWidth, long phaseWidth, long phaseHeight, bool copiesInput)
    {
        if (!copiesInput || !ShiftedRowByRow(outHeight, outWidth, phaseWidth)) return outHeight;
        long rows = BandFloats / Math.Max(1, inPerGroup * phases * phaseWidth) - (phaseHeight - outHeight);
        return (int)Math.Max(1, Math.Min(outHeight, rows));
    }

    private static bool IsPointwise(int inHeight, int inWidth, int outHeight, int outWidth, int kernelHeight, int kernelWidth,
        int strideHeight, int strideWidth, int padTop, int padLeft) =>
        kernelHeight == 1 && kernelWidth == 1 && strideHeight == 1 && strideWidth == 1
            && padTop == 0 && padLeft == 0 && outHeight == inHeight && outWidth == inWidth;

    /// <summary>
    /// The stride phases (a, b) that some kernel tap reads. They are the pairs of a row phase (k * DH) mod SH and
    /// a column phase (k * DW) mod SW, and the multiples of d modulo s take s / gcd(d, s) distinct values before
    /// they repeat: so min(kernel, s / gcd(d, s)) per axis, in constant time for any stride or kernel.
    /// </summary>
    public static long UsedPhaseCount(int kernelHeight, int kernelWidth, int strideHeight, int strideWidth, int dilationHeight, int dilationWidth) =>
        (long)UsedPhases(kernelHeight, strideHeight, dilationHeight) * UsedPhases(kernelWidth, strideWidth, dilationWidth);

    private static int UsedPhases(int kernel, int stride, int dilation) => Math.Min(kernel, stride / Gcd(dilation, stride));

    private static int Gcd(int a, int b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }

    // a * b and a + b for counts, long.MaxValue past it.
    private static long Multiply(long a, long b) => a == 0 || b == 0 ? 0 : a > long.MaxValue / b ? long.MaxValue : a * b;

    private static long Add(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;
}
