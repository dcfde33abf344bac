using System.Runtime.Intrinsics;
using ConvGen.Runtime.Simd;
using static ConvGen.Runtime.Simd.LaneShuffle;

namespace ConvGen.Runtime.Kernels;

/// <summary>
/// Max, average and adaptive pooling over CHW tensors (batch 1), with PyTorch's semantics: max pooling pads with
/// -infinity and propagates NaN; average pooling uses <c>avg_pool2d</c>'s divisor rules; adaptive pooling uses
/// windows [floor(i*In/Out), ceil((i+1)*In/Out)).
/// </summary>
/// <remarks>
/// A window is separable, so each output row is computed in two passes: a vertical pass reduces the window's valid
/// input rows into a row buffer over the padded width (padding columns hold the reduction's identity, -inf or 0),
/// contiguous and vectorised; a horizontal pass reduces the buffer along each window, vectorised along the output
/// width for stride 1 and, with an even/odd deinterleave, stride 2. The 2x2 stride-2 window reads the input
/// directly. Reductions run in a fixed order per output element.
/// </remarks>
public static class Pool2d
{
    /// <summary>Row buffer, in floats, on the stack (16 KB). Wider rows are processed in column chunks.</summary>
    private const int RowBufferLength = 4096;

    /// <summary>PyTorch <c>max_pool2d</c>: padding acts as -infinity; dilation supported.</summary>
    public static void Max(ReadOnlySpan<float> input, Span<float> output, in Pool2dGeometry g)
    {
        g.Validate();
        CheckLengths(input.Length, output.Length, g);
        var job = new Job(input, output, g, PoolKind.Max, false, 0);
        WidthDispatch.Run(ref job);
    }

    /// <summary>
    /// PyTorch <c>avg_pool2d</c> exactly: hstart = oh*sH - padH; hend = min(hstart + kH, H + padH);
    /// pool_size = (hend - hstart) * (wend - wstart); then start/end are clipped to the input, and the divisor is
    /// <paramref name="divisorOverride"/> if not 0, else pool_size if <paramref name="countIncludePad"/>, else the
    /// clipped count. Dilation must be 1 (PyTorch's average pooling has none).
    /// </summary>
    public static void Average(ReadOnlySpan<float> input, Span<float> output, in Pool2dGeometry g, bool countIncludePad, int divisorOverride)
    {
        g.Validate();
        if (g.DilationHeight != 1 || g.DilationWidth != 1)
            throw new ArgumentException($"Average pooling has no dilation, got ({g.DilationHeight}, {g.DilationWidth}).", nameof(g));
        if (divisorOverride < 0) throw new ArgumentException($"divisorOverride must be >= 0 (0: none), got {divisorOverride}.", nameof(divisorOverride));
        CheckLengths(input.Length, output.Length, g);
        var job = new Job(input, output, g, PoolKind.Average, countIncludePad, divisorOverride);
        WidthDispatch.Run(ref job);
    }

    /// <summary>
    /// PyTorch <c>adaptive_avg_pool2d</c>: output (i, j) averages rows [floor(i*H/OH), ceil((i+1)*H/OH)) and columns
    /// [floor(j*W/OW), ceil((j+1)*W/OW)). A 1x1 output is global average pooling.
    /// </summary>
    public static void AdaptiveAverage(ReadOnlySpan<float> input, Span<float> output, int channels, int inHeight, int inWidth, int outHeight, int outWidth)
    {
        CheckAdaptive(input.Length, output.Length, channels, inHeight, inWidth, outHeight, outWidth);
        var job = new Job(input, output, Adaptive(channels, inHeight, inWidth, outHeight, outWidth), PoolKind.AdaptiveAverage, false, 0);
        WidthDispatch.Run(ref job);
    }

    /// <summary>PyTorch <c>adaptive_max_pool2d</c> (windows as <see cref="AdaptiveAverage"/>). A 1x1 output is global max pooling.</summary>
    public static void AdaptiveMax(ReadOnlySpan<float> input, Span<float> output, int channels, int inHeight, int inWidth, int outHeight, int outWidth)
    {
        CheckAdaptive(input.Length, output.Length, channels, inHeight, inWidth, outHeight, outWidth);
        var job = new Job(input, output, Adaptive(channels, inHeight, inWidth, outHeight, outWidth), PoolKind.AdaptiveMax, false, 0);
        WidthDispatch.Run(ref job);
    }

