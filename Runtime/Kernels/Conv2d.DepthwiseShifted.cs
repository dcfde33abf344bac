using System.Buffers;
using System.Runtime.Intrinsics;
using ConvGen.Runtime.Simd;

namespace ConvGen.Runtime.Kernels;

// The shifted depthwise algorithm: per channel, the zero-padded input split into stride phases, every tap a constant
// offset into them, vectors along the whole (phase-width-wide) output plane.
public static partial class Conv2d
{
    // Strides and kernels beyond these run the row algorithm (the phase table and tap offsets live on the stack).
    private const int ShiftedMaxPhases = 16, ShiftedMaxTaps = 256;

    // Beyond this much scratch (about the phase planes of a 128x128 input at stride 2) the row algorithm, which keeps only a band
    // of rows, runs instead.
    private const long ShiftedMaxScratchFloats = 4 * DepthwiseStackFloats;

    // Shifted scratch: a ring of ShiftedBuffers buffers of the used phase planes (PhaseHeight x PhaseWidth each, plus
    // slack for a vector read past the last position when the plane is narrower than a vector), then the wide output
    // rows unless the output is written directly.
    private static void ShiftedLayout(in Conv2dGeometry g, int lanes, int phases, out int phaseHeight, out int phaseWidth,
        out int bufferLength, out int wideLength, out int buffers)
    {
        phaseWidth = PhaseWidth(g);
        phaseHeight = PhaseHeight(g);
        int columns = (g.OutHeight - 1) * phaseWidth + g.OutWidth;
        bufferLength = checked(phases * phaseHeight * phaseWidth + Math.Max(0, lanes - columns));
        wideLength = g.OutHeight == 1 || phaseWidth == g.OutWidth ? 0 : columns;
        // Channel c + buffers - 1 is copied while channel c is computed, so that its vector loads never straddle
        // stores still in flight (which cannot be forwarded and stall): small planes need a longer lead.
        buffers = Math.Clamp(2048 / bufferLength, 2, 4);
    }

    private static long ShiftedScratchLength(in Conv2dGeometry g, int lanes)
    {
        if (g.StrideHeight * g.StrideWidth > ShiftedMaxPhases || g.KernelHeight * g.KernelWidth > ShiftedMaxTaps) return long.MaxValue;
        int phases = UsedPhaseCount(g);
        ShiftedLayout(g, lanes, phases, out _, out _, out int bufferLength, out int wideLength, out int buffers);
        return (long)buffers * bufferLength + wideLength;
    }

    /// <summary>
    /// Any depthwise geometry (stride phases up to 16, taps up to 256): per input channel the used stride phases of
    /// the zero-padded plane are copied into scratch (phase (a, b) element (i, j) = padded[i * SH + a][j * SW + b]),
    /// so tap (kh, kw) of output (y, x) is the phase plane of (kh*DH % SH, kw*DW % SW) at (y + kh*DH / SH, x +
    /// kw*DW / SW): one constant offset per tap. Output rows are computed PhaseWidth apart (the extra columns are
    /// dropped when the rows are copied out), so one vector covers several short rows. Per output element the taps
    /// are accumulated in kernel-row-major order onto the bias (for 3x3: one chain per kernel row, then
    /// row0 + (row1 + row2)).
    /// </summary>
    private static void DepthwiseShifted<TOps, TVec>(ref float input, ref float output, ref float weights, ref float bias, bool hasBias,
        in Conv2dGeometry g, Epilogue epilogue)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        Span<int> phaseOf = stackalloc int[ShiftedMaxPhases];
        phaseOf = phaseOf.Slice(0, g.StrideHeight * g.StrideWidth);
        int phases = UsedPhases(g, phaseOf);
        ShiftedLayout(g, TOps.Count, phases, out int phaseHeight, out int phaseWidth, out int bufferLength, out int wideLength, out int buffers);
        int length = checked(buffers * bufferLength + wideLength);
        // Scratch on the stack when small, else pooled; the kernel runs in a method without exception handling (a
        // rented array that an exception strands is left to the GC).
        float[]? rented = length <= DepthwiseStackFloats ? null : ArrayPool<float>.Shared.Rent(length);
        Span<float> scratch = rented is null ? stackalloc float[length] : rented.AsSpan(0, length);
        Span<int> tapOffsets = stackalloc int[g.KernelHeight * g.KernelWidth];
        int planeLength = phaseHeight * phaseWidth, t = 0;
        for (int kh = 0; kh < g.KernelHeight; kh++)
        {
            for (int kw = 0; kw < g.KernelWidth; kw++)
            {
                int dy = kh * g.DilationHeight, dx = kw * g.DilationWidth;
                tapOffsets[t++] = phaseOf[dy % g.StrideHeight * g.StrideWidth + dx % g.StrideWidth] * planeLength
                    + dy / g.StrideHeight * phaseWidth + dx / g.StrideWidth;
            }
        }

