using System.Runtime.Intrinsics;
using ConvGen.Runtime.Simd;
using static ConvGen.Runtime.Simd.LaneShuffle;

namespace ConvGen.Runtime.Kernels;

/// <summary>
/// PyTorch <c>ConvTranspose2d</c> (and <c>ConvTranspose1d</c> as height 1) at batch 1: stride, padding,
/// output_padding, dilation, groups (depthwise included), bias and a fused activation.
/// </summary>
/// <remarks>
/// <para>
/// Per group, a GEMM computes the columns C[m, n] = sum over k of W[k, m] * X[k, n], where k is an input channel of
/// the group, m = (output channel, kh, kw) and n an input position; then col2im adds each column row into its output
/// channel, shifted by the tap: o = i*stride - pad + k*dilation. The output starts as the bias, so positions no input
/// reaches (output_padding rows, say) hold just the bias; the activation runs over each output plane once it is
/// complete.
/// </para>
/// <para>
/// The GEMM is <see cref="Gemm"/>'s, vectorised along the input positions (register tiles of 8 rows x 3 vectors with
/// 512-bit vectors, 4 rows x 3 vectors narrower); the weights are packed once in panels of <see cref="PanelRows"/> rows,
/// so the broadcast operand is contiguous. When there are fewer input positions than vector lanes (a 1x1 latent, a 2x2 map),
/// the GEMM is vectorised along m instead, over the same panels, into columns stored position-major. With one input
/// channel per group (depthwise) there is no GEMM: col2im scales the input plane by each tap directly.
/// </para>
/// <para>
/// Sums: each column element is a fused multiply-add chain over the group's input channels in order, and each output
/// element adds its taps to the bias in (kh, kw) order, at every width and alignment; so the widths agree to the bit
/// before the activation (whose vector and scalar forms may differ in the last bits).
/// </para>
/// </remarks>
public static class ConvTranspose2d
{
    /// <summary>Rows (m values) per packed weight panel (<see cref="ConvTranspose2dGeometry.PanelRows"/>).</summary>
    internal const int PanelRows = ConvTranspose2dGeometry.PanelRows;

    /// <summary>
    /// Packs PyTorch's weights [InChannels, OutChannels/Groups, KernelHeight, KernelWidth] (BatchNorm already folded)
    /// for <see cref="Forward"/>: per group, panels of <see cref="PanelRows"/> m-rows (m = (output channel, kh, kw)),
    /// each stored input-channel-major, the last panel padded with zeros.
    /// </summary>
    public static float[] PackWeights(ReadOnlySpan<float> weights, in ConvTranspose2dGeometry g)
    {
        g.Validate();
        if (weights.Length != g.WeightsLength)
            throw new ArgumentException($"weights has {weights.Length} floats, the geometry needs {g.WeightsLength} " +
                $"({g.InChannels}x{g.OutChannels / g.Groups}x{g.KernelHeight}x{g.KernelWidth}).", nameof(weights));
        int m = Rows(g), k = g.InChannels / g.Groups, panels = Panels(m);
        var packed = new float[PackedLength(g)];
        for (int group = 0; group < g.Groups; group++)
            for (int panel = 0; panel < panels; panel++)
            {
                int rows = Math.Min(PanelRows, m - panel * PanelRows);
                for (int ic = 0; ic < k; ic++)
                {
                    ReadOnlySpan<float> source = weights.Slice(((group * k + ic) * m) + panel * PanelRows, rows);
                    source.CopyTo(packed.AsSpan((((group * panels) + panel) * k + ic) * PanelRows, rows));
                }
            }
        return packed;
    }

    /// <summary>Floats in <see cref="PackWeights"/>' result: Groups * (m rounded up to a panel) * InChannels/Groups.</summary>
    public static int PackedLength(in ConvTranspose2dGeometry g) => g.Groups * Panels(Rows(g)) * PanelRows * (g.InChannels / g.Groups);

    /// <summary>
    /// Scratch <see cref="Forward"/> needs, in floats: the columns of one group,
    /// (OutChannels/Groups) * KernelHeight * KernelWidth * InHeight * InWidth.
    /// </summary>
    public static int WorkspaceLength(in ConvTranspose2dGeometry g)
    {
        g.Validate();
        return (int)g.ColumnsLength;
    }