    private enum PoolKind { Max, Average, AdaptiveAverage, AdaptiveMax }

    // The adaptive entries' sizes carried in a geometry's fields (only channels and the four sizes are read).
    private static Pool2dGeometry Adaptive(int channels, int inHeight, int inWidth, int outHeight, int outWidth) =>
        new(channels, inHeight, inWidth, outHeight, outWidth, 1, 1, 1, 1, 0, 0, 1, 1);

    private readonly ref struct Job(ReadOnlySpan<float> input, Span<float> output, Pool2dGeometry g, PoolKind kind, bool countIncludePad,
        int divisorOverride) : IWidthKernel
    {
        private readonly ReadOnlySpan<float> _input = input;
        private readonly Span<float> _output = output;

        public void Run<TOps, TVec>() where TOps : IVectorOps<TVec> where TVec : struct
        {
            switch (kind)
            {
                case PoolKind.Max: Max<TOps, TVec>(_input, _output, g); break;
                case PoolKind.Average: Average<TOps, TVec>(_input, _output, g, countIncludePad, divisorOverride); break;
                case PoolKind.AdaptiveAverage: AdaptiveAverage<TOps, TVec>(_input, _output, g.Channels, g.InHeight, g.InWidth, g.OutHeight, g.OutWidth); break;
                default: AdaptiveMax<TOps, TVec>(_input, _output, g.Channels, g.InHeight, g.InWidth, g.OutHeight, g.OutWidth); break;
            }
        }
    }

    // ---- Per-width implementations (arguments already validated) ----

    internal static void Max<TOps, TVec>(ReadOnlySpan<float> input, Span<float> output, in Pool2dGeometry g)
        where TOps : IVectorOps<TVec> where TVec : struct
        => Pool<TOps, TVec, MaxReduction>(ref MemoryMarshal.GetReference(input), ref MemoryMarshal.GetReference(output), g, default);

    internal static void Average<TOps, TVec>(ReadOnlySpan<float> input, Span<float> output, in Pool2dGeometry g, bool countIncludePad, int divisorOverride)
        where TOps : IVectorOps<TVec> where TVec : struct
        => Pool<TOps, TVec, SumReduction>(ref MemoryMarshal.GetReference(input), ref MemoryMarshal.GetReference(output), g,
            new AverageDivisor(countIncludePad, divisorOverride));

    internal static void AdaptiveAverage<TOps, TVec>(ReadOnlySpan<float> input, Span<float> output, int channels, int inHeight, int inWidth, int outHeight, int outWidth)
        where TOps : IVectorOps<TVec> where TVec : struct
        => Adaptive<TOps, TVec, SumReduction>(ref MemoryMarshal.GetReference(input), ref MemoryMarshal.GetReference(output), channels, inHeight, inWidth, outHeight, outWidth);

    internal static void AdaptiveMax<TOps, TVec>(ReadOnlySpan<float> input, Span<float> output, int channels, int inHeight, int inWidth, int outHeight, int outWidth)
        where TOps : IVectorOps<TVec> where TVec : struct
        => Adaptive<TOps, TVec, MaxReduction>(ref MemoryMarshal.GetReference(input), ref MemoryMarshal.GetReference(output), channels, inHeight, inWidth, outHeight, outWidth);

    // ---- Reductions ----

    /// <summary>The associative operation a pool applies over its window, and its identity (the padding value).</summary>
    private interface IPoolReduction
    {
        static abstract bool IsAverage { get; }
        static abstract float Identity { get; }
        static abstract TVec Combine<TOps, TVec>(TVec left, TVec right) where TOps : IVectorOps<TVec> where TVec : struct;
        static abstract float Across<TOps, TVec>(TVec value) where TOps : IVectorOps<TVec> where TVec : struct;
    }