        DepthwiseShiftedCore<TOps, TVec>(ref input, ref output, ref weights, ref bias, hasBias, g, epilogue, scratch, phaseOf,
            new ShiftedShape(phaseHeight, phaseWidth, bufferLength, buffers), tapOffsets);
        if (rented is not null) ArrayPool<float>.Shared.Return(rented);
    }

    // Phase plane height and width, the floats of one buffer of phase planes, and how many buffers.
    private readonly record struct ShiftedShape(int PhaseHeight, int PhaseWidth, int BufferLength, int Buffers);

    private static void DepthwiseShiftedCore<TOps, TVec>(ref float input, ref float output, ref float weights, ref float bias, bool hasBias,
        in Conv2dGeometry g, Epilogue epilogue, Span<float> scratch, ReadOnlySpan<int> phaseOf, ShiftedShape shape, ReadOnlySpan<int> tapOffsets)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        int h = g.InHeight, w = g.InWidth, oh = g.OutHeight, ow = g.OutWidth, n = oh * ow;
        int phaseWidth = shape.PhaseWidth, bufferLength = shape.BufferLength;
        int columns = (oh - 1) * phaseWidth + ow;
        bool direct = oh == 1 || phaseWidth == ow;
        int multiplier = g.OutChannels / g.InChannels, taps = tapOffsets.Length;
        // Padding, slack and the columns no tap of a kept output reads stay zero: every channel writes the same
        // interior positions.
        scratch.Clear();
        ref float buffers = ref MemoryMarshal.GetReference(scratch);
        int ring = shape.Buffers;
        ref float wide = ref Unsafe.Add(ref buffers, ring * bufferLength);
        Span<float> partial = stackalloc float[Gemm.MaxLanes];
        GemmClamp clamp = GemmClamp.For(epilogue);
        bool threeByThree = g.KernelHeight == 3 && g.KernelWidth == 3;
        int planeFloats = h * w;
        Span<PhaseRun> runs = stackalloc PhaseRun[ShiftedMaxPhases];
        runs = runs.Slice(0, PhaseRuns(g, phaseOf, shape, runs));
        int sw = g.StrideWidth;
        // A ring of buffers: channel ci + ring - 1 is copied while channel ci is read.
        for (int c = 0; c < Math.Min(ring - 1, g.InChannels); c++)
            ShiftedPhases(ref Unsafe.Add(ref input, (nint)c * planeFloats), planeFloats, runs, sw, ref Unsafe.Add(ref buffers, c * bufferLength));
        for (int ci = 0; ci < g.InChannels; ci++)
        {
            ref float planes = ref Unsafe.Add(ref buffers, ci % ring * bufferLength);
            int ahead = ci + ring - 1;
            if (ahead < g.InChannels)
                ShiftedPhases(ref Unsafe.Add(ref input, (nint)ahead * planeFloats), planeFloats, runs, sw,
                    ref Unsafe.Add(ref buffers, ahead % ring * bufferLength));
            for (int mi = 0; mi < multiplier; mi++)
            {
                int co = ci * multiplier + mi;
                ref float wc = ref Unsafe.Add(ref weights, (nint)co * taps);
                ref float outPlane = ref Unsafe.Add(ref output, (nint)co * n);
                ref float target = ref direct ? ref outPlane : ref wide;
                float initial = hasBias ? Unsafe.Add(ref bias, co) : 0f;
                if (threeByThree)
                    ShiftedChannel3x3<TOps, TVec>(ref planes, ref wc, initial, ref target, columns, tapOffsets, partial, clamp);
                else
                    ShiftedChannel<TOps, TVec>(ref planes, ref wc, initial, ref target, columns, tapOffsets, partial, clamp);
                if (!direct)
                    for (int y = 0; y < oh; y++)
                        RowCopy.Copy(ref Unsafe.Add(ref wide, y * phaseWidth), ref Unsafe.Add(ref outPlane, y * ow), ow);
                if (!clamp.Enabled) Gemm.ActivateInPlace<TOps, TVec>(ref outPlane, n, epilogue);
            }
        }
    }

    // One run of phase-plane rows that hold input: `Rows` rows from input float `Source` (rows `SourceStep` apart,
    // stride `Stride` along a row) to plane float `Target` (rows `TargetStep` apart), `Count` floats each. The same
    // for every channel, so computed once per call.
    private readonly record struct PhaseRun(int Source, int Target, int Rows, int Count, int SourceStep, int TargetStep);

    // The runs of the used phases; returns how many (at most sh * sw).
    private static int PhaseRuns(in Conv2dGeometry g, ReadOnlySpan<int> phaseOf, ShiftedShape shape, Span<PhaseRun> runs)
    {
        int h = g.InHeight, w = g.InWidth, sh = g.StrideHeight, sw = g.StrideWidth, top = g.PadTop, left = g.PadLeft;
        int phaseHeight = shape.PhaseHeight, phaseWidth = shape.PhaseWidth, planeLength = phaseHeight * phaseWidth, count = 0;
        for (int a = 0; a < sh; a++)
        {
            // Rows i whose input row i * sh + a - top is inside [0, h).
            int firstRow = top - a, endRow = h + top - a;
            int iLo = firstRow <= 0 ? 0 : Math.Min(phaseHeight, (firstRow + sh - 1) / sh);
            int iHi = endRow <= 0 ? 0 : Math.Min(phaseHeight, (endRow + sh - 1) / sh);
            for (int b = 0; b < sw; b++)
            {
                int index = phaseOf[a * sw + b];
                if (index < 0) continue;
                // Columns j whose input column j * sw + b - left is inside [0, w).
                int first = left - b, end = w + left - b;
                int jLo = first <= 0 ? 0 : Math.Min(phaseWidth, (first + sw - 1) / sw);
                int jHi = end <= 0 ? 0 : Math.Min(phaseWidth, (end + sw - 1) / sw);
                if (jHi <= jLo || iHi <= iLo) continue;
                runs[count++] = new PhaseRun((iLo * sh + a - top) * w + jLo * sw + b - left, index * planeLength + iLo * phaseWidth + jLo,
                    iHi - iLo, jHi - jLo, sh * w, phaseWidth);
            }
        }

        return count;
    }

    // Writes the input positions of one channel's used phase planes (the padding positions stay as they are: zero).
    // `readable` floats may be read from the plane's start.
    private static void ShiftedPhases(ref float plane, int readable, ReadOnlySpan<PhaseRun> runs, int stride, ref float destination)
    {
        for (int r = 0; r < runs.Length; r++)
        {
            PhaseRun run = runs[r];
            ref float src = ref Unsafe.Add(ref plane, run.Source);
            ref float dst = ref Unsafe.Add(ref destination, run.Target);
            int left = readable - run.Source, count = run.Count, rows = run.Rows;
            nint sourceStep = run.SourceStep, targetStep = run.TargetStep;
            if (stride == 1)
            {
                for (int i = 0; i < rows; i++, src = ref Unsafe.Add(ref src, sourceStep), dst = ref Unsafe.Add(ref dst, targetStep))
                    RowCopy.Copy(ref src, ref dst, count);
            }
            else if (stride == 2)
            {
                for (int i = 0; i < rows; i++, src = ref Unsafe.Add(ref src, sourceStep), dst = ref Unsafe.Add(ref dst, targetStep), left -= (int)sourceStep)
                    GatherPairs(ref src, left, ref dst, count);
            }
            else
            {
                for (int i = 0; i < rows; i++, src = ref Unsafe.Add(ref src, sourceStep), dst = ref Unsafe.Add(ref dst, targetStep), left -= (int)sourceStep)
                    RowCopy.Gather(ref src, stride, left, ref dst, count);
            }
        }
    }

    // One output channel, any kernel: `columns` wide positions, taps in kernel-row-major order onto the bias.
    private static void ShiftedChannel<TOps, TVec>(ref float planes, ref float weights, float bias, ref float output, int columns,
        ReadOnlySpan<int> tapOffsets, Span<float> partial, GemmClamp clamp)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        int lanes = TOps.Count, taps = tapOffsets.Length;
        ref int offsets = ref MemoryMarshal.GetReference(tapOffsets);
        TVec initial = TOps.Create(bias);
        for (int q = 0; ; q += lanes)
        {
            bool last = q + lanes >= columns;
            int start = last ? Math.Max(0, columns - lanes) : q;
            ref float at = ref Unsafe.Add(ref planes, start);
            TVec acc = initial;
            for (int t = 0; t < taps; t++)
                acc = TOps.MultiplyAdd(TOps.Create(Unsafe.Add(ref weights, t)), TOps.Load(ref Unsafe.Add(ref at, Unsafe.Add(ref offsets, t))), acc);
            StorePlaneVector<TOps, TVec>(clamp.Apply<TOps, TVec>(acc), ref output, start, columns, partial);
            if (last) break;
        }
    }

    // One output channel, 3x3 kernel: the nine weights and offsets in registers, one chain per kernel row.
    private static void ShiftedChannel3x3<TOps, TVec>(ref float planes, ref float weights, float bias, ref float output, int columns,
        ReadOnlySpan<int> tapOffsets, Span<float> partial, GemmClamp clamp)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        int lanes = TOps.Count;
        nint o0 = tapOffsets[0], o1 = tapOffsets[1], o2 = tapOffsets[2], o3 = tapOffsets[3], o4 = tapOffsets[4];
        nint o5 = tapOffsets[5], o6 = tapOffsets[6], o7 = tapOffsets[7], o8 = tapOffsets[8];
        TVec w0 = TOps.Create(weights), w1 = TOps.Create(Unsafe.Add(ref weights, 1)), w2 = TOps.Create(Unsafe.Add(ref weights, 2));
        TVec w3 = TOps.Create(Unsafe.Add(ref weights, 3)), w4 = TOps.Create(Unsafe.Add(ref weights, 4)), w5 = TOps.Create(Unsafe.Add(ref weights, 5));
        TVec w6 = TOps.Create(Unsafe.Add(ref weights, 6)), w7 = TOps.Create(Unsafe.Add(ref weights, 7)), w8 = TOps.Create(Unsafe.Add(ref weights, 8));
        TVec initial = TOps.Create(bias);
        for (int q = 0; ; q += lanes)
        {
            bool last = q + lanes >= columns;
            int start = last ? Math.Max(0, columns - lanes) : q;
            ref float at = ref Unsafe.Add(ref planes, start);
            TVec r0 = TOps.MultiplyAdd(w0, TOps.Load(ref Unsafe.Add(ref at, o0)), initial);
            TVec r1 = TOps.Multiply(w3, TOps.Load(ref Unsafe.Add(ref at, o3)));
            TVec r2 = TOps.Multiply(w6, TOps.Load(ref Unsafe.Add(ref at, o6)));
            r0 = TOps.MultiplyAdd(w1, TOps.Load(ref Unsafe.Add(ref at, o1)), r0);
            r1 = TOps.MultiplyAdd(w4, TOps.Load(ref Unsafe.Add(ref at, o4)), r1);
            r2 = TOps.MultiplyAdd(w7, TOps.Load(ref Unsafe.Add(ref at, o7)), r2);
            r0 = TOps.MultiplyAdd(w2, TOps.Load(ref Unsafe.Add(ref at, o2)), r0);
            r1 = TOps.MultiplyAdd(w5, TOps.Load(ref Unsafe.Add(ref at, o5)), r1);
            r2 = TOps.MultiplyAdd(w8, TOps.Load(ref Unsafe.Add(ref at, o8)), r2);
            TVec sum = TOps.Add(r0, TOps.Add(r1, r2));
            StorePlaneVector<TOps, TVec>(clamp.Apply<TOps, TVec>(sum), ref output, start, columns, partial);
            if (last) break;
        }
    }

    // destination[j] = source[2j] for j < count, reading at most `readable` floats: the widest vectors that fit (each
    // narrows pairs of floats read as 64-bit lanes to their low halves), the last one overlapping the one before it;
    // one by one when fewer than four or when the last vector would read past `readable`.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GatherPairs(ref float source, int readable, ref float destination, int count)
    {
        ref ulong pairs = ref Unsafe.As<float, ulong>(ref source);
        if (2 * count <= readable)
        {
            if (Vector512.IsHardwareAccelerated && count >= 16)
            {
                int last = count - 16;
                for (int j = 0; j < last; j += 16)
                    Vector512.Narrow(Vector512.LoadUnsafe(ref pairs, (nuint)j), Vector512.LoadUnsafe(ref pairs, (nuint)(j + 8))).AsSingle()
                        .StoreUnsafe(ref destination, (nuint)j);
                Vector512.Narrow(Vector512.LoadUnsafe(ref pairs, (nuint)last), Vector512.LoadUnsafe(ref pairs, (nuint)(last + 8))).AsSingle()
                    .StoreUnsafe(ref destination, (nuint)last);
                return;
            }

            if (Vector256.IsHardwareAccelerated && count >= 8)
            {
                int last = count - 8;
                for (int j = 0; j < last; j += 8)
                    Vector256.Narrow(Vector256.LoadUnsafe(ref pairs, (nuint)j), Vector256.LoadUnsafe(ref pairs, (nuint)(j + 4))).AsSingle()
                        .StoreUnsafe(ref destination, (nuint)j);
                Vector256.Narrow(Vector256.LoadUnsafe(ref pairs, (nuint)last), Vector256.LoadUnsafe(ref pairs, (nuint)(last + 4))).AsSingle()
                    .StoreUnsafe(ref destination, (nuint)last);
                return;
            }

            if (Vector128.IsHardwareAccelerated && count >= 4)
            {
                int last = count - 4;
                for (int j = 0; j < last; j += 4)
                    Vector128.Narrow(Vector128.LoadUnsafe(ref pairs, (nuint)j), Vector128.LoadUnsafe(ref pairs, (nuint)(j + 2))).AsSingle()
                        .StoreUnsafe(ref destination, (nuint)j);
                Vector128.Narrow(Vector128.LoadUnsafe(ref pairs, (nuint)last), Vector128.LoadUnsafe(ref pairs, (nuint)(last + 2))).AsSingle()
                    .StoreUnsafe(ref destination, (nuint)last);
                return;
            }
        }

        for (int j = 0; j < count; j++) Unsafe.Add(ref destination, j) = Unsafe.Add(ref source, 2 * j);
    }
}