    /// <summary>
    /// output = epilogue(conv_transpose2d(input, weights) + bias). <paramref name="packedWeights"/> comes from
    /// <see cref="PackWeights"/>; <paramref name="bias"/> is empty (none) or has OutChannels floats;
    /// <paramref name="workspace"/> has at least <see cref="WorkspaceLength"/> floats, its contents are overwritten.
    /// Input, output and workspace must not overlap.
    /// </summary>
    public static void Forward(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packedWeights,
        ReadOnlySpan<float> bias, in ConvTranspose2dGeometry g, Epilogue epilogue, Span<float> workspace)
    {
        g.Validate();
        CheckLengths(input.Length, output.Length, packedWeights.Length, bias.Length, workspace.Length, g);
        var job = new Job(input, output, packedWeights, bias, g, epilogue, workspace);
        WidthDispatch.Run(ref job);
    }

    private readonly ref struct Job(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packedWeights, ReadOnlySpan<float> bias,
        ConvTranspose2dGeometry g, Epilogue epilogue, Span<float> workspace) : IWidthKernel
    {
        private readonly ReadOnlySpan<float> _input = input, _packedWeights = packedWeights, _bias = bias;
        private readonly Span<float> _output = output, _workspace = workspace;

        public void Run<TOps, TVec>() where TOps : IVectorOps<TVec> where TVec : struct =>
            Forward<TOps, TVec>(_input, _output, _packedWeights, _bias, g, epilogue, _workspace);
    }

    // ---- Per-width implementation (arguments already validated) ----