    private readonly struct MaxReduction : IPoolReduction
    {
        public static bool IsAverage => false;
        public static float Identity => float.NegativeInfinity;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVec Combine<TOps, TVec>(TVec left, TVec right) where TOps : IVectorOps<TVec> where TVec : struct => TOps.Max(left, right);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Across<TOps, TVec>(TVec value) where TOps : IVectorOps<TVec> where TVec : struct => TOps.MaxAcross(value);
    }

    private readonly struct SumReduction : IPoolReduction
    {
        public static bool IsAverage => true;
        public static float Identity => 0f;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVec Combine<TOps, TVec>(TVec left, TVec right) where TOps : IVectorOps<TVec> where TVec : struct => TOps.Add(left, right);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Across<TOps, TVec>(TVec value) where TOps : IVectorOps<TVec> where TVec : struct => TOps.Sum(value);
    }

    /// <summary>avg_pool2d's divisor options (ignored by max pooling).</summary>
    private readonly record struct AverageDivisor(bool CountIncludePad, int DivisorOverride);

    // ---- Fixed-window pooling ----

    [SkipLocalsInit]
    private static void Pool<TOps, TVec, TRed>(ref float input, ref float output, in Pool2dGeometry g, AverageDivisor avg)
        where TOps : IVectorOps<TVec> where TVec : struct where TRed : struct, IPoolReduction
    {
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        int kernelExtentW = (g.KernelWidth - 1) * g.DilationWidth + 1;
        // Output columns per chunk so that the chunk's padded columns, plus one slack float read by the stride-2
        // deinterleave, fit the row buffer.
        int chunkColumns = (RowBufferLength - 1 - kernelExtentW) / g.StrideWidth + 1;
        if (chunkColumns < 1)
        {
            PoolDirect<TRed>(ref input, ref output, g, avg);
            return;
        }
        chunkColumns = Math.Min(chunkColumns, g.OutWidth);
        bool fast2x2 = g.KernelHeight == 2 && g.KernelWidth == 2 && g.StrideHeight == 2 && g.StrideWidth == 2
            && g.DilationHeight == 1 && g.DilationWidth == 1 && g.PadWidth == 0 && CanDeinterleave<TVec>();
        Span<float> buffer = stackalloc float[RowBufferLength];
        ref float buf = ref MemoryMarshal.GetReference(buffer);

        for (int c = 0; c < g.Channels; c++)
        {
            ref float plane = ref Unsafe.Add(ref input, (nint)c * inPlane);
            ref float outPlaneRef = ref Unsafe.Add(ref output, (nint)c * outPlane);
            for (int oh = 0; oh < g.OutHeight; oh++)
            {
                int hstart = oh * g.StrideHeight - g.PadHeight;
                // Valid window rows: hstart + kh * dH in [0, H) for kh in [kh0, kh1).
                int kh0 = hstart < 0 ? (-hstart + g.DilationHeight - 1) / g.DilationHeight : 0;
                int kh1 = Math.Min(g.KernelHeight, (g.InHeight - hstart + g.DilationHeight - 1) / g.DilationHeight);
                int rows = Math.Max(0, kh1 - kh0);
                ref float firstRow = ref rows > 0 ? ref Unsafe.Add(ref plane, (nint)(hstart + kh0 * g.DilationHeight) * g.InWidth) : ref plane;
                int rowStep = g.DilationHeight * g.InWidth;
                ref float outRow = ref Unsafe.Add(ref outPlaneRef, (nint)oh * g.OutWidth);

                // avg_pool2d's row factor of the divisor: pool rows (clipped to H + pad) or valid rows.
                float rowFactor = 0f;
                if (TRed.IsAverage)
                {
                    int hend = Math.Min(hstart + g.KernelHeight, g.InHeight + g.PadHeight);
                    rowFactor = avg.CountIncludePad ? hend - hstart : Math.Min(hend, g.InHeight) - Math.Max(hstart, 0);
                }

                int done = 0;
                if (fast2x2 && rows == 2)
                    done = Row2x2<TOps, TVec, TRed>(ref firstRow, ref Unsafe.Add(ref firstRow, g.InWidth), ref outRow, g, avg);

                for (int o0 = done; o0 < g.OutWidth; o0 += chunkColumns)
                {
                    int count = Math.Min(chunkColumns, g.OutWidth - o0);
                    int pBegin = o0 * g.StrideWidth;                       // padded column of the chunk's first window
                    int extent = (count - 1) * g.StrideWidth + kernelExtentW;
                    VerticalPass<TOps, TVec, TRed>(ref firstRow, rows, rowStep, ref buf, pBegin, extent + 1, g.PadWidth, g.InWidth);
                    HorizontalPass<TOps, TVec, TRed>(ref buf, ref Unsafe.Add(ref outRow, o0), o0, count, g, avg, rowFactor);
                }
            }
        }
    }

