using System.Buffers;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using ConvGen.Runtime.Simd;

namespace ConvGen.Runtime.Kernels;

/// <summary>
/// PyTorch <c>Conv2d</c> (cross-correlation) at batch 1 in CHW layout, on weights packed once at load. Three
/// kernels: <see cref="Im2ColGemm"/> for any geometry, <see cref="Pointwise"/> for 1x1 stride-1 unpadded kernels
/// (a GEMM straight on the input) and <see cref="Depthwise"/> for one group per input channel.
/// </summary>
/// <remarks>
/// Every entry validates the geometry and the span lengths, then dispatches to the widest accelerated vector width.
/// The per-width instantiations (<c>Im2ColGemm&lt;TOps, TVec&gt;</c> and so on) are internal so tests can run each
/// width. Input and output must not overlap. Bias is added before the epilogue's activation, both at the store.
/// </remarks>
[SkipLocalsInit]
public static partial class Conv2d
{
    // Floats of stack scratch the depthwise kernel uses before it falls back to a pooled array.
    private const int DepthwiseStackFloats = 8192;

    /// <summary>Floats of <see cref="PackGemmWeights"/>'s result for <paramref name="g"/>.</summary>
    public static int PackedGemmWeightsLength(in Conv2dGeometry g)
    {
        g.Validate();
        return checked(g.Groups * Gemm.PackedLength(g.OutChannelsPerGroup, g.ReductionLength));
    }

    /// <summary>
    /// Packs PyTorch weights <c>[OutChannels, InChannels/Groups, KH, KW]</c> (BatchNorm already folded) for
    /// <see cref="Im2ColGemm"/> and <see cref="Pointwise"/>: per group, panels of <see cref="Gemm.MR"/> output
    /// channels with the reduction index (input channel, kernel row, kernel column) outermost.
    /// </summary>
    public static float[] PackGemmWeights(ReadOnlySpan<float> weights, in Conv2dGeometry g)
    {
        g.Validate();
        CheckLength(weights.Length, g.WeightLength, nameof(weights));
        int m = g.OutChannelsPerGroup, k = g.ReductionLength;
        int perGroup = Gemm.PackedLength(m, k);
        var packed = new float[checked(perGroup * g.Groups)];
        for (int group = 0; group < g.Groups; group++)
            Gemm.PackA(weights.Slice(group * m * k, m * k), m, k, k, packed.AsSpan(group * perGroup, perGroup));
        return packed;
    }

    /// <summary>Floats of scratch <see cref="Im2ColGemm"/> needs for <paramref name="g"/>: one group's column matrix (0 for a pointwise geometry).</summary>
    public static int Im2ColWorkspaceLength(in Conv2dGeometry g)
    {
        g.Validate();
        return WorkspaceLength(g, ConvAlgorithm.Im2Col);
    }

    /// <summary>Floats of scratch <see cref="ShiftedGemm"/> needs for <paramref name="g"/> (one group's phase planes and wide rows).</summary>
    public static int ShiftedWorkspaceLength(in Conv2dGeometry g)
    {
        g.Validate();
        return WorkspaceLength(g, ConvAlgorithm.Shifted);
    }

    /// <summary>
    /// Any convolution, as a GEMM of the packed weights with the input unfolded into a column matrix first (im2col:
    /// one row per input channel and kernel tap, one column per output position, zeros for padding taps).
    /// <paramref name="bias"/> is empty (no bias) or has OutChannels values; <paramref name="workspace"/> has at
    /// least <see cref="Im2ColWorkspaceLength"/> floats.
    /// </summary>
    public static void Im2ColGemm(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packedWeights,
        ReadOnlySpan<float> bias, in Conv2dGeometry g, Epilogue epilogue, Span<float> workspace)
    {
        var job = new GemmJob(input, output, packedWeights, bias, g, epilogue, workspace, ConvAlgorithm.Im2Col, pointwise: false);
        WidthDispatch.Run(ref job);
    }