    internal static void Forward<TOps, TVec>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packedWeights,
        ReadOnlySpan<float> bias, in ConvTranspose2dGeometry g, Epilogue epilogue, Span<float> workspace)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        ref float x = ref MemoryMarshal.GetReference(input);
        ref float y = ref MemoryMarshal.GetReference(output);
        ref float w = ref MemoryMarshal.GetReference(packedWeights);
        ref float columns = ref MemoryMarshal.GetReference(workspace);
        bool hasBias = !bias.IsEmpty;
        int m = Rows(g), k = g.InChannels / g.Groups, n = g.InHeight * g.InWidth;
        int outPerGroup = g.OutChannels / g.Groups, taps = g.KernelHeight * g.KernelWidth, plane = g.OutHeight * g.OutWidth;
        nint groupWeights = (nint)Panels(m) * PanelRows * k;
        // With a column stride, a tap's outputs along a row are every stride-th: each output row is accumulated
        // phase-split (the outputs of column phase 0, then phase 1, ...), where every tap adds a contiguous run,
        // and put back in order, activated, once the plane is complete.
        bool phaseSplit = g.StrideWidth > 1 && g.OutWidth <= MaxPhaseSplitRow;
        Span<float> rowBuffer = phaseSplit ? stackalloc float[g.OutWidth] : default;
        // Each tap's input rows and columns that land inside the output, and where they land (computed once).
        int tableLength = 3 * (g.KernelHeight + g.KernelWidth);
        Span<int> tapTable = tableLength <= 768 ? stackalloc int[tableLength] : new int[tableLength];
        Span<int> tapRows = tapTable[..(3 * g.KernelHeight)], tapColumns = tapTable[(3 * g.KernelHeight)..];
        TapRanges(g, phaseSplit, tapRows, tapColumns);
        int columnStep = phaseSplit ? 1 : g.StrideWidth;
        for (int group = 0; group < g.Groups; group++)
        {
            ref float xg = ref Unsafe.Add(ref x, (nint)group * k * n);
            ref float wg = ref Unsafe.Add(ref w, group * groupWeights);
            // Where column row r's element for input position p is: columns[r * rowStride + p * positionStride].
            bool direct = k == 1;
            nint rowStride, positionStride;
            if (direct)
            {
                rowStride = 0; positionStride = 1;   // col2im reads the input plane, scaled by the tap's weight
            }
            else if (n >= TOps.Count)
            {
                Gemm.RunPacked<TOps, TVec>(ref wg, m, k, ref xg, n, n, n, ref columns, n, ref columns, hasBias: false, Epilogue.None, PanelRows);
                rowStride = n; positionStride = 1;
            }
            else
            {
                GemmAlongRows<TOps, TVec>(ref wg, ref xg, ref columns, m, k, n);
                rowStride = 1; positionStride = m;
            }
            for (int oc = 0; oc < outPerGroup; oc++)
            {
                int channel = group * outPerGroup + oc;
                ref float yc = ref Unsafe.Add(ref y, (nint)channel * plane);
                MemoryMarshal.CreateSpan(ref yc, plane).Fill(hasBias ? bias[channel] : 0f);
                for (int kh = 0; kh < g.KernelHeight; kh++)
                {
                    int ih0 = tapRows[3 * kh], ih1 = tapRows[3 * kh + 1], offsetH = tapRows[3 * kh + 2];
                    if (ih1 < ih0) continue;
                    for (int kw = 0; kw < g.KernelWidth; kw++)
                    {
                        int iw0 = tapColumns[3 * kw], count = tapColumns[3 * kw + 1], first = tapColumns[3 * kw + 2];
                        if (count <= 0) continue;
                        int row = oc * taps + kh * g.KernelWidth + kw;
                        // Input (ih, iw0) lands at plane[(ih*sh + offsetH) * OutWidth + first], the next column columnStep further.
                        ref float source = ref direct ? ref xg : ref Unsafe.Add(ref columns, row * rowStride);
                        float scale = direct ? WeightOfDirect(ref wg, row) : 1f;
                        for (int ih = ih0; ih <= ih1; ih++)
                        {
                            ref float src = ref Unsafe.Add(ref source, (nint)(ih * g.InWidth + iw0) * positionStride);
                            ref float dst = ref Unsafe.Add(ref yc, (nint)(ih * g.StrideHeight + offsetH) * g.OutWidth + first);
                            if (positionStride == 1 && columnStep == 1) AddScaledRun<TOps, TVec>(ref src, ref dst, count, scale);
                            else AddScaledStrided(ref src, positionStride, ref dst, columnStep, count, scale);
                        }
                    }
                }
                if (phaseSplit) InterleavePhases<TOps, TVec>(ref yc, g, epilogue, rowBuffer);
                else if (epilogue.Activation != ActivationKind.None) Activate<TOps, TVec>(ref yc, plane, epilogue);
            }
        }
    }

    /// <summary>With one input channel per group, packed row r's weight is at r (panels of one k are back to back).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float WeightOfDirect(ref float groupWeights, int row) => Unsafe.Add(ref groupWeights, row);

    // ---- GEMM along rows: columns[p, r] (position-major, m per position), n < TOps.Count ----

    /// <summary>
    /// columns[p * m + r] = sum over c of W[c, r] * X[c * n + p], vectorised along r over the packed panels (a panel
    /// row of one input channel is <see cref="PanelRows"/> contiguous weights), four positions at a time. For maps
    /// smaller than a vector: a 1x1 latent, a 2x2 or 3x3 map.
    /// </summary>
    private static void GemmAlongRows<TOps, TVec>(ref float w, ref float x, ref float columns, int m, int k, int n)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        int v = TOps.Count;
        int panels = Panels(m);
        Span<float> buffer = stackalloc float[4 * 16];
        ref float t = ref MemoryMarshal.GetReference(buffer);
        for (int panel = 0; panel < panels; panel++)
            for (int r0 = panel * PanelRows; r0 < Math.Min(m, (panel + 1) * PanelRows); r0 += v)
            {
                ref float a0 = ref Unsafe.Add(ref w, (nint)panel * PanelRows * k + r0 % PanelRows);
                for (int p = 0; p < n; p += 4)
                {
                    // Positions past n repeat the last one (computed, not stored), so the loop has no branches.
                    int count = Math.Min(4, n - p);
                    int p1 = p + Math.Min(1, count - 1), p2 = p + Math.Min(2, count - 1), p3 = p + Math.Min(3, count - 1);
                    TVec s0 = TOps.Zero, s1 = TOps.Zero, s2 = TOps.Zero, s3 = TOps.Zero;
                    ref float a = ref a0;
                    ref float b = ref x;
                    for (int i = 0; i < k; i++)
                    {
                        TVec wv = TOps.Load(ref a);
                        s0 = TOps.MultiplyAdd(wv, TOps.Create(Unsafe.Add(ref b, p)), s0);
                        s1 = TOps.MultiplyAdd(wv, TOps.Create(Unsafe.Add(ref b, p1)), s1);
                        s2 = TOps.MultiplyAdd(wv, TOps.Create(Unsafe.Add(ref b, p2)), s2);
                        s3 = TOps.MultiplyAdd(wv, TOps.Create(Unsafe.Add(ref b, p3)), s3);
                        a = ref Unsafe.Add(ref a, PanelRows);
                        b = ref Unsafe.Add(ref b, n);
                    }
                    int rows = Math.Min(v, m - r0);
                    if (rows == v)
                    {
                        ref float c = ref Unsafe.Add(ref columns, (nint)p * m + r0);
                        TOps.Store(s0, ref c);
                        if (count > 1) TOps.Store(s1, ref Unsafe.Add(ref c, m));
                        if (count > 2) TOps.Store(s2, ref Unsafe.Add(ref c, 2 * m));
                        if (count > 3) TOps.Store(s3, ref Unsafe.Add(ref c, 3 * m));
                    }
                    else
                    {
                        TOps.Store(s0, ref t);
                        TOps.Store(s1, ref Unsafe.Add(ref t, 16));
                        TOps.Store(s2, ref Unsafe.Add(ref t, 32));
                        TOps.Store(s3, ref Unsafe.Add(ref t, 48));
                        for (int j = 0; j < count; j++)
                            MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref t, 16 * j), rows)
                                .CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref columns, (nint)(p + j) * m + r0), rows));
                    }
                }
            }
    }

    // ---- col2im ----

    /// <summary>Longest output row accumulated phase-split (its buffer is on the stack); longer rows scatter with a stride.</summary>
    private const int MaxPhaseSplitRow = 4096;

    /// <summary>
    /// Per kernel row kh: the first and last input rows whose output row ih*StrideHeight + offsetH lies inside, and
    /// offsetH = kh*DilationHeight - PadTop. Per kernel column kw: the first input column iw0 that lands inside, how
    /// many do, and where iw0 lands in an output row: iw0*StrideWidth + offsetW, or with <paramref name="phaseSplit"/>
    /// its place PhaseStart(phase) + j in the phase-split row (output column j*StrideWidth + phase).
    /// </summary>
    private static void TapRanges(in ConvTranspose2dGeometry g, bool phaseSplit, Span<int> rows, Span<int> columns)
    {
        int sh = g.StrideHeight, sw = g.StrideWidth;
        for (int kh = 0; kh < g.KernelHeight; kh++)
        {
            int offset = kh * g.DilationHeight - g.PadTop;
            // 0 <= ih*sh + offset < OutHeight.
            rows[3 * kh] = offset >= 0 ? 0 : (-offset + sh - 1) / sh;
            rows[3 * kh + 1] = g.OutHeight - 1 - offset < 0 ? -1 : Math.Min(g.InHeight - 1, (g.OutHeight - 1 - offset) / sh);
            rows[3 * kh + 2] = offset;
        }
        for (int kw = 0; kw < g.KernelWidth; kw++)
        {
            int offset = kw * g.DilationWidth - g.PadLeft;
            int iw0 = offset >= 0 ? 0 : (-offset + sw - 1) / sw;
            int iw1 = g.OutWidth - 1 - offset < 0 ? -1 : Math.Min(g.InWidth - 1, (g.OutWidth - 1 - offset) / sw);
            int ow0 = iw0 * sw + offset;
            columns[3 * kw] = iw0;
            columns[3 * kw + 1] = iw1 - iw0 + 1;
            columns[3 * kw + 2] = phaseSplit ? PhaseStart(g.OutWidth, sw, ow0 % sw) + ow0 / sw : ow0;
        }
    }

    /// <summary>dst[i] += scale * src[i] for i &lt; count (fused): full vectors, then <see cref="AddScaledTail"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddScaledRun<TOps, TVec>(ref float src, ref float dst, int count, float scale)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        TVec s = TOps.Create(scale);
        int i = 0;
        for (; i <= count - TOps.Count; i += TOps.Count)
        {
            ref float d = ref Unsafe.Add(ref dst, i);
            TOps.Store(TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref src, i)), s, TOps.Load(ref d)), ref d);
        }
        if (i < count) AddScaledTail<TOps, TVec>(ref Unsafe.Add(ref src, i), ref Unsafe.Add(ref dst, i), count - i, scale);
    }

    /// <summary>
    /// The last <paramref name="count"/> &lt; TOps.Count floats of a run: one masked vector where the ISA has masked
    /// loads and stores (AVX-512, AVX: lanes masked off are neither read, stored nor faulted on, so the run may end
    /// at the end of a buffer), else one at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static unsafe void AddScaledTail<TOps, TVec>(ref float src, ref float dst, int count, float scale)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        ref float lanes = ref MemoryMarshal.GetReference(LaneIndex);
        fixed (float* ps = &src, pd = &dst)
        {
            if (typeof(TVec) == typeof(Vector512<float>) && System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
            {
                Vector512<float> mask = Vector512.LessThan(Vector512.LoadUnsafe(ref lanes), Vector512.Create((float)count));
                Vector512<float> x = System.Runtime.Intrinsics.X86.Avx512F.MaskLoad(ps, mask, Vector512<float>.Zero);
                Vector512<float> d = System.Runtime.Intrinsics.X86.Avx512F.MaskLoad(pd, mask, Vector512<float>.Zero);
                System.Runtime.Intrinsics.X86.Avx512F.MaskStore(pd, mask, Vector512.FusedMultiplyAdd(x, Vector512.Create(scale), d));
                return;
            }
            if (typeof(TVec) == typeof(Vector256<float>) && System.Runtime.Intrinsics.X86.Avx.IsSupported)
            {
                Vector256<float> mask = Vector256.LessThan(Vector256.LoadUnsafe(ref lanes), Vector256.Create((float)count));
                Vector256<float> x = System.Runtime.Intrinsics.X86.Avx.MaskLoad(ps, mask);
                Vector256<float> d = System.Runtime.Intrinsics.X86.Avx.MaskLoad(pd, mask);
                System.Runtime.Intrinsics.X86.Avx.MaskStore(pd, mask, Vec256.MultiplyAdd(x, Vector256.Create(scale), d));
                return;
            }
            if (typeof(TVec) == typeof(Vector128<float>) && System.Runtime.Intrinsics.X86.Avx.IsSupported)
            {
                Vector128<float> mask = Vector128.LessThan(Vector128.LoadUnsafe(ref lanes), Vector128.Create((float)count));
                Vector128<float> x = System.Runtime.Intrinsics.X86.Avx.MaskLoad(ps, mask);
                Vector128<float> d = System.Runtime.Intrinsics.X86.Avx.MaskLoad(pd, mask);
                System.Runtime.Intrinsics.X86.Avx.MaskStore(pd, mask, Vec128.MultiplyAdd(x, Vector128.Create(scale), d));
                return;
            }
        }
        AddScaledStrided(ref src, 1, ref dst, 1, count, scale);
    }

    /// <summary>dst[i * dstStride] += scale * src[i * srcStride] for i &lt; count (fused), one at a time.</summary>
    private static void AddScaledStrided(ref float src, nint srcStride, ref float dst, nint dstStride, int count, float scale)
    {
        for (int i = 0; i < count; i++)
        {
            ref float d = ref Unsafe.Add(ref dst, i * dstStride);
            d = Scalar.MultiplyAdd(Unsafe.Add(ref src, i * srcStride), scale, d);
        }
    }

    /// <summary>0, 1, ..., 15: lane indices for the widest vector.</summary>
    private static ReadOnlySpan<float> LaneIndex => [0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f, 10f, 11f, 12f, 13f, 14f, 15f];

    /// <summary>Where phase <paramref name="phase"/> starts in a phase-split row: the outputs of the phases before it, ceil((width - q) / stride) each.</summary>
    private static int PhaseStart(int width, int stride, int phase)
    {
        int start = 0;
        for (int q = 0; q < phase; q++) start += (width - q + stride - 1) / stride;
        return start;
    }

    /// <summary>
    /// Puts every row of a phase-split plane back in order (output column j*StrideWidth + phase from PhaseStart(phase) + j)
    /// and applies the epilogue. Stride 2 interleaves two vectors at a time where the width has a shuffle for it.
    /// </summary>
    private static void InterleavePhases<TOps, TVec>(ref float plane, in ConvTranspose2dGeometry g, Epilogue epilogue, Span<float> rowBuffer)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        int width = g.OutWidth, sw = g.StrideWidth;
        ref float buffer = ref MemoryMarshal.GetReference(rowBuffer);
        bool activate = epilogue.Activation != ActivationKind.None;
        for (int oh = 0; oh < g.OutHeight; oh++)
        {
            ref float row = ref Unsafe.Add(ref plane, (nint)oh * width);
            MemoryMarshal.CreateReadOnlySpan(ref row, width).CopyTo(rowBuffer);
            if (sw == 2 && TOps.Count > 1 && CanZip<TVec>())
            {
                int evens = (width + 1) / 2, odds = width / 2;
                ref float odd = ref Unsafe.Add(ref buffer, evens);
                int j = 0;
                for (; j <= odds - TOps.Count; j += TOps.Count)
                {
                    TVec a = TOps.Load(ref Unsafe.Add(ref buffer, j)), b = TOps.Load(ref Unsafe.Add(ref odd, j));
                    TVec lo = ZipLow(a, b), hi = ZipHigh(a, b);
                    if (activate)
                    {
                        lo = epilogue.Apply<TOps, TVec>(lo);
                        hi = epilogue.Apply<TOps, TVec>(hi);
                    }
                    TOps.Store(lo, ref Unsafe.Add(ref row, 2 * j));
                    TOps.Store(hi, ref Unsafe.Add(ref row, 2 * j + TOps.Count));
                }
                for (; j < evens; j++)
                {
                    float e = Unsafe.Add(ref buffer, j);
                    Unsafe.Add(ref row, 2 * j) = activate ? epilogue.Apply(e) : e;
                    if (j < odds)
                    {
                        float o = Unsafe.Add(ref odd, j);
                        Unsafe.Add(ref row, 2 * j + 1) = activate ? epilogue.Apply(o) : o;
                    }
                }
                continue;
            }
            int start = 0;
            for (int phase = 0; phase < sw; phase++)
            {
                int j = 0;
                for (int ow = phase; ow < width; ow += sw) Unsafe.Add(ref row, ow) = Unsafe.Add(ref buffer, start + j++);
                start += j;
            }
            if (activate) Activate<TOps, TVec>(ref row, width, epilogue);
        }
    }

    // ---- Epilogue ----

    /// <summary>x = epilogue(x) over one output plane; the last vector overlaps, loaded before the loop (as in Elementwise).</summary>
    private static void Activate<TOps, TVec>(ref float x, int length, Epilogue epilogue)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        int i = 0;
        if (length >= TOps.Count)
        {
            ref float lastStart = ref Unsafe.Add(ref x, length - TOps.Count);
            TVec last = TOps.Load(ref lastStart);
            for (; i <= length - TOps.Count; i += TOps.Count)
            {
                ref float p = ref Unsafe.Add(ref x, i);
                TOps.Store(epilogue.Apply<TOps, TVec>(TOps.Load(ref p)), ref p);
            }
            if (i < length) TOps.Store(epilogue.Apply<TOps, TVec>(last), ref lastStart);
            return;
        }
        for (; i < length; i++) Unsafe.Add(ref x, i) = epilogue.Apply(Unsafe.Add(ref x, i));
    }

    // ---- Sizes and argument checks ----

    /// <summary>m: column rows per group, (OutChannels/Groups) * KernelHeight * KernelWidth.</summary>
    private static int Rows(in ConvTranspose2dGeometry g) => g.OutChannels / g.Groups * g.KernelHeight * g.KernelWidth;

    private static int Panels(int rows) => (rows + PanelRows - 1) / PanelRows;

    private static void CheckLengths(int inputLength, int outputLength, int packedLength, int biasLength, int workspaceLength, in ConvTranspose2dGeometry g)
    {
        if (inputLength != g.InputLength)
            throw new ArgumentException($"input has {inputLength} floats, the geometry needs {g.InputLength} ({g.InChannels}x{g.InHeight}x{g.InWidth}).", "input");
        if (outputLength != g.OutputLength)
            throw new ArgumentException($"output has {outputLength} floats, the geometry needs {g.OutputLength} ({g.OutChannels}x{g.OutHeight}x{g.OutWidth}).", "output");
        int packed = PackedLength(g);
        if (packedLength != packed)
            throw new ArgumentException($"packedWeights has {packedLength} floats, the geometry needs {packed} (from PackWeights).", "packedWeights");
        if (biasLength != 0 && biasLength != g.OutChannels)
            throw new ArgumentException($"bias has {biasLength} floats, it needs 0 (none) or {g.OutChannels} (OutChannels).", "bias");
        int workspace = Rows(g) * g.InHeight * g.InWidth;
        if (workspaceLength < workspace)
            throw new ArgumentException($"workspace has {workspaceLength} floats, the geometry needs {workspace} (WorkspaceLength).", "workspace");
    }
}