    /// <summary>
    /// Fills buf[0, length) with the reduction over <paramref name="rows"/> input rows (starting at
    /// <paramref name="firstRow"/>, <paramref name="rowStep"/> apart) of padded columns [pBegin, pBegin + length);
    /// padding columns and a window without valid rows get the identity.
    /// </summary>
    private static void VerticalPass<TOps, TVec, TRed>(ref float firstRow, int rows, int rowStep, ref float buf, int pBegin, int length, int pad, int width)
        where TOps : IVectorOps<TVec> where TVec : struct where TRed : struct, IPoolReduction
    {
        int pEnd = pBegin + length;
        int dataBegin = Math.Max(pBegin, pad), dataEnd = Math.Min(pEnd, pad + width);
        if (rows == 0 || dataBegin >= dataEnd)
        {
            MemoryMarshal.CreateSpan(ref buf, length).Fill(TRed.Identity);
            return;
        }
        for (int p = pBegin; p < dataBegin; p++) Unsafe.Add(ref buf, p - pBegin) = TRed.Identity;
        for (int p = dataEnd; p < pEnd; p++) Unsafe.Add(ref buf, p - pBegin) = TRed.Identity;

        VerticalReduce<TOps, TVec, TRed>(ref Unsafe.Add(ref firstRow, dataBegin - pad), rows, rowStep, ref Unsafe.Add(ref buf, dataBegin - pBegin), dataEnd - dataBegin);
    }

    /// <summary>dst[i] = the reduction of src[i + r * rowStep] over r in [0, rows), for i in [0, n).</summary>
    private static void VerticalReduce<TOps, TVec, TRed>(ref float src, int rows, int rowStep, ref float dst, int n)
        where TOps : IVectorOps<TVec> where TVec : struct where TRed : struct, IPoolReduction
    {
        if (n < TOps.Count && TOps.Count > 4)
        {
            // Rows narrower than a vector run at the next narrower width (16 to 8, 8 to 4 floats) rather than one
            // float at a time: a 28-wide plane still gets vectors on an AVX-512 machine.
            if (TOps.Count == 16) VerticalReduce<Vec256, Vector256<float>, TRed>(ref src, rows, rowStep, ref dst, n);
            else VerticalReduce<Vec128, Vector128<float>, TRed>(ref src, rows, rowStep, ref dst, n);
            return;
        }
        int i = 0;
        if (n >= TOps.Count)
        {
            // The last vector overlaps the previous one: the buffer is written from the input only, so rewriting is safe.
            while (true)
            {
                if (i > n - TOps.Count) i = n - TOps.Count;
                ref float s = ref Unsafe.Add(ref src, i);
                TVec acc = TOps.Load(ref s);
                for (int r = 1; r < rows; r++)
                    acc = TRed.Combine<TOps, TVec>(acc, TOps.Load(ref Unsafe.Add(ref s, (nint)r * rowStep)));
                TOps.Store(acc, ref Unsafe.Add(ref dst, i));
                i += TOps.Count;
                if (i >= n) break;
            }
            return;
        }
        for (; i < n; i++)
        {
            ref float s = ref Unsafe.Add(ref src, i);
            float acc = s;
            for (int r = 1; r < rows; r++)
                acc = TRed.Combine<Scalar, float>(acc, Unsafe.Add(ref s, (nint)r * rowStep));
            Unsafe.Add(ref dst, i) = acc;
        }
    }