    /// <summary>
    /// Any convolution, as a GEMM of the packed weights with shifted views of the input planes, zero-padded and split
    /// by stride phase (at stride 1 without padding, the input planes as they are): each output row is computed a few
    /// columns wider and the first OutWidth kept. <paramref name="workspace"/> has at least
    /// <see cref="ShiftedWorkspaceLength"/> floats.
    /// </summary>
    public static void ShiftedGemm(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packedWeights,
        ReadOnlySpan<float> bias, in Conv2dGeometry g, Epilogue epilogue, Span<float> workspace)
    {
        var job = new GemmJob(input, output, packedWeights, bias, g, epilogue, workspace, ConvAlgorithm.Shifted, pointwise: false);
        WidthDispatch.Run(ref job);
    }

    /// <summary>
    /// A 1x1 kernel at stride 1 without padding (any groups): the input planes are the GEMM's right-hand matrix as
    /// they are, so no workspace.
    /// </summary>
    public static void Pointwise(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packedWeights,
        ReadOnlySpan<float> bias, in Conv2dGeometry g, Epilogue epilogue)
    {
        var job = new GemmJob(input, output, packedWeights, bias, g, epilogue, default, ConvAlgorithm.Im2Col, pointwise: true);
        WidthDispatch.Run(ref job);
    }

    // The GEMM entries waiting for their vector width.
    private readonly ref struct GemmJob(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packedWeights, ReadOnlySpan<float> bias,
        Conv2dGeometry g, Epilogue epilogue, Span<float> workspace, ConvAlgorithm algorithm, bool pointwise) : IWidthKernel
    {
        private readonly ReadOnlySpan<float> _input = input, _packedWeights = packedWeights, _bias = bias;
        private readonly Span<float> _output = output, _workspace = workspace;

        public void Run<TOps, TVec>() where TOps : IVectorOps<TVec> where TVec : struct
        {
            if (pointwise) Pointwise<TOps, TVec>(_input, _output, _packedWeights, _bias, g, epilogue);
            else Im2ColGemm<TOps, TVec>(_input, _output, _packedWeights, _bias, g, epilogue, _workspace, algorithm);
        }
    }

    /// <summary>
    /// Packs depthwise weights <c>[OutChannels, 1, KH, KW]</c> for <see cref="Depthwise"/>: the taps of each output
    /// channel, row-major (the PyTorch order, validated and copied).
    /// </summary>
    public static float[] PackDepthwiseWeights(ReadOnlySpan<float> weights, in Conv2dGeometry g)
    {
        CheckDepthwiseGeometry(g);
        CheckLength(weights.Length, g.WeightLength, nameof(weights));
        return weights.ToArray();
    }

    /// <summary>
    /// Groups == InChannels and OutChannels a multiple of it (output channel c reads input channel
    /// c / (OutChannels / InChannels)); any kernel, stride, padding and dilation. Vectorised along the whole output
    /// plane (stride 1 with output width = input width; strided layers on stride-phase or even/odd-column copies of
    /// each input plane), or along the output rows when those copies would be too large.
    /// </summary>
    public static void Depthwise(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packedWeights,
        ReadOnlySpan<float> bias, in Conv2dGeometry g, Epilogue epilogue)
    {
        var job = new DepthwiseJob(input, output, packedWeights, bias, g, epilogue);
        WidthDispatch.Run(ref job);
    }

    private readonly ref struct DepthwiseJob(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packedWeights, ReadOnlySpan<float> bias,
        Conv2dGeometry g, Epilogue epilogue) : IWidthKernel
    {
        private readonly ReadOnlySpan<float> _input = input, _packedWeights = packedWeights, _bias = bias;
        private readonly Span<float> _output = output;

        public void Run<TOps, TVec>() where TOps : IVectorOps<TVec> where TVec : struct =>
            Depthwise<TOps, TVec>(_input, _output, _packedWeights, _bias, g, epilogue);
    }

    // ---------------------------------------------------------------------------------------------- im2col + GEMM

