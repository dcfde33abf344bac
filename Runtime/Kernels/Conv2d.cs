using System.Buffers;
using System.Runtime.Intrinsics;
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

    /// <summary>
    /// Floats of scratch <see cref="Im2ColGemm"/> needs for <paramref name="g"/>: 0 for a pointwise geometry, else
    /// what the algorithm it picks for the shape uses (one group at a time).
    /// </summary>
    public static int Im2ColWorkspaceLength(in Conv2dGeometry g)
    {
        g.Validate();
        return WorkspaceLength(g, ChooseAlgorithm(g));
    }

    /// <summary>
    /// Any convolution, as a GEMM of the packed weights with the input seen as a matrix with one row per input
    /// channel and kernel tap and one column per output position. At stride 1 those rows are shifted views of the
    /// (zero-padded, if the geometry pads) input planes, so the GEMM reads them in place and computes each output
    /// row as wide as the padded input row, keeping the first OutWidth columns; otherwise (or when that would waste
    /// too much) the input is unfolded into a column matrix first (im2col), zeros for padding taps.
    /// <paramref name="bias"/> is empty (no bias) or has OutChannels values; <paramref name="workspace"/> has at
    /// least <see cref="Im2ColWorkspaceLength"/> floats.
    /// </summary>
    public static void Im2ColGemm(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packedWeights,
        ReadOnlySpan<float> bias, in Conv2dGeometry g, Epilogue epilogue, Span<float> workspace)
    {
        if (Vec512.IsHardwareAccelerated) Im2ColGemm<Vec512, Vector512<float>>(input, output, packedWeights, bias, g, epilogue, workspace);
        else if (Vec256.IsHardwareAccelerated) Im2ColGemm<Vec256, Vector256<float>>(input, output, packedWeights, bias, g, epilogue, workspace);
        else if (Vec128.IsHardwareAccelerated) Im2ColGemm<Vec128, Vector128<float>>(input, output, packedWeights, bias, g, epilogue, workspace);
        else Im2ColGemm<Scalar, float>(input, output, packedWeights, bias, g, epilogue, workspace);
    }

    /// <summary>
    /// A 1x1 kernel at stride 1 without padding (any groups): the input planes are the GEMM's right-hand matrix as
    /// they are, so no workspace.
    /// </summary>
    public static void Pointwise(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packedWeights,
        ReadOnlySpan<float> bias, in Conv2dGeometry g, Epilogue epilogue)
    {
        if (Vec512.IsHardwareAccelerated) Pointwise<Vec512, Vector512<float>>(input, output, packedWeights, bias, g, epilogue);
        else if (Vec256.IsHardwareAccelerated) Pointwise<Vec256, Vector256<float>>(input, output, packedWeights, bias, g, epilogue);
        else if (Vec128.IsHardwareAccelerated) Pointwise<Vec128, Vector128<float>>(input, output, packedWeights, bias, g, epilogue);
        else Pointwise<Scalar, float>(input, output, packedWeights, bias, g, epilogue);
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
    /// c / (OutChannels / InChannels)); any kernel, stride, padding and dilation. Vectorised along the output width,
    /// or along the whole output plane when rows are narrower than a vector (stride 1, output width = input width).
    /// </summary>
    public static void Depthwise(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packedWeights,
        ReadOnlySpan<float> bias, in Conv2dGeometry g, Epilogue epilogue)
    {
        if (Vec512.IsHardwareAccelerated) Depthwise<Vec512, Vector512<float>>(input, output, packedWeights, bias, g, epilogue);
        else if (Vec256.IsHardwareAccelerated) Depthwise<Vec256, Vector256<float>>(input, output, packedWeights, bias, g, epilogue);
        else if (Vec128.IsHardwareAccelerated) Depthwise<Vec128, Vector128<float>>(input, output, packedWeights, bias, g, epilogue);
        else Depthwise<Scalar, float>(input, output, packedWeights, bias, g, epilogue);
    }

    // ---------------------------------------------------------------------------------------------- im2col + GEMM

    /// <summary><see cref="Im2ColGemm(ReadOnlySpan{float}, Span{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, in Conv2dGeometry, Epilogue, Span{float})"/> at one width.</summary>
    internal static void Im2ColGemm<TOps, TVec>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packedWeights,
        ReadOnlySpan<float> bias, in Conv2dGeometry g, Epilogue epilogue, Span<float> workspace, ConvAlgorithm algorithm = ConvAlgorithm.Auto)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        CheckGemmArguments(input, output, packedWeights, bias, g);
        if (algorithm == ConvAlgorithm.Auto) algorithm = ChooseAlgorithm(g);
        if (algorithm == ConvAlgorithm.Shifted && (g.StrideHeight != 1 || g.StrideWidth != 1))
            throw new ArgumentException("The shifted algorithm needs stride 1.", nameof(algorithm));
        int needed = WorkspaceLength(g, algorithm);
        if (workspace.Length < needed)
            throw new ArgumentException($"workspace has {workspace.Length} elements; Im2ColGemm needs {needed}.", nameof(workspace));
        if (algorithm == ConvAlgorithm.Shifted)
            ShiftedGemm<TOps, TVec>(input, output, packedWeights, bias, g, epilogue, workspace.Slice(0, needed));
        else
            GroupedGemm<TOps, TVec>(input, output, packedWeights, bias, g, epilogue, workspace.Slice(0, needed));
    }

    /// <summary>How <see cref="Im2ColGemm"/> forms the GEMM's right-hand matrix (tests force each one).</summary>
    internal enum ConvAlgorithm
    {
        /// <summary>Pick by shape.</summary>
        Auto,
        /// <summary>Unfold into a column matrix (pointwise geometries use the input planes directly).</summary>
        Im2Col,
        /// <summary>Stride 1: shifted views of the (padded) input planes, output rows computed padded-input wide.</summary>
        Shifted,
    }

    // Shifted reads no unfolded copy but computes each output row PaddedWidth wide (PaddedWidth - OutWidth columns
    // are thrown away), so it pays off unless the waste, times the output channels that each waste a multiply-add
    // per column and tap, outweighs unfolding (about one store per tap and column, worth ~16 multiply-adds).
    private static ConvAlgorithm ChooseAlgorithm(in Conv2dGeometry g)
    {
        if (g.IsPointwise || g.StrideHeight != 1 || g.StrideWidth != 1) return ConvAlgorithm.Im2Col;
        int paddedWidth = ShiftedWidth(g);
        return g.OutHeight == 1 || (long)(paddedWidth - g.OutWidth) * g.OutChannelsPerGroup <= 16L * g.OutWidth
            ? ConvAlgorithm.Shifted : ConvAlgorithm.Im2Col;
    }

    // Stride 1: the padded input row is OutWidth + (KW-1)*DW wide and the padded plane OutHeight + (KH-1)*DH tall.
    private static int ShiftedWidth(in Conv2dGeometry g) => g.OutWidth + (g.KernelWidth - 1) * g.DilationWidth;

    private static int ShiftedHeight(in Conv2dGeometry g) => g.OutHeight + (g.KernelHeight - 1) * g.DilationHeight;

    // The input planes serve as they are when the geometry does not pad (then the padded plane is the input plane).
    private static bool ShiftedNeedsPadding(in Conv2dGeometry g) => ShiftedWidth(g) != g.InWidth || ShiftedHeight(g) != g.InHeight
        || g.PadTop != 0 || g.PadLeft != 0;

    // Output rows computed PaddedWidth apart, the last one only OutWidth wide.
    private static int ShiftedColumns(in Conv2dGeometry g) => (g.OutHeight - 1) * ShiftedWidth(g) + g.OutWidth;

    // The GEMM can write the output directly when its rows are not wider than the output's.
    private static bool ShiftedWritesOutput(in Conv2dGeometry g) => g.OutHeight == 1 || ShiftedWidth(g) == g.OutWidth;

    internal static int WorkspaceLength(in Conv2dGeometry g, ConvAlgorithm algorithm)
    {
        if (g.IsPointwise) return 0;
        if (algorithm != ConvAlgorithm.Shifted) return g.ReductionLength * g.OutputPlane;
        long planes = ShiftedNeedsPadding(g) ? (long)g.InChannelsPerGroup * ShiftedHeight(g) * ShiftedWidth(g) : 0;
        long wide = ShiftedWritesOutput(g) ? 0 : (long)g.OutChannelsPerGroup * ShiftedColumns(g);
        return checked((int)(planes + wide));
    }

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
        GemmBias biasMode = bias.IsEmpty ? GemmBias.None : GemmBias.PerRow;
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
                ref (biasMode == GemmBias.None ? ref biasRef : ref Unsafe.Add(ref biasRef, group * m)), biasMode, epilogue);
        }
    }

    // Per group: zero-pad the input planes into the workspace unless the geometry does not pad, GEMM with B row
    // (c, kh, kw) = padded plane c shifted by (kh * DH, kw * DW), output rows PaddedWidth apart; then keep the first
    // OutWidth columns of each row (or, when the rows are not wider than the output's, write the output directly).
    private static void ShiftedGemm<TOps, TVec>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packedWeights,
        ReadOnlySpan<float> bias, in Conv2dGeometry g, Epilogue epilogue, Span<float> workspace)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        int m = g.OutChannelsPerGroup, k = g.ReductionLength, n = g.OutputPlane, channels = g.InChannelsPerGroup;
        int h = g.InHeight, w = g.InWidth, oh = g.OutHeight, ow = g.OutWidth;
        int paddedWidth = ShiftedWidth(g), paddedHeight = ShiftedHeight(g), columns = ShiftedColumns(g);
        bool pad = ShiftedNeedsPadding(g), direct = ShiftedWritesOutput(g);
        int planeLength = pad ? paddedHeight * paddedWidth : h * w;
        int groupInput = channels * h * w, groupWeights = Gemm.PackedLength(m, k);
        GemmBias biasMode = bias.IsEmpty ? GemmBias.None : GemmBias.PerRow;

        int[]? rented = k <= 4096 ? null : ArrayPool<int>.Shared.Rent(k);
        Span<int> rows = rented is null ? stackalloc int[k] : rented.AsSpan(0, k);
        int p = 0;
        for (int c = 0; c < channels; c++)
            for (int kh = 0; kh < g.KernelHeight; kh++)
                for (int kw = 0; kw < g.KernelWidth; kw++)
                    rows[p++] = c * planeLength + kh * g.DilationHeight * paddedWidth + kw * g.DilationWidth;

        ref float inputRef = ref MemoryMarshal.GetReference(input);
        ref float outputRef = ref MemoryMarshal.GetReference(output);
        ref float weightRef = ref MemoryMarshal.GetReference(packedWeights);
        ref float biasRef = ref MemoryMarshal.GetReference(bias);
        ref float planesRef = ref MemoryMarshal.GetReference(workspace);
        ref float wideRef = ref Unsafe.Add(ref planesRef, pad ? channels * planeLength : 0);
        for (int group = 0; group < g.Groups; group++)
        {
            ref float groupIn = ref Unsafe.Add(ref inputRef, (nint)group * groupInput);
            ref float b = ref groupIn;
            if (pad)
            {
                PadPlanes(ref groupIn, channels, h, w, g.PadTop, g.PadLeft, paddedHeight, paddedWidth, ref planesRef);
                b = ref planesRef;
            }

            ref float groupOut = ref Unsafe.Add(ref outputRef, (nint)group * m * n);
            ref float c0 = ref direct ? ref groupOut : ref wideRef;
            Gemm.RunRows<TOps, TVec>(ref Unsafe.Add(ref weightRef, (nint)group * groupWeights), (nint)Gemm.MR * k, 1, Gemm.MR, m, k,
                ref b, rows, columns, columns, ref c0, columns,
                ref (biasMode == GemmBias.None ? ref biasRef : ref Unsafe.Add(ref biasRef, group * m)), biasMode, epilogue);
            if (direct) continue;
            for (int i = 0; i < m; i++)
                for (int y = 0; y < oh; y++)
                    RowCopy.Copy(ref Unsafe.Add(ref wideRef, i * columns + y * paddedWidth), ref Unsafe.Add(ref groupOut, i * n + y * ow), ow);
        }

        if (rented is not null) ArrayPool<int>.Shared.Return(rented);
    }

    // Copies `channels` h x w planes into paddedHeight x paddedWidth planes, input pixel (y, x) at (y + top, x + left),
    // zeros elsewhere (input pixels that fall outside, when the stride leaves them unread, are dropped).
    private static void PadPlanes(ref float input, int channels, int h, int w, int top, int left, int paddedHeight, int paddedWidth, ref float planes)
    {
        int copyWidth = Math.Min(w, paddedWidth - left);
        for (int c = 0; c < channels; c++)
        {
            ref float plane = ref Unsafe.Add(ref planes, c * paddedHeight * paddedWidth);
            ref float source = ref Unsafe.Add(ref input, c * h * w);
            for (int r = 0; r < paddedHeight; r++)
            {
                ref float row = ref Unsafe.Add(ref plane, r * paddedWidth);
                int y = r - top;
                if ((uint)y >= (uint)h || copyWidth <= 0)
                {
                    RowCopy.Zero(ref row, paddedWidth);
                    continue;
                }

                RowCopy.Zero(ref row, left);
                RowCopy.Copy(ref Unsafe.Add(ref source, y * w), ref Unsafe.Add(ref row, left), copyWidth);
                RowCopy.Zero(ref Unsafe.Add(ref row, left + copyWidth), paddedWidth - left - copyWidth);
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

    internal static void CheckLength(int actual, int expected, string name)
    {
        if (actual != expected)
            throw new ArgumentException($"{name} has {actual} elements; expected {expected}.", name);
    }

    internal static void CheckBias(int actual, int channels)
    {
        if (actual != 0 && actual != channels)
            throw new ArgumentException($"bias has {actual} elements; expected 0 (no bias) or {channels}.", "bias");
    }
}