    /// <summary>
    /// Output columns [o0, o0 + count) of one row from the row buffer, whose element 0 is the padded column of
    /// window o0's first element.
    /// </summary>
    private static void HorizontalPass<TOps, TVec, TRed>(ref float buf, ref float outRow, int o0, int count, in Pool2dGeometry g, AverageDivisor avg, float rowFactor)
        where TOps : IVectorOps<TVec> where TVec : struct where TRed : struct, IPoolReduction
    {
        if (count < TOps.Count && TOps.Count > 4)
        {
            // Narrower rows step down a width, as in VerticalReduce.
            if (TOps.Count == 16) HorizontalPass<Vec256, Vector256<float>, TRed>(ref buf, ref outRow, o0, count, g, avg, rowFactor);
            else HorizontalPass<Vec128, Vector128<float>, TRed>(ref buf, ref outRow, o0, count, g, avg, rowFactor);
            return;
        }
        int kW = g.KernelWidth, dW = g.DilationWidth, sW = g.StrideWidth;
        int j = 0;
        bool vectorised = count >= TOps.Count && TOps.Count > 1 && (sW == 1 || (sW == 2 && CanDeinterleave<TVec>()));
        if (vectorised)
        {
            while (true)
            {
                if (j > count - TOps.Count) j = count - TOps.Count;   // overlap the last vector: outputs are rewritten with the same values
                TVec acc;
                if (sW == 1)
                {
                    ref float b = ref Unsafe.Add(ref buf, j);
                    acc = TOps.Load(ref b);
                    for (int kw = 1; kw < kW; kw++) acc = TRed.Combine<TOps, TVec>(acc, TOps.Load(ref Unsafe.Add(ref b, kw * dW)));
                }
                else if (kW == 2 && dW == 1)
                {
                    ref float b = ref Unsafe.Add(ref buf, 2 * j);
                    TVec lo = TOps.Load(ref b), hi = TOps.Load(ref Unsafe.Add(ref b, TOps.Count));
                    acc = TRed.Combine<TOps, TVec>(Even<TVec>(lo, hi), Odd<TVec>(lo, hi));
                }
                else
                {
                    acc = TOps.Create(TRed.Identity);
                    for (int kw = 0; kw < kW; kw++)
                    {
                        int off = kw * dW;
                        ref float b = ref Unsafe.Add(ref buf, 2 * j + (off & ~1));
                        TVec lo = TOps.Load(ref b), hi = TOps.Load(ref Unsafe.Add(ref b, TOps.Count));
                        acc = TRed.Combine<TOps, TVec>(acc, (off & 1) == 0 ? Even<TVec>(lo, hi) : Odd<TVec>(lo, hi));
                    }
                }
                if (TRed.IsAverage) acc = TOps.Divide(acc, DivisorVector<TOps, TVec>(o0 + j, g, avg, rowFactor));
                TOps.Store(acc, ref Unsafe.Add(ref outRow, j));
                j += TOps.Count;
                if (j >= count) break;
            }
            return;
        }
        for (; j < count; j++)
        {
            ref float b = ref Unsafe.Add(ref buf, j * sW);
            float acc = b;
            for (int kw = 1; kw < kW; kw++) acc = TRed.Combine<Scalar, float>(acc, Unsafe.Add(ref b, kw * dW));
            if (TRed.IsAverage) acc /= Divisor(o0 + j, g, avg, rowFactor);
            Unsafe.Add(ref outRow, j) = acc;
        }
    }

