using System.Buffers;
using ConvGen.Runtime.Simd;

namespace ConvGen.Runtime.Kernels;

// The depthwise kernels: one group per input channel, vectorised along output rows or whole output planes (the
// shifted and pairs algorithms are in Conv2d.DepthwiseShifted.cs and Conv2d.DepthwisePairs.cs).
public static partial class Conv2d
{
    // ------------------------------------------------------------------------------------------------- depthwise

    /// <summary>Which depthwise algorithm runs (tests force each one).</summary>
    internal enum DepthwiseAlgorithm
    {
        /// <summary>Pick by shape.</summary>
        Auto,
        /// <summary>Vectors along each output row, on zero-padded copies of the input rows.</summary>
        Rows,
        /// <summary>Vectors along the whole output plane, masking taps that wrap into a neighbouring row (stride 1, OW = W only).</summary>
        Plane,
        /// <summary>Vectors along the whole output plane computed phase-width wide, on zero-padded stride-phase copies of each input plane.</summary>
        Shifted,
        /// <summary>The plane algorithm on each input plane split into even and odd columns (stride 2, no top/left padding, even width).</summary>
        Pairs,
    }

    /// <summary><see cref="Depthwise(ReadOnlySpan{float}, Span{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, in Conv2dGeometry, Epilogue)"/> at one width.</summary>
    internal static void Depthwise<TOps, TVec>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packedWeights,
        ReadOnlySpan<float> bias, in Conv2dGeometry g, Epilogue epilogue, DepthwiseAlgorithm algorithm = DepthwiseAlgorithm.Auto)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        CheckDepthwiseGeometry(g);
        CheckLength(input.Length, g.InputLength, nameof(input));
        CheckLength(output.Length, g.OutputLength, nameof(output));
        CheckLength(packedWeights.Length, g.WeightLength, nameof(packedWeights));
        CheckBias(bias.Length, g.OutChannels);

        bool planeApplies = g.StrideHeight == 1 && g.StrideWidth == 1 && g.OutWidth == g.InWidth;
        if (algorithm == DepthwiseAlgorithm.Plane && !planeApplies)
            throw new ArgumentException("The plane algorithm needs stride 1 and OutWidth == InWidth.", nameof(algorithm));
        if (algorithm == DepthwiseAlgorithm.Pairs && !PairsApplies(g))
            throw new ArgumentException("The pairs algorithm needs stride 2x2, dilation 1, no top/left padding, an even InWidth and OutWidth <= InWidth / 2.", nameof(algorithm));
        // The plane form wastes no lanes on row ends and has less bookkeeping per vector; measured faster than the
        // row form from 5 to 48 columns wide, so it runs wherever it applies. Otherwise (strided or narrowing layers)
        // the pairs form on small stride-2 planes, else the shifted form, both measured 1.5-3x the row form on the
        // VWW MobileNet stride-2 layers (the row form's per-row bookkeeping dominates on short rows); the row form
        // remains for planes whose phase copies would not fit the scratch limit.
        if (algorithm == DepthwiseAlgorithm.Auto)
            algorithm = planeApplies ? DepthwiseAlgorithm.Plane
                : PairsApplies(g) && g.OutputPlane <= PairsMaxOutputPlane && PairsScratchLength(g, TOps.Count) <= ShiftedMaxScratchFloats ? DepthwiseAlgorithm.Pairs
                : ShiftedScratchLength(g, TOps.Count) <= ShiftedMaxScratchFloats ? DepthwiseAlgorithm.Shifted : DepthwiseAlgorithm.Rows;
        if (algorithm == DepthwiseAlgorithm.Shifted && ShiftedScratchLength(g, TOps.Count) == long.MaxValue)
            throw new ArgumentException($"The shifted algorithm needs at most {ShiftedMaxPhases} stride phases and {ShiftedMaxTaps} taps.", nameof(algorithm));

        ref float biasRef = ref MemoryMarshal.GetReference(bias);
        if (algorithm == DepthwiseAlgorithm.Pairs)
            DepthwisePairs<TOps, TVec>(ref MemoryMarshal.GetReference(input), ref MemoryMarshal.GetReference(output),
                ref MemoryMarshal.GetReference(packedWeights), ref biasRef, !bias.IsEmpty, g, epilogue);
        else if (algorithm == DepthwiseAlgorithm.Shifted)
            DepthwiseShifted<TOps, TVec>(ref MemoryMarshal.GetReference(input), ref MemoryMarshal.GetReference(output),
                ref MemoryMarshal.GetReference(packedWeights), ref biasRef, !bias.IsEmpty, g, epilogue);
        else if (algorithm == DepthwiseAlgorithm.Plane)
            DepthwisePlane<TOps, TVec>(ref MemoryMarshal.GetReference(input), ref MemoryMarshal.GetReference(output),
                ref MemoryMarshal.GetReference(packedWeights), ref biasRef, !bias.IsEmpty, g, epilogue);
        else
            DepthwiseRows<TOps, TVec>(ref MemoryMarshal.GetReference(input), ref MemoryMarshal.GetReference(output),
                ref MemoryMarshal.GetReference(packedWeights), ref biasRef, !bias.IsEmpty, g, epilogue);
    }

    // Plane algorithm scratch: the input plane with PadTop zero rows above and zero rows below (the rows the taps
    // reach), PadLeft floats of slack in front, room for a vector read at the last position, then one column mask
    // per kernel column, W + lanes long.
    private static void PlaneLayout(in Conv2dGeometry g, int lanes, out int front, out int planeLength, out int maskLength)
    {
        int w = g.InWidth, n = g.OutHeight * w;
        int paddedRows = g.OutHeight + (g.KernelHeight - 1) * g.DilationHeight;
        front = g.PadLeft;
        int lastRead = front + Math.Max(n, lanes) - 1 + (g.KernelHeight - 1) * g.DilationHeight * w + (g.KernelWidth - 1) * g.DilationWidth - g.PadLeft;
        planeLength = Math.Max(front + paddedRows * w, lastRead + 1);
        maskLength = w + lanes;
    }

    private static long PlaneScratchLength(in Conv2dGeometry g, int lanes)
    {
        PlaneLayout(g, lanes, out _, out int planeLength, out int maskLength);
        return 2L * planeLength + (long)g.KernelWidth * maskLength;
    }

    /// <summary>
    /// Stride 1 with OutWidth == InWidth: output position p = y * W + x reads the padded plane at p + kh * DH * W +
    /// kw * DW - PL, a constant offset per tap, so one vector covers several rows. A tap column whose reads fall off
    /// the left or right edge wraps into a neighbouring row; those lanes are selected away with a per-column mask.
    /// Per output vector: for each kernel column, the sum over kernel rows, masked if the column is partial; the
    /// column sums are added to the bias in a fixed order (kernel-column order; for 3x3, (bias + c0) + (c1 + c2)).
    /// </summary>
    private static void DepthwisePlane<TOps, TVec>(ref float input, ref float output, ref float weights, ref float bias, bool hasBias,
        in Conv2dGeometry g, Epilogue epilogue)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        // Scratch on the stack for planes up to about 60x60, else pooled; the kernel runs in a method without
        // exception handling (a rented array that an exception strands is left to the GC).
        int length = checked((int)PlaneScratchLength(g, TOps.Count));
        float[]? rented = length <= DepthwiseStackFloats ? null : ArrayPool<float>.Shared.Rent(length);
        Span<float> scratch = rented is null ? stackalloc float[length] : rented.AsSpan(0, length);
        DepthwisePlaneCore<TOps, TVec>(ref input, ref output, ref weights, ref bias, hasBias, g, epilogue, scratch);
        if (rented is not null) ArrayPool<float>.Shared.Return(rented);
    }

    private static void DepthwisePlaneCore<TOps, TVec>(ref float input, ref float output, ref float weights, ref float bias, bool hasBias,
        in Conv2dGeometry g, Epilogue epilogue, Span<float> scratch)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        int lanes = TOps.Count;
        int h = g.InHeight, w = g.InWidth, n = g.OutHeight * w;
        int kh = g.KernelHeight, kw = g.KernelWidth, taps = kh * kw;
        int multiplier = g.OutChannels / g.InChannels;
        PlaneLayout(g, lanes, out int front, out int planeLength, out int maskLength);

        // Two planes: the next channel is copied into one while the other is read, so the reads never wait for
        // the copy's stores (a vector load that straddles recent stores cannot be forwarded from them).
        Span<float> planes = scratch.Slice(0, 2 * planeLength);
        Span<float> masks = scratch.Slice(2 * planeLength);
        // Per kernel column: the offset of its taps from the output position, and whether it needs a mask.
        Span<int> columnOffsets = stackalloc int[kw];
        Span<bool> partialColumns = stackalloc bool[kw];
        for (int kx = 0; kx < kw; kx++)
        {
            int offset = kx * g.DilationWidth - g.PadLeft;
            columnOffsets[kx] = front + offset;
            int lo = Math.Max(0, -offset), hi = Math.Min(w, w - offset);
            partialColumns[kx] = lo != 0 || hi != w;
            if (!partialColumns[kx]) continue;
            Span<float> mask = masks.Slice(kx * maskLength, maskLength);
            for (int j = 0; j < maskLength; j++)
            {
                int x = j % w;
                mask[j] = x >= lo && x < hi ? 1f : 0f;
            }
        }

        // Rows of the plane that hold input: ih in [0, copied) at plane row ih + PadTop; the rest stays zero.
        int paddedRows = g.OutHeight + (kh - 1) * g.DilationHeight;
        int copied = Math.Clamp(paddedRows - g.PadTop, 0, h);
        int dataStart = front + Math.Min(g.PadTop, paddedRows) * w;
        for (int i = 0; i < 2; i++)
        {
            planes.Slice(i * planeLength, dataStart).Clear();
            planes.Slice(i * planeLength + dataStart + copied * w, planeLength - dataStart - copied * w).Clear();
        }

        var shape = new PlaneShape(n, w, (nint)g.DilationHeight * w);
        Span<float> partial = stackalloc float[Gemm.MaxLanes];
        ref float planesRef = ref MemoryMarshal.GetReference(planes);
        ref float maskRef = ref MemoryMarshal.GetReference(masks);
        bool threeByThree = kh == 3 && kw == 3;
        GemmClamp clamp = GemmClamp.For(epilogue);
        RowCopy.Copy(ref input, ref Unsafe.Add(ref planesRef, dataStart), copied * w);
        for (int ci = 0; ci < g.InChannels; ci++)
        {
            ref float planeRef = ref Unsafe.Add(ref planesRef, (ci & 1) * planeLength);
            if (ci + 1 < g.InChannels)
                RowCopy.Copy(ref Unsafe.Add(ref input, (nint)(ci + 1) * h * w), ref Unsafe.Add(ref planesRef, ((ci + 1) & 1) * planeLength + dataStart), copied * w);
            for (int mi = 0; mi < multiplier; mi++)
            {
                int co = ci * multiplier + mi;
                ref float wc = ref Unsafe.Add(ref weights, (nint)co * taps);
                ref float outPlane = ref Unsafe.Add(ref output, (nint)co * n);
                float initial = hasBias ? Unsafe.Add(ref bias, co) : 0f;
                if (threeByThree)
                    PlaneChannel3x3<TOps, TVec>(ref planeRef, ref wc, initial, ref outPlane, shape, columnOffsets, partialColumns,
                        ref maskRef, maskLength, partial, clamp);
                else
                    PlaneChannel<TOps, TVec>(ref planeRef, ref wc, initial, ref outPlane, shape, kh, columnOffsets, partialColumns,
                        ref maskRef, maskLength, partial, clamp);
                if (!clamp.Enabled) Gemm.ActivateInPlace<TOps, TVec>(ref outPlane, n, epilogue);
            }
        }
    }

    // n output positions, plane (= input) width, floats between the rows of one kernel column's taps.
    private readonly record struct PlaneShape(int Positions, int Width, nint RowStep);

    // One output channel of the plane algorithm, any kernel.
    private static void PlaneChannel<TOps, TVec>(ref float plane, ref float weights, float bias, ref float output, PlaneShape shape, int kh,
        ReadOnlySpan<int> columnOffsets, ReadOnlySpan<bool> partialColumns, ref float masks, int maskLength, Span<float> partial, GemmClamp clamp)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        int lanes = TOps.Count, n = shape.Positions, w = shape.Width, kw = columnOffsets.Length;
        nint rowStep = shape.RowStep;
        int lanesModW = lanes % w, column = 0;
        TVec initial = TOps.Create(bias);
        for (int p = 0; ; p += lanes)
        {
            bool last = p + lanes >= n;
            int start = p;
            if (last)
            {
                start = Math.Max(0, n - lanes);
                column = start % w;
            }

            TVec acc = initial;
            ref float at = ref Unsafe.Add(ref plane, start);
            for (int kx = 0; kx < kw; kx++)
            {
                ref float x = ref Unsafe.Add(ref at, columnOffsets[kx]);
                ref float wk = ref Unsafe.Add(ref weights, kx);
                TVec sum = TOps.Multiply(TOps.Create(wk), TOps.Load(ref x));
                for (int ky = 1; ky < kh; ky++)
                    sum = TOps.MultiplyAdd(TOps.Create(Unsafe.Add(ref wk, ky * kw)), TOps.Load(ref Unsafe.Add(ref x, ky * rowStep)), sum);
                if (partialColumns[kx])
                    sum = TOps.SelectGreater(TOps.Load(ref Unsafe.Add(ref masks, kx * maskLength + column)), TOps.Zero, sum, TOps.Zero);
                acc = TOps.Add(acc, sum);
            }

            StorePlaneVector<TOps, TVec>(clamp.Apply<TOps, TVec>(acc), ref output, start, n, partial);
            if (last) break;
            // Branch-free: with the plane a few columns wide the wrap is unpredictable. (w - 1 - column) >> 31 is
            // all ones exactly when column >= w.
            column += lanesModW;
            column -= w & ((w - 1 - column) >> 31);
        }
    }

    // One output channel of the plane algorithm for a 3x3 kernel: the nine weights stay in registers.
    private static void PlaneChannel3x3<TOps, TVec>(ref float plane, ref float weights, float bias, ref float output, PlaneShape shape,
        ReadOnlySpan<int> columnOffsets, ReadOnlySpan<bool> partialColumns, ref float masks, int maskLength, Span<float> partial, GemmClamp clamp)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        int lanes = TOps.Count, n = shape.Positions, w = shape.Width;
        nint r1 = shape.RowStep, r2 = 2 * shape.RowStep;
        nint c0 = columnOffsets[0], c1 = columnOffsets[1], c2 = columnOffsets[2];
        bool m0 = partialColumns[0], m1 = partialColumns[1], m2 = partialColumns[2];
        ref float mask0 = ref masks;
        ref float mask1 = ref Unsafe.Add(ref masks, maskLength);
        ref float mask2 = ref Unsafe.Add(ref masks, 2 * maskLength);
        TVec w00 = TOps.Create(weights), w01 = TOps.Create(Unsafe.Add(ref weights, 1)), w02 = TOps.Create(Unsafe.Add(ref weights, 2));
        TVec w10 = TOps.Create(Unsafe.Add(ref weights, 3)), w11 = TOps.Create(Unsafe.Add(ref weights, 4)), w12 = TOps.Create(Unsafe.Add(ref weights, 5));
        TVec w20 = TOps.Create(Unsafe.Add(ref weights, 6)), w21 = TOps.Create(Unsafe.Add(ref weights, 7)), w22 = TOps.Create(Unsafe.Add(ref weights, 8));
        TVec initial = TOps.Create(bias);
        int lanesModW = lanes % w, column = 0;
        for (int p = 0; ; p += lanes)
        {
            bool last = p + lanes >= n;
            int start = p;
            if (last)
            {
                start = Math.Max(0, n - lanes);
                column = start % w;
            }

            ref float at = ref Unsafe.Add(ref plane, start);
            ref float x0 = ref Unsafe.Add(ref at, c0);
            ref float x1 = ref Unsafe.Add(ref at, c1);
            ref float x2 = ref Unsafe.Add(ref at, c2);
            // Per kernel column: (top + middle) row products as one fused step, plus the bottom row's product.
            TVec s0 = TOps.Add(TOps.MultiplyAdd(w10, TOps.Load(ref Unsafe.Add(ref x0, r1)), TOps.Multiply(w00, TOps.Load(ref x0))),
                TOps.Multiply(w20, TOps.Load(ref Unsafe.Add(ref x0, r2))));
            TVec s1 = TOps.Add(TOps.MultiplyAdd(w11, TOps.Load(ref Unsafe.Add(ref x1, r1)), TOps.Multiply(w01, TOps.Load(ref x1))),
                TOps.Multiply(w21, TOps.Load(ref Unsafe.Add(ref x1, r2))));
            TVec s2 = TOps.Add(TOps.MultiplyAdd(w12, TOps.Load(ref Unsafe.Add(ref x2, r1)), TOps.Multiply(w02, TOps.Load(ref x2))),
                TOps.Multiply(w22, TOps.Load(ref Unsafe.Add(ref x2, r2))));
            if (m0) s0 = TOps.SelectGreater(TOps.Load(ref Unsafe.Add(ref mask0, column)), TOps.Zero, s0, TOps.Zero);
            if (m1) s1 = TOps.SelectGreater(TOps.Load(ref Unsafe.Add(ref mask1, column)), TOps.Zero, s1, TOps.Zero);
            if (m2) s2 = TOps.SelectGreater(TOps.Load(ref Unsafe.Add(ref mask2, column)), TOps.Zero, s2, TOps.Zero);
            TVec sum = TOps.Add(TOps.Add(initial, s0), TOps.Add(s1, s2));
            StorePlaneVector<TOps, TVec>(clamp.Apply<TOps, TVec>(sum), ref output, start, n, partial);
            if (last) break;
            // Branch-free: with the plane a few columns wide the wrap is unpredictable. (w - 1 - column) >> 31 is
            // all ones exactly when column >= w.
            column += lanesModW;
            column -= w & ((w - 1 - column) >> 31);
        }
    }

    // Stores one vector of output positions [start, start + lanes), or only the n positions when the plane is
    // narrower than a vector.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StorePlaneVector<TOps, TVec>(TVec value, ref float output, int start, int n, Span<float> partial)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        if (n >= TOps.Count)
        {
            TOps.Store(value, ref Unsafe.Add(ref output, start));
            return;
        }

        ref float temp = ref MemoryMarshal.GetReference(partial);
        TOps.Store(value, ref temp);
        for (int i = 0; i < n; i++) Unsafe.Add(ref output, i) = Unsafe.Add(ref temp, i);
    }

    /// <summary>
    /// Any depthwise geometry: vectors along each output row. A band of input rows is copied into scratch with the
    /// left and right zero padding materialised and, for stride S &gt; 1, each row split into S phases (phase f holds
    /// padded columns f, f + S, ...), so every tap of every output row is a contiguous vector load. Taps whose input
    /// row is outside the input are skipped. Per output vector the taps are accumulated in kernel-row-major order
    /// onto the bias.
    /// </summary>
    private static void DepthwiseRows<TOps, TVec>(ref float input, ref float output, ref float weights, ref float bias, bool hasBias,
        in Conv2dGeometry g, Epilogue epilogue)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        int lanes = TOps.Count;
        // A vector starting at x <= max(OW, lanes) - lanes reads phase columns up to max(OW, lanes) - 1 + (KW-1)*DW/SW.
        int phaseLength = Math.Max(g.OutWidth, lanes) + (g.KernelWidth - 1) * g.DilationWidth / g.StrideWidth;
        int rowLength = checked(g.StrideWidth * phaseLength);
        int window = (g.KernelHeight - 1) * g.DilationHeight + 1;
        int bandCapacity = Math.Min(g.InHeight, Math.Max(Math.Min(window, g.InHeight), DepthwiseStackFloats / rowLength));
        int scratchLength = checked(bandCapacity * rowLength);

        // The scratch is chosen here and the kernel runs in a method without exception handling, so its locals stay
        // in registers (a rented array that an exception strands is simply left to the GC).
        float[]? rented = scratchLength <= DepthwiseStackFloats ? null : ArrayPool<float>.Shared.Rent(scratchLength);
        Span<float> band = rented is null ? stackalloc float[scratchLength] : rented.AsSpan(0, scratchLength);
        Span<int> tapOffsets = stackalloc int[g.KernelWidth];
        for (int kx = 0; kx < tapOffsets.Length; kx++)
        {
            int tap = kx * g.DilationWidth;
            tapOffsets[kx] = tap % g.StrideWidth * phaseLength + tap / g.StrideWidth;
        }

        DepthwiseRowsCore<TOps, TVec>(ref input, ref output, ref weights, ref bias, hasBias, g, epilogue, band, bandCapacity,
            phaseLength, tapOffsets);
        if (rented is not null) ArrayPool<float>.Shared.Return(rented);
    }

    private static void DepthwiseRowsCore<TOps, TVec>(ref float input, ref float output, ref float weights, ref float bias, bool hasBias,
        in Conv2dGeometry g, Epilogue epilogue, Span<float> band, int bandCapacity, int phaseLength, ReadOnlySpan<int> tapOffsets)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        int h = g.InHeight, w = g.InWidth, oh = g.OutHeight, ow = g.OutWidth;
        int taps = g.KernelHeight * g.KernelWidth, sw = g.StrideWidth, padLeft = g.PadLeft;
        int multiplier = g.OutChannels / g.InChannels;
        int rowLength = sw * phaseLength;
        var rows = new RowGeometry(h, g.KernelHeight, g.StrideHeight, g.PadTop, g.DilationHeight, rowLength, ow);
        Span<float> partial = stackalloc float[Gemm.MaxLanes];
        GemmClamp clamp = GemmClamp.For(epilogue);
        // The padding columns of every band row are the same zeros whichever input row the row holds, so they are
        // cleared once here and PadRow writes only the input columns.
        band.Clear();
        for (int ci = 0; ci < g.InChannels; ci++)
        {
            ref float plane = ref Unsafe.Add(ref input, (nint)ci * h * w);
            int bandStart = 0, bandRows = 0;
            for (int y = 0; y < oh;)
            {
                // Load the band from the first input row output row y needs, then run every output row it covers.
                rows.Needed(y, out int needLo, out int needHi);
                if (needLo < needHi && (needLo < bandStart || needHi > bandStart + bandRows))
                {
                    bandStart = needLo;
                    bandRows = Math.Min(bandCapacity, h - needLo);
                    for (int r = 0; r < bandRows; r++)
                        PadRow(ref Unsafe.Add(ref plane, (nint)(bandStart + r) * w), (h - bandStart - r) * w, w, padLeft, sw, phaseLength,
                            band.Slice(r * rowLength, rowLength));
                }

                int end = y + 1;
                for (; end < oh; end++)
                {
                    rows.Needed(end, out needLo, out needHi);
                    if (needLo < needHi && (needLo < bandStart || needHi > bandStart + bandRows)) break;
                }

                for (int mi = 0; mi < multiplier; mi++)
                {
                    int co = ci * multiplier + mi;
                    ref float outPlane = ref Unsafe.Add(ref output, (nint)co * oh * ow);
                    float initial = hasBias ? Unsafe.Add(ref bias, co) : 0f;
                    ref float wc = ref Unsafe.Add(ref weights, (nint)co * taps);
                    if (tapOffsets.Length == 3)
                        RowRange3<TOps, TVec>(band, bandStart, rows, y, end, ref wc, initial, ref outPlane, tapOffsets, partial, clamp);
                    else
                        RowRange<TOps, TVec>(band, bandStart, rows, y, end, ref wc, initial, ref outPlane, tapOffsets, partial, clamp);
                }

                y = end;
            }

            if (clamp.Enabled) continue;
            for (int mi = 0; mi < multiplier; mi++)
                Gemm.ActivateInPlace<TOps, TVec>(ref Unsafe.Add(ref output, (nint)(ci * multiplier + mi) * oh * ow), oh * ow, epilogue);
        }
    }

    // The vertical geometry of the row algorithm, and the floats per band row.
    private readonly record struct RowGeometry(int InHeight, int KernelHeight, int Stride, int PadTop, int Dilation, int RowLength, int OutWidth)
    {
        // Kernel rows [first, end) of output row y whose input row Top(y) + ky * Dilation is inside [0, InHeight).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void KernelRows(int y, out int top, out int first, out int end)
        {
            top = y * Stride - PadTop;
            if (top >= 0 && top + (KernelHeight - 1) * Dilation < InHeight)
            {
                first = 0;
                end = KernelHeight;
                return;
            }

            first = top >= 0 ? 0 : Math.Min(KernelHeight, (-top + Dilation - 1) / Dilation);
            end = InHeight - 1 - top < 0 ? 0 : Math.Min(KernelHeight, (InHeight - 1 - top) / Dilation + 1);
        }

        // The input rows [lo, hi) output row y reads (empty when every tap is padding).
        public void Needed(int y, out int lo, out int hi)
        {
            KernelRows(y, out int top, out int first, out int end);
            lo = top + first * Dilation;
            hi = first < end ? top + (end - 1) * Dilation + 1 : lo;
        }
    }

    // Output rows [y0, y1) of one output channel, any kernel width: vectors along each row, taps in kernel-row-major
    // order onto the bias. The band holds input rows from bandStart on.
    private static void RowRange<TOps, TVec>(Span<float> band, int bandStart, RowGeometry rows, int y0, int y1, ref float weights, float bias,
        ref float output, ReadOnlySpan<int> tapOffsets, Span<float> partial, GemmClamp clamp)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        int lanes = TOps.Count, kw = tapOffsets.Length, ow = rows.OutWidth;
        nint rowStep = (nint)rows.Dilation * rows.RowLength;
        ref float bandRef = ref MemoryMarshal.GetReference(band);
        TVec initial = TOps.Create(bias);
        for (int y = y0; y < y1; y++)
        {
            rows.KernelRows(y, out int top, out int first, out int end);
            ref float outRow = ref Unsafe.Add(ref output, (nint)y * ow);
            // (With no valid kernel row nothing is read; the reference then stays at the band's start.)
            ref float firstRow = ref first < end ? ref Unsafe.Add(ref bandRef, (nint)(top + first * rows.Dilation - bandStart) * rows.RowLength) : ref bandRef;
            for (int x = 0; ; x += lanes)
            {
                bool last = x + lanes >= ow;
                int start = last ? Math.Max(0, ow - lanes) : x;
                TVec acc = initial;
                ref float row = ref Unsafe.Add(ref firstRow, start);
                for (int ky = first; ky < end; ky++)
                {
                    ref float wk = ref Unsafe.Add(ref weights, ky * kw);
                    for (int kx = 0; kx < kw; kx++)
                        acc = TOps.MultiplyAdd(TOps.Create(Unsafe.Add(ref wk, kx)), TOps.Load(ref Unsafe.Add(ref row, tapOffsets[kx])), acc);
                    row = ref Unsafe.Add(ref row, rowStep);
                }

                StorePlaneVector<TOps, TVec>(clamp.Apply<TOps, TVec>(acc), ref outRow, start, ow, partial);
                if (last) break;
            }
        }
    }

    // Output rows [y0, y1) of one output channel, kernel three wide.
    private static void RowRange3<TOps, TVec>(Span<float> band, int bandStart, RowGeometry rows, int y0, int y1, ref float weights, float bias,
        ref float output, ReadOnlySpan<int> tapOffsets, Span<float> partial, GemmClamp clamp)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        int lanes = TOps.Count, ow = rows.OutWidth;
        nint rowStep = (nint)rows.Dilation * rows.RowLength;
        nint t0 = tapOffsets[0], t1 = tapOffsets[1], t2 = tapOffsets[2];
        ref float bandRef = ref MemoryMarshal.GetReference(band);
        TVec initial = TOps.Create(bias);
        for (int y = y0; y < y1; y++)
        {
            rows.KernelRows(y, out int top, out int first, out int end);
            ref float outRow = ref Unsafe.Add(ref output, (nint)y * ow);
            ref float firstRow = ref first < end ? ref Unsafe.Add(ref bandRef, (nint)(top + first * rows.Dilation - bandStart) * rows.RowLength) : ref bandRef;
            for (int x = 0; ; x += lanes)
            {
                bool last = x + lanes >= ow;
                int start = last ? Math.Max(0, ow - lanes) : x;
                // One partial sum per kernel column (three short chains instead of one long one), then a fixed order.
                TVec acc0 = initial, acc1 = TOps.Zero, acc2 = TOps.Zero;
                ref float row = ref Unsafe.Add(ref firstRow, start);
                for (int ky = first; ky < end; ky++)
                {
                    ref float wk = ref Unsafe.Add(ref weights, ky * 3);
                    acc0 = TOps.MultiplyAdd(TOps.Create(wk), TOps.Load(ref Unsafe.Add(ref row, t0)), acc0);
                    acc1 = TOps.MultiplyAdd(TOps.Create(Unsafe.Add(ref wk, 1)), TOps.Load(ref Unsafe.Add(ref row, t1)), acc1);
                    acc2 = TOps.MultiplyAdd(TOps.Create(Unsafe.Add(ref wk, 2)), TOps.Load(ref Unsafe.Add(ref row, t2)), acc2);
                    row = ref Unsafe.Add(ref row, rowStep);
                }

                TVec acc = TOps.Add(acc0, TOps.Add(acc1, acc2));
                StorePlaneVector<TOps, TVec>(clamp.Apply<TOps, TVec>(acc), ref outRow, start, ow, partial);
                if (last) break;
            }
        }
    }

    // One input row split into `stride` phases of phaseLength floats, phase f element j = input column
    // j * stride + f - padLeft; only the elements that are input columns are written (the rest stay zero).
    // `readable` floats may be read from the row's start (to the end of its plane).
    private static void PadRow(ref float source, int readable, int width, int padLeft, int stride, int phaseLength, Span<float> destination)
    {
        for (int phase = 0; phase < stride; phase++)
        {
            Span<float> dst = destination.Slice(phase * phaseLength, phaseLength);
            int first = padLeft - phase; // j * stride >= first
            int end = width + padLeft - phase; // j * stride < end
            int lo = first <= 0 ? 0 : Math.Min(phaseLength, (first + stride - 1) / stride);
            int hi = end <= 0 ? 0 : Math.Min(phaseLength, (end + stride - 1) / stride);
            if (hi <= lo) continue;
            int src = lo * stride + phase - padLeft;
            RowCopy.Gather(ref Unsafe.Add(ref source, src), stride, readable - src, ref Unsafe.Add(ref MemoryMarshal.GetReference(dst), lo), hi - lo);
        }
    }
}