    /// <summary><see cref="Im2ColGemm(ReadOnlySpan{float}, Span{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, in Conv2dGeometry, Epilogue, Span{float})"/> at one width.</summary>
    internal static void Im2ColGemm<TOps, TVec>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packedWeights,
        ReadOnlySpan<float> bias, in Conv2dGeometry g, Epilogue epilogue, Span<float> workspace, ConvAlgorithm algorithm = ConvAlgorithm.Auto)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        CheckGemmArguments(input, output, packedWeights, bias, g);
        if (algorithm == ConvAlgorithm.Auto) algorithm = ChooseAlgorithm(g);
        int needed = WorkspaceLength(g, algorithm);
        if (workspace.Length < needed)
            throw new ArgumentException($"workspace has {workspace.Length} elements; Im2ColGemm needs {needed}.", nameof(workspace));
        if (algorithm == ConvAlgorithm.Shifted && typeof(TVec) == typeof(Vector512<float>) && Avx512F.IsSupported && ConvWorkspace.GathersStrideTwoColumns(g))
            StrideTwoColumns(input, output, packedWeights, bias, g, epilogue);
        else if (algorithm == ConvAlgorithm.Shifted)
            ShiftedGemm<TOps, TVec>(input, output, packedWeights, bias, g, epilogue, workspace.Slice(0, needed));
        else
            GroupedGemm<TOps, TVec>(input, output, packedWeights, bias, g, epilogue, workspace.Slice(0, needed));
    }

    /// <summary>How the GEMM's right-hand matrix is formed: <see cref="Im2ColGemm"/> or <see cref="ShiftedGemm"/>.</summary>
    internal enum ConvAlgorithm
    {
        /// <summary>Pick by shape, with the rule the generator applies at compile time (tests only).</summary>
        Auto,
        /// <summary>Unfold into a column matrix (pointwise geometries use the input planes directly).</summary>
        Im2Col,
        /// <summary>Shifted views of the padded, stride-phase-split input planes; output rows computed padded-row wide.</summary>
        Shifted,
    }

    // Shifted copies far less than im2col but computes each output row PhaseWidth wide (PhaseWidth - OutWidth columns
    // are thrown away), so it pays off unless the waste, times the output channels that each waste a multiply-add
    // per column and tap, outweighs unfolding (one store per tap and column, worth about 10 multiply-adds: measured
    // on LeNet-5, DS-CNN and ResNet-8 layers). A 1x1 kernel copies the same subsampled planes either way.
    // The rule lives in Portable/ConvWorkspace.cs, shared with the generator, which picks the entry point by it.
    internal static ConvAlgorithm ChooseAlgorithm(in Conv2dGeometry g) =>
        ConvWorkspace.UsesShiftedViews(g.OutChannelsPerGroup, g.OutHeight, g.OutWidth, g.KernelHeight, g.KernelWidth, g.StrideWidth, g.DilationWidth)
            ? ConvAlgorithm.Shifted : ConvAlgorithm.Im2Col;

    // The shifted algorithm. Pad the input (PadTop/PadLeft in front, zeros wherever a tap lands outside) and split it
    // by stride phase: phase (a, b) of channel c is the plane Q[i][j] = Padded[i * SH + a][j * SW + b]. Tap (kh, kw)
    // of output (y, x) is then Q[(kh*DH) % SH, (kw*DW) % SW][y + (kh*DH) / SH][x + (kw*DW) / SW]: each GEMM row is the
    // phase plane shifted by a constant, read in place. A phase plane is PhaseHeight x PhaseWidth; output row y is
    // computed at columns [y * PhaseWidth, y * PhaseWidth + OutWidth) of a PhaseWidth-strided grid.
    private static int PhaseWidth(in Conv2dGeometry g) => (int)ConvWorkspace.PhaseLength(g.OutWidth, g.KernelWidth, g.DilationWidth, g.StrideWidth);

    private static int PhaseHeight(in Conv2dGeometry g) => (int)ConvWorkspace.PhaseLength(g.OutHeight, g.KernelHeight, g.DilationHeight, g.StrideHeight);

    // At stride 1 without padding the single phase plane is the input plane itself, so nothing is copied.
    private static bool ShiftedCopiesInput(in Conv2dGeometry g) => g.StrideHeight != 1 || g.StrideWidth != 1
        || PhaseWidth(g) != g.InWidth || PhaseHeight(g) != g.InHeight || g.PadTop != 0 || g.PadLeft != 0;

    // Output rows computed PhaseWidth apart, the last one only OutWidth wide.
    private static int ShiftedColumns(in Conv2dGeometry g) => (g.OutHeight - 1) * PhaseWidth(g) + g.OutWidth;

    // The GEMM writes the output directly (ConvWorkspace.ShiftedWritesOutput).
    private static bool ShiftedWritesOutput(in Conv2dGeometry g) => ConvWorkspace.ShiftedWritesOutput(g.OutHeight, g.OutWidth, PhaseWidth(g));

    // The stride phases some tap reads, numbered in (a, b) order; phase[a * SW + b] = its number or -1.
    private static int UsedPhases(in Conv2dGeometry g, Span<int> phase)
    {
        phase.Fill(-1);
        for (int kh = 0; kh < g.KernelHeight; kh++)
            for (int kw = 0; kw < g.KernelWidth; kw++)
                phase[kh * g.DilationHeight % g.StrideHeight * g.StrideWidth + kw * g.DilationWidth % g.StrideWidth] = 0;
        int count = 0;
        for (int i = 0; i < phase.Length; i++)
            if (phase[i] == 0) phase[i] = count++;
        return count;
    }

    private static int UsedPhaseCount(in Conv2dGeometry g)
    {
        Span<int> phase = g.StrideHeight * g.StrideWidth <= 64 ? stackalloc int[g.StrideHeight * g.StrideWidth] : new int[g.StrideHeight * g.StrideWidth];
        return UsedPhases(g, phase);
    }

    // The scratch of either algorithm, as the generator plans it (ConvWorkspace: one rule for both).
    internal static int WorkspaceLength(in Conv2dGeometry g, ConvAlgorithm algorithm) => checked((int)(algorithm == ConvAlgorithm.Shifted
        ? ConvWorkspace.ShiftedLength(g.InChannels, g.InHeight, g.InWidth, g.OutChannels, g.OutHeight, g.OutWidth,
            g.KernelHeight, g.KernelWidth, g.StrideHeight, g.StrideWidth, g.PadTop, g.PadLeft, g.DilationHeight, g.DilationWidth, g.Groups)
        : ConvWorkspace.Im2ColLength(g.InChannels, g.InHeight, g.InWidth, g.OutHeight, g.OutWidth,
            g.KernelHeight, g.KernelWidth, g.StrideHeight, g.StrideWidth, g.PadTop, g.PadLeft, g.Groups)));

    /// <summary><see cref="Pointwise(ReadOnlySpan{float}, Span{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, in Conv2dGeometry, Epilogue)"/> at one width.</summary>
    internal static void Pointwise<TOps, TVec>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packedWeights,
        ReadOnlySpan<float> bias, in Conv2dGeometry g, Epilogue epilogue)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        CheckGemmArguments(input, output, packedWeights, bias, g);
        if (!g.IsPointwise)
            throw new ArgumentException(
                $"Pointwise needs a 1x1 kernel, stride 1 and no padding; got kernel {g.KernelHeight}x{g.KernelWidth}, stride {g.StrideHeight}x{g.StrideWidth}, pad {g.PadTop},{g.PadLeft}, output {g.OutHeight}x{g.OutWidth} from {g.InHeight}x{g.InWidth}.",
                nameof(g));
        GroupedGemm<TOps, TVec>(input, output, packedWeights, bias, g, epilogue, default);
    }

    // Per group: unfold into the workspace (unless the geometry is pointwise, then the input planes are B), then GEMM.
    private static void GroupedGemm<TOps, TVec>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packedWeights,
        ReadOnlySpan<float> bias, in Conv2dGeometry g, Epilogue epilogue, Span<float> columns)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        int m = g.OutChannelsPerGroup, k = g.ReductionLength, n = g.OutputPlane;
        int groupInput = g.InChannelsPerGroup * g.InHeight * g.InWidth;
        int groupWeights = Gemm.PackedLength(m, k);
        bool pointwise = g.IsPointwise;
        bool hasBias = !bias.IsEmpty;
        ref float inputRef = ref MemoryMarshal.GetReference(input);
        ref float outputRef = ref MemoryMarshal.GetReference(output);
        ref float weightRef = ref MemoryMarshal.GetReference(packedWeights);
        ref float biasRef = ref MemoryMarshal.GetReference(bias);
        ref float columnRef = ref MemoryMarshal.GetReference(columns);
        for (int group = 0; group < g.Groups; group++)
        {
            ref float groupIn = ref Unsafe.Add(ref inputRef, (nint)group * groupInput);
            ref float b = ref groupIn;
            if (!pointwise)
            {
                Im2Col(ref groupIn, groupInput, g, ref columnRef);
                b = ref columnRef;
            }

            Gemm.RunPacked<TOps, TVec>(ref Unsafe.Add(ref weightRef, (nint)group * groupWeights), m, k, ref b, n, n, n,
                ref Unsafe.Add(ref outputRef, (nint)group * m * n), n,
                ref (hasBias ? ref Unsafe.Add(ref biasRef, group * m) : ref biasRef), hasBias, epilogue);
        }
    }

    // Per group: copy the used stride phases of the padded input planes into the workspace (unless stride 1 without
    // padding: then the input planes serve as they are), GEMM with B row (c, kh, kw) = the phase plane shifted by
    // ((kh*DH) / SH, (kw*DW) / SW), output rows PhaseWidth apart; then keep the first OutWidth columns of each row
    // (or, when the rows are not wider than the output's, the GEMM writes the output directly; or, row by row
    // (ConvWorkspace.ShiftedRowByRow), each output row is its own run of OutWidth GEMM columns, stored in place).
    private static void ShiftedGemm<TOps, TVec>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packedWeights,
        ReadOnlySpan<float> bias, in Conv2dGeometry g, Epilogue epilogue, Span<float> workspace)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        int m = g.OutChannelsPerGroup, k = g.ReductionLength, n = g.OutputPlane, channels = g.InChannelsPerGroup;
        int h = g.InHeight, w = g.InWidth, oh = g.OutHeight, ow = g.OutWidth, sh = g.StrideHeight, sw = g.StrideWidth;
        int phaseWidth = PhaseWidth(g), phaseHeight = PhaseHeight(g), columns = ShiftedColumns(g);
        bool copy = ShiftedCopiesInput(g), direct = ShiftedWritesOutput(g);
        bool rowByRow = ConvWorkspace.ShiftedRowByRow(oh, ow, phaseWidth);
        Span<int> phase = sh * sw <= 64 ? stackalloc int[sh * sw] : new int[sh * sw];
        int phases = UsedPhases(g, phase);
        // Bands of output rows (one unless row by row from copied planes: ConvWorkspace.ShiftedBandRows), each
        // with its phase rows copied just before the GEMM reads them: planes of planeRows rows.
        int bandRows = ConvWorkspace.ShiftedBandRows(channels, phases, oh, ow, phaseWidth, phaseHeight, copy);
        int planeRows = bandRows + phaseHeight - oh;
        int planeLength = copy ? planeRows * phaseWidth : h * w;
        int groupInput = channels * h * w, groupWeights = Gemm.PackedLength(m, k);
        bool hasBias = !bias.IsEmpty;

        int[]? rented = k <= 4096 ? null : ArrayPool<int>.Shared.Rent(k);
        Span<int> rows = rented is null ? stackalloc int[k] : rented.AsSpan(0, k);
        int p = 0;
        for (int c = 0; c < channels; c++)
        {
            for (int kh = 0; kh < g.KernelHeight; kh++)
            {
                for (int kw = 0; kw < g.KernelWidth; kw++)
                {
                    int dy = kh * g.DilationHeight, dx = kw * g.DilationWidth;
                    int plane = copy ? c * phases + phase[dy % sh * sw + dx % sw] : c;
                    rows[p++] = plane * planeLength + dy / sh * phaseWidth + dx / sw;
                }
            }
        }

        ref float inputRef = ref MemoryMarshal.GetReference(input);
        ref float outputRef = ref MemoryMarshal.GetReference(output);
        ref float weightRef = ref MemoryMarshal.GetReference(packedWeights);
        ref float biasRef = ref MemoryMarshal.GetReference(bias);
        ref float planesRef = ref MemoryMarshal.GetReference(workspace);
        ref float wideRef = ref Unsafe.Add(ref planesRef, copy ? channels * phases * planeLength : 0);
        for (int group = 0; group < g.Groups; group++)
        {
            ref float groupIn = ref Unsafe.Add(ref inputRef, (nint)group * groupInput);
            ref float b = ref copy ? ref planesRef : ref groupIn;
            ref float groupOut = ref Unsafe.Add(ref outputRef, (nint)group * m * n);
            ref float groupWeightsRef = ref Unsafe.Add(ref weightRef, (nint)group * groupWeights);
            ref float groupBias = ref hasBias ? ref Unsafe.Add(ref biasRef, group * m) : ref biasRef;
            if (rowByRow)
            {
                for (int y0 = 0; y0 < oh; y0 += bandRows)
                {
                    // Output row y0 + i: OutWidth columns of the band's phase planes from row i on, stored as that
                    // output row.
                    int band = Math.Min(bandRows, oh - y0);
                    if (copy) PhasePlanes(ref groupIn, groupInput, g, phase, phases, y0, band + phaseHeight - oh, planeLength, phaseWidth, ref planesRef);
                    Gemm.RunRows<TOps, TVec>(ref groupWeightsRef, m, k, ref b, rows, ow, ow, ref Unsafe.Add(ref groupOut, (nint)y0 * ow), n,
                        ref groupBias, hasBias, epilogue, segments: band, bSegmentStride: phaseWidth);
                }

                continue;
            }

            if (copy) PhasePlanes(ref groupIn, groupInput, g, phase, phases, 0, phaseHeight, planeLength, phaseWidth, ref planesRef);
            ref float c0 = ref direct ? ref groupOut : ref wideRef;
            Gemm.RunRows<TOps, TVec>(ref groupWeightsRef, m, k, ref b, rows, columns, columns, ref c0, columns, ref groupBias, hasBias, epilogue);
            if (direct) continue;
            for (int i = 0; i < m; i++)
                for (int y = 0; y < oh; y++)
                    RowCopy.Copy(ref Unsafe.Add(ref wideRef, i * columns + y * phaseWidth), ref Unsafe.Add(ref groupOut, i * n + y * ow), ow);
        }

        if (rented is not null) ArrayPool<int>.Shared.Return(rented);
    }

    // Writes rows [firstRow, firstRow + rowCount) of the used stride phases of one group's padded input planes, each
    // plane planeLength floats: plane (c, phase of (a, b)) element (i - firstRow, j) = input[c][i * SH + a - PT][j * SW + b - PL],
    // zero outside the input. `inputLength` floats of input are readable.
    private static void PhasePlanes(ref float input, int inputLength, in Conv2dGeometry g, ReadOnlySpan<int> phase, int phases,
        int firstRow, int rowCount, int planeLength, int phaseWidth, ref float planes)
    {
        int h = g.InHeight, w = g.InWidth, sh = g.StrideHeight, sw = g.StrideWidth, top = g.PadTop, left = g.PadLeft;
        for (int a = 0; a < sh; a++)
        {
            for (int bc = 0; bc < sw; bc++)
            {
                int index = phase[a * sw + bc];
                if (index < 0) continue;
                // Columns j whose input column j * sw + bc - left is inside [0, w).
                int first = left - bc, end = w + left - bc;
                int lo = first <= 0 ? 0 : Math.Min(phaseWidth, (first + sw - 1) / sw);
                int hi = end <= 0 ? 0 : Math.Min(phaseWidth, (end + sw - 1) / sw);
                if (hi < lo) hi = lo;
                for (int c = 0; c < g.InChannelsPerGroup; c++)
                {
                    ref float plane = ref Unsafe.Add(ref planes, (c * phases + index) * planeLength);
                    int channelStart = c * h * w;
                    for (int i = 0; i < rowCount; i++)
                    {
                        ref float row = ref Unsafe.Add(ref plane, i * phaseWidth);
                        int y = (firstRow + i) * sh + a - top;
                        if ((uint)y >= (uint)h || hi == lo)
                        {
                            RowCopy.Zero(ref row, phaseWidth);
                            continue;
                        }

                        RowCopy.Zero(ref row, lo);
                        int src = channelStart + y * w + lo * sw + bc - left;
                        RowCopy.Gather(ref Unsafe.Add(ref input, src), sw, inputLength - src, ref Unsafe.Add(ref row, lo), hi - lo);
                        RowCopy.Zero(ref Unsafe.Add(ref row, hi), phaseWidth - hi);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Unfolds one group's input planes (<paramref name="inputLength"/> floats) into
    /// <c>columns[(c * KH + kh) * KW + kw][oh * OW + ow]</c> = <c>input[c][oh * SH - PT + kh * DH][ow * SW - PL + kw * DW]</c>,
    /// zero outside the input. Each column row is zero runs for the output rows and columns whose tap is padding and
    /// copies (stride 1) or strided gathers of the rest; at stride 1 with OW == W the valid rows of a column row are
    /// one contiguous copy, after which the columns that wrapped across an input row edge are zeroed.
    /// </summary>
    internal static void Im2Col(ref float input, int inputLength, in Conv2dGeometry g, ref float columns)
    {
        int h = g.InHeight, w = g.InWidth, oh = g.OutHeight, ow = g.OutWidth, n = oh * ow;
        int sh = g.StrideHeight, sw = g.StrideWidth, channels = g.InChannelsPerGroup;
        bool flat = sh == 1 && sw == 1 && ow == w;
        nint row = 0;
        for (int c = 0; c < channels; c++)
        {
            int planeStart = c * h * w;
            ref float plane = ref Unsafe.Add(ref input, planeStart);
            for (int kh = 0; kh < g.KernelHeight; kh++)
            {
                int rowOffset = kh * g.DilationHeight - g.PadTop;
                // Output rows whose tap row rowOffset + y * sh is inside [0, h).
                int yLo = rowOffset >= 0 ? 0 : Math.Min(oh, (-rowOffset + sh - 1) / sh);
                int yHi = h - 1 - rowOffset < 0 ? 0 : Math.Min(oh, (h - 1 - rowOffset) / sh + 1);
                if (yHi < yLo) yHi = yLo;
                for (int kw = 0; kw < g.KernelWidth; kw++, row++)
                {
                    int colOffset = kw * g.DilationWidth - g.PadLeft;
                    // Output columns whose tap column colOffset + x * sw is inside [0, w).
                    int lo = colOffset >= 0 ? 0 : Math.Min(ow, (-colOffset + sw - 1) / sw);
                    int hi = w - 1 - colOffset < 0 ? 0 : Math.Min(ow, (w - 1 - colOffset) / sw + 1);
                    ref float dstRow = ref Unsafe.Add(ref columns, row * n);
                    if (hi <= lo || yHi <= yLo)
                    {
                        RowCopy.Zero(ref dstRow, n);
                        continue;
                    }

                    RowCopy.Zero(ref dstRow, yLo * ow);
                    RowCopy.Zero(ref Unsafe.Add(ref dstRow, yHi * ow), (oh - yHi) * ow);
                    if (flat)
                    {
                        int start = yLo * ow + lo, end = (yHi - 1) * ow + hi;
                        RowCopy.Copy(ref Unsafe.Add(ref plane, (yLo + rowOffset) * w + lo + colOffset), ref Unsafe.Add(ref dstRow, start), end - start);
                        if (lo == 0 && hi == ow) continue;
                        for (int y = yLo; y < yHi; y++)
                        {
                            ref float dst = ref Unsafe.Add(ref dstRow, y * ow);
                            for (int x = 0; x < lo; x++) Unsafe.Add(ref dst, x) = 0f;
                            for (int x = hi; x < ow; x++) Unsafe.Add(ref dst, x) = 0f;
                        }

                        continue;
                    }

                    for (int y = yLo; y < yHi; y++)
                    {
                        ref float dst = ref Unsafe.Add(ref dstRow, y * ow);
                        RowCopy.Zero(ref dst, lo);
                        int src = (y * sh + rowOffset) * w + colOffset + lo * sw;
                        RowCopy.Gather(ref Unsafe.Add(ref plane, src), sw, inputLength - planeStart - src, ref Unsafe.Add(ref dst, lo), hi - lo);
                        RowCopy.Zero(ref Unsafe.Add(ref dst, hi), ow - hi);
                    }
                }
            }
        }
    }

    // -------------------------------------------------------------------------------------------------- checks

    private static void CheckGemmArguments(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packedWeights,
        ReadOnlySpan<float> bias, in Conv2dGeometry g)
    {
        g.Validate();
        CheckLength(input.Length, g.InputLength, nameof(input));
        CheckLength(output.Length, g.OutputLength, nameof(output));
        CheckLength(packedWeights.Length, g.Groups * Gemm.PackedLength(g.OutChannelsPerGroup, g.ReductionLength), nameof(packedWeights));
        CheckBias(bias.Length, g.OutChannels);
    }

    private static void CheckDepthwiseGeometry(in Conv2dGeometry g)
    {
        g.Validate();
        if (!g.IsDepthwise)
            throw new ArgumentException(
                $"Depthwise needs Groups == InChannels and OutChannels a multiple of it; got InChannels {g.InChannels}, OutChannels {g.OutChannels}, Groups {g.Groups}.",
                nameof(g));
    }

    // The argument checks below run on every call of a kernel: each tests inline and builds its message out of line, as
    // message formatting inlined into a kernel's Run would give it a large stack frame to clear on every call.

    internal static void CheckLength(int actual, int expected, string name)
    {
        if (actual != expected) ThrowLength(actual, expected, name);
    }

    /// <summary>Throws unless <paramref name="problem"/> (a kernel's <c>Rejects</c>) is null: <paramref name="kernel"/> cannot run <paramref name="g"/>.</summary>
    internal static void CheckRuns(string? problem, string kernel, in Conv2dGeometry g)
    {
        if (problem is not null) ThrowCannotRun(problem, kernel, g);
    }

    /// <summary>Throws unless the workspace holds the <paramref name="needed"/> floats <paramref name="kernel"/> needs for <paramref name="g"/>.</summary>
    internal static void CheckWorkspace(int length, int needed, string kernel, in Conv2dGeometry g)
    {
        if (length < needed) ThrowWorkspace(length, needed, kernel, g);
    }

    /// <summary>
    /// The spans of a CHW kernel that works on zero-padded copies in its workspace (PlaneConv2d, PlaneDepthwiseConv2d):
    /// their lengths, at least <paramref name="needed"/> floats of workspace, no two of them overlapping. Returns the
    /// workspace cut to <paramref name="needed"/>.
    /// </summary>
    internal static Span<float> CheckPlaneSpans(ReadOnlySpan<float> input, Span<float> output, int outputLength, ReadOnlySpan<float> packed,
        int packedLength, Span<float> workspace, int needed, string kernel, in Conv2dGeometry g)
    {
        CheckLength(input.Length, g.InputLength, nameof(input));
        CheckLength(output.Length, outputLength, nameof(output));
        CheckLength(packed.Length, packedLength, nameof(packed));
        CheckWorkspace(workspace.Length, needed, kernel, g);
        if (input.Overlaps(output)) throw new ArgumentException("input and output must not overlap.", nameof(output));
        Span<float> used = workspace.Slice(0, needed);
        if (used.Overlaps(input) || used.Overlaps(output))
            throw new ArgumentException("workspace must not overlap the input or the output.", nameof(workspace));
        return used;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLength(int actual, int expected, string name) => throw new ArgumentException($"{name} has {actual} elements; expected {expected}.", name);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowCannotRun(string problem, string kernel, Conv2dGeometry g) =>
        throw new ArgumentException($"{kernel} cannot run {DirectConv2d.Describe(g)}: {problem}.", nameof(g));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowWorkspace(int length, int needed, string kernel, Conv2dGeometry g) =>
        throw new ArgumentException($"workspace has {length} floats; {kernel} needs {needed} for {DirectConv2d.Describe(g)}.", "workspace");

    /// <summary>
    /// The packed form of the CHW kernels that read PyTorch's weight order as it is: the weights checked against
    /// <paramref name="g"/>, then the bias (empty: none), in an array of <paramref name="packedLength"/> floats.
    /// </summary>
    internal static float[] WeightsThenBias(ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, in Conv2dGeometry g, int packedLength)
    {
        CheckLength(weights.Length, g.WeightLength, nameof(weights));
        CheckBias(bias.Length, g.OutChannels);
        var packed = new float[packedLength];
        weights.CopyTo(packed);
        bias.CopyTo(packed.AsSpan(g.WeightLength));
        return packed;
    }

    internal static void CheckBias(int actual, int channels)
    {
        if (actual != 0 && actual != channels) ThrowBias(actual, channels);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowBias(int actual, int channels) => throw new ArgumentException($"bias has {actual} elements; expected 0 (no bias) or {channels}.", "bias");
}