    /// <summary>
    /// 2x2 stride-2 windows over two valid rows without column padding, read straight from the input: the two rows
    /// are combined, then even and odd columns. Returns how many leading output columns it wrote (every column whose
    /// window lies inside the input, when there are at least a vector's worth).
    /// </summary>
    private static int Row2x2<TOps, TVec, TRed>(ref float row0, ref float row1, ref float outRow, in Pool2dGeometry g, AverageDivisor avg)
        where TOps : IVectorOps<TVec> where TVec : struct where TRed : struct, IPoolReduction
    {
        int full = Math.Min(g.OutWidth, g.InWidth / 2);
        if (full < TOps.Count && TOps.Count > 4)
        {
            // Narrower rows step down a width, as in VerticalReduce.
            return TOps.Count == 16
                ? Row2x2<Vec256, Vector256<float>, TRed>(ref row0, ref row1, ref outRow, g, avg)
                : Row2x2<Vec128, Vector128<float>, TRed>(ref row0, ref row1, ref outRow, g, avg);
        }
        if (full < TOps.Count || TOps.Count == 1 || !CanDeinterleave<TVec>()) return 0;
        // Every full window of two valid rows has 4 elements and pool size 4. Division by a power of two is exact
        // as a multiplication by its reciprocal.
        int divisorValue = avg.DivisorOverride != 0 ? avg.DivisorOverride : 4;
        bool byReciprocal = IsPowerOfTwo(divisorValue);
        TVec divisor = TOps.Create(byReciprocal ? 1f / divisorValue : divisorValue);
        int j = 0;
        while (true)
        {
            if (j > full - TOps.Count) j = full - TOps.Count;
            ref float a = ref Unsafe.Add(ref row0, 2 * j);
            ref float b = ref Unsafe.Add(ref row1, 2 * j);
            TVec lo = TRed.Combine<TOps, TVec>(TOps.Load(ref a), TOps.Load(ref b));
            TVec hi = TRed.Combine<TOps, TVec>(TOps.Load(ref Unsafe.Add(ref a, TOps.Count)), TOps.Load(ref Unsafe.Add(ref b, TOps.Count)));
            TVec acc = TRed.Combine<TOps, TVec>(Even<TVec>(lo, hi), Odd<TVec>(lo, hi));
            if (TRed.IsAverage) acc = byReciprocal ? TOps.Multiply(acc, divisor) : TOps.Divide(acc, divisor);
            TOps.Store(acc, ref Unsafe.Add(ref outRow, j));
            j += TOps.Count;
            if (j >= full) break;
        }
        return full;
    }

    private static bool IsPowerOfTwo(int value) => value > 0 && (value & (value - 1)) == 0;

    /// <summary>avg_pool2d's divisor of output column <paramref name="ow"/> (<paramref name="rowFactor"/> is the row part).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Divisor(int ow, in Pool2dGeometry g, AverageDivisor avg, float rowFactor)
    {
        if (avg.DivisorOverride != 0) return avg.DivisorOverride;
        int wstart = ow * g.StrideWidth - g.PadWidth;
        int wend = Math.Min(wstart + g.KernelWidth, g.InWidth + g.PadWidth);
        int columns = avg.CountIncludePad ? wend - wstart : Math.Min(wend, g.InWidth) - Math.Max(wstart, 0);
        return rowFactor * columns;
    }

    /// <summary><see cref="Divisor"/> for output columns [ow, ow + Count), computed in float (exact for integers below 2^24).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec DivisorVector<TOps, TVec>(int ow, in Pool2dGeometry g, AverageDivisor avg, float rowFactor)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        if (avg.DivisorOverride != 0) return TOps.Create(avg.DivisorOverride);
        TVec column = TOps.Add(TOps.Load(ref MemoryMarshal.GetReference(Iota)), TOps.Create(ow));
        TVec wstart = TOps.Subtract(TOps.Multiply(column, TOps.Create(g.StrideWidth)), TOps.Create(g.PadWidth));
        TVec wend = TOps.Min(TOps.Add(wstart, TOps.Create(g.KernelWidth)), TOps.Create(g.InWidth + g.PadWidth));
        TVec columns = avg.CountIncludePad
            ? TOps.Subtract(wend, wstart)
            : TOps.Subtract(TOps.Min(wend, TOps.Create(g.InWidth)), TOps.Max(wstart, TOps.Zero));
        return TOps.Multiply(columns, TOps.Create(rowFactor));
    }

    /// <summary>0, 1, ..., 15: lane indices for the widest vector.</summary>
    private static ReadOnlySpan<float> Iota => [0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f, 10f, 11f, 12f, 13f, 14f, 15f];

    /// <summary>One output element at a time, straight from PyTorch's loops: for kernels too wide for the row buffer.</summary>
    private static void PoolDirect<TRed>(ref float input, ref float output, in Pool2dGeometry g, AverageDivisor avg)
        where TRed : struct, IPoolReduction
    {
        int inPlane = g.InHeight * g.InWidth;
        nint o = 0;
        for (int c = 0; c < g.Channels; c++)
        {
            ref float plane = ref Unsafe.Add(ref input, (nint)c * inPlane);
            for (int oh = 0; oh < g.OutHeight; oh++)
            {
                int hstart = oh * g.StrideHeight - g.PadHeight;
                float rowFactor = 0f;
                if (TRed.IsAverage)
                {
                    int hend = Math.Min(hstart + g.KernelHeight, g.InHeight + g.PadHeight);
                    rowFactor = avg.CountIncludePad ? hend - hstart : Math.Min(hend, g.InHeight) - Math.Max(hstart, 0);
                }
                for (int ow = 0; ow < g.OutWidth; ow++)
                {
                    int wstart = ow * g.StrideWidth - g.PadWidth;
                    float acc = TRed.Identity;
                    for (int kh = 0; kh < g.KernelHeight; kh++)
                    {
                        int h = hstart + kh * g.DilationHeight;
                        if ((uint)h >= (uint)g.InHeight) continue;
                        for (int kw = 0; kw < g.KernelWidth; kw++)
                        {
                            int w = wstart + kw * g.DilationWidth;
                            if ((uint)w >= (uint)g.InWidth) continue;
                            acc = TRed.Combine<Scalar, float>(acc, Unsafe.Add(ref plane, h * g.InWidth + w));
                        }
                    }
                    if (TRed.IsAverage) acc /= Divisor(ow, g, avg, rowFactor);
                    Unsafe.Add(ref output, o++) = acc;
                }
            }
        }
    }

    // ---- Adaptive pooling ----

    private static void Adaptive<TOps, TVec, TRed>(ref float input, ref float output, int channels, int inHeight, int inWidth, int outHeight, int outWidth)
        where TOps : IVectorOps<TVec> where TVec : struct where TRed : struct, IPoolReduction
    {
        // Divisible sizes give equal, disjoint windows: a fixed pool with kernel = stride = in / out.
        bool global = outHeight == 1 && outWidth == 1;
        if (!global && inHeight % outHeight == 0 && inWidth % outWidth == 0)
        {
            int kh = inHeight / outHeight, kw = inWidth / outWidth;
            var g = new Pool2dGeometry(channels, inHeight, inWidth, outHeight, outWidth, kh, kw, kh, kw, 0, 0, 1, 1);
            Pool<TOps, TVec, TRed>(ref input, ref output, g, new AverageDivisor(true, 0));
            return;
        }
        int inPlane = inHeight * inWidth;
        nint o = 0;
        for (int c = 0; c < channels; c++)
        {
            ref float plane = ref Unsafe.Add(ref input, (nint)c * inPlane);
            for (int oh = 0; oh < outHeight; oh++)
            {
                int h0 = (int)((long)oh * inHeight / outHeight);
                int h1 = (int)(((long)(oh + 1) * inHeight + outHeight - 1) / outHeight);
                for (int ow = 0; ow < outWidth; ow++)
                {
                    int w0 = (int)((long)ow * inWidth / outWidth);
                    int w1 = (int)(((long)(ow + 1) * inWidth + outWidth - 1) / outWidth);
                    float acc;
                    if (w0 == 0 && w1 == inWidth)
                    {
                        // Whole rows are contiguous: one run (global pooling is this case).
                        acc = ReduceRun<TOps, TVec, TRed>(ref Unsafe.Add(ref plane, h0 * inWidth), (h1 - h0) * inWidth);
                    }
                    else
                    {
                        acc = ReduceRun<TOps, TVec, TRed>(ref Unsafe.Add(ref plane, h0 * inWidth + w0), w1 - w0);
                        for (int h = h0 + 1; h < h1; h++)
                            acc = TRed.Combine<Scalar, float>(acc, ReduceRun<TOps, TVec, TRed>(ref Unsafe.Add(ref plane, h * inWidth + w0), w1 - w0));
                    }
                    if (TRed.IsAverage) acc /= (h1 - h0) * (w1 - w0);
                    Unsafe.Add(ref output, o++) = acc;
                }
            }
        }
    }

    /// <summary>Reduction of a contiguous run of <paramref name="length"/> &gt;= 1 floats, in a fixed order: four vector accumulators, then one, then a scalar tail.</summary>
    private static float ReduceRun<TOps, TVec, TRed>(ref float start, int length)
        where TOps : IVectorOps<TVec> where TVec : struct where TRed : struct, IPoolReduction
    {
        int i = 0;
        float acc = TRed.Identity;
        if (TOps.Count > 1 && length >= TOps.Count)
        {
            TVec a0 = TOps.Load(ref start);
            i = TOps.Count;
            if (length >= 4 * TOps.Count)
            {
                TVec a1 = TOps.Load(ref Unsafe.Add(ref start, TOps.Count));
                TVec a2 = TOps.Load(ref Unsafe.Add(ref start, 2 * TOps.Count));
                TVec a3 = TOps.Load(ref Unsafe.Add(ref start, 3 * TOps.Count));
                for (i = 4 * TOps.Count; i <= length - 4 * TOps.Count; i += 4 * TOps.Count)
                {
                    ref float s = ref Unsafe.Add(ref start, i);
                    a0 = TRed.Combine<TOps, TVec>(a0, TOps.Load(ref s));
                    a1 = TRed.Combine<TOps, TVec>(a1, TOps.Load(ref Unsafe.Add(ref s, TOps.Count)));
                    a2 = TRed.Combine<TOps, TVec>(a2, TOps.Load(ref Unsafe.Add(ref s, 2 * TOps.Count)));
                    a3 = TRed.Combine<TOps, TVec>(a3, TOps.Load(ref Unsafe.Add(ref s, 3 * TOps.Count)));
                }
                a0 = TRed.Combine<TOps, TVec>(TRed.Combine<TOps, TVec>(a0, a1), TRed.Combine<TOps, TVec>(a2, a3));
            }
            for (; i <= length - TOps.Count; i += TOps.Count)
                a0 = TRed.Combine<TOps, TVec>(a0, TOps.Load(ref Unsafe.Add(ref start, i)));
            acc = TRed.Across<TOps, TVec>(a0);
        }
        for (; i < length; i++) acc = TRed.Combine<Scalar, float>(acc, Unsafe.Add(ref start, i));
        return acc;
    }

    // ---- Argument checks ----

    private static void CheckLengths(int inputLength, int outputLength, in Pool2dGeometry g)
    {
        if (inputLength != g.InputLength)
            throw new ArgumentException($"input has {inputLength} floats, the geometry needs {g.InputLength} ({g.Channels}x{g.InHeight}x{g.InWidth}).", "input");
        if (outputLength != g.OutputLength)
            throw new ArgumentException($"output has {outputLength} floats, the geometry needs {g.OutputLength} ({g.Channels}x{g.OutHeight}x{g.OutWidth}).", "output");
    }

    private static void CheckAdaptive(int inputLength, int outputLength, int channels, int inHeight, int inWidth, int outHeight, int outWidth)
    {
        if (channels < 0) throw new ArgumentException($"channels must be >= 0, got {channels}.", nameof(channels));
        if (inHeight < 1 || inWidth < 1) throw new ArgumentException($"The input must be at least 1x1, got {inHeight}x{inWidth}.", nameof(inHeight));
        if (outHeight < 1 || outWidth < 1) throw new ArgumentException($"The output must be at least 1x1, got {outHeight}x{outWidth}.", nameof(outHeight));
        long needIn = (long)channels * inHeight * inWidth, needOut = (long)channels * outHeight * outWidth;
        if (inputLength != needIn) throw new ArgumentException($"input has {inputLength} floats, {channels}x{inHeight}x{inWidth} needs {needIn}.", "input");
        if (outputLength != needOut) throw new ArgumentException($"output has {outputLength} floats, {channels}x{outHeight}x{outWidth} needs {needOut}.", "output");
    }
}
