using ConvGen.Runtime.Simd;

namespace ConvGen.Runtime.Kernels;

/// <summary>
/// Max, average and adaptive pooling on <see cref="TensorLayout.Blocked16"/> tensors (batch 1), vectorised along
/// channels, with PyTorch's semantics (those of <see cref="Pool2d"/>): max pads with -infinity and propagates NaN,
/// average uses <c>avg_pool2d</c>'s divisor rules (count_include_pad, divisor_override, ceil-mode windows clipped),
/// adaptive windows are [floor(i*In/Out), ceil((i+1)*In/Out)). Padding lanes stay zero. A 1-D pool is H = 1.
/// </summary>
public static class BlockedPool2d
{
    /// <summary>PyTorch <c>max_pool2d</c> (kernel, stride, padding, dilation, ceil_mode through the output size).</summary>
    public static void Max(ReadOnlySpan<float> input, Span<float> output, in Pool2dGeometry g) => Max(0, input, output, g);

    /// <summary>PyTorch <c>avg_pool2d</c>; <paramref name="divisorOverride"/> 0 means none. Dilation must be 1.</summary>
    public static void Average(ReadOnlySpan<float> input, Span<float> output, in Pool2dGeometry g, bool countIncludePad, int divisorOverride) =>
        Average(0, input, output, g, countIncludePad, divisorOverride);

    /// <summary>PyTorch <c>adaptive_avg_pool2d</c>; a 1x1 output is global average pooling.</summary>
    public static void AdaptiveAverage(ReadOnlySpan<float> input, Span<float> output, int channels, int inHeight, int inWidth, int outHeight, int outWidth) =>
        Adaptive(0, input, output, channels, inHeight, inWidth, outHeight, outWidth, average: true);

    /// <summary>PyTorch <c>adaptive_max_pool2d</c>; a 1x1 output is global max pooling.</summary>
    public static void AdaptiveMax(ReadOnlySpan<float> input, Span<float> output, int channels, int inHeight, int inWidth, int outHeight, int outWidth) =>
        Adaptive(0, input, output, channels, inHeight, inWidth, outHeight, outWidth, average: false);

    internal static void Max(int lanes, ReadOnlySpan<float> input, Span<float> output, in Pool2dGeometry g)
    {
        g.Validate();
        CheckLengths(input, output, g.Channels, g.InHeight * g.InWidth, g.OutHeight * g.OutWidth);
        var job = new Job(input, output, new Windows(g, false, false, 0), g.Channels, false);
        WidthDispatch.Run(lanes, ref job);
    }

    internal static void Average(int lanes, ReadOnlySpan<float> input, Span<float> output, in Pool2dGeometry g, bool countIncludePad, int divisorOverride)
    {
        g.Validate();
        if (g.DilationHeight != 1 || g.DilationWidth != 1 || divisorOverride < 0) ThrowAverageArguments(g, divisorOverride);
        CheckLengths(input, output, g.Channels, g.InHeight * g.InWidth, g.OutHeight * g.OutWidth);
        var job = new Job(input, output, new Windows(g, false, countIncludePad, divisorOverride), g.Channels, true);
        WidthDispatch.Run(lanes, ref job);
    }

    internal static void Adaptive(int lanes, ReadOnlySpan<float> input, Span<float> output, int channels, int inHeight, int inWidth, int outHeight, int outWidth, bool average)
    {
        if (channels < 1 || inHeight < 1 || inWidth < 1 || outHeight < 1 || outWidth < 1) ThrowAdaptiveSizes(channels, inHeight, inWidth, outHeight, outWidth);
        CheckLengths(input, output, channels, inHeight * inWidth, outHeight * outWidth);
        var g = new Pool2dGeometry(channels, inHeight, inWidth, outHeight, outWidth, 1, 1, 1, 1, 0, 0, 1, 1);
        var job = new Job(input, output, new Windows(g, true, false, 0), channels, average);
        WidthDispatch.Run(lanes, ref job);
    }

    // Out of line (never inlined), so that Average's and Adaptive's frames hold no message formatting.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowAdaptiveSizes(int channels, int inHeight, int inWidth, int outHeight, int outWidth) =>
        throw new ArgumentException($"Adaptive pooling needs positive sizes, got {channels} channels, {inHeight}x{inWidth} -> {outHeight}x{outWidth}.");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowAverageArguments(in Pool2dGeometry g, int divisorOverride) =>
        throw (g.DilationHeight != 1 || g.DilationWidth != 1
            ? new ArgumentException($"Average pooling has no dilation, got ({g.DilationHeight}, {g.DilationWidth}).", nameof(g))
            : new ArgumentException($"divisorOverride must be >= 0 (0: none), got {divisorOverride}.", nameof(divisorOverride)));

    private static void CheckLengths(ReadOnlySpan<float> input, Span<float> output, int channels, int inPositions, int outPositions)
    {
        Conv2d.CheckLength(input.Length, Blocked16.Length(channels, inPositions), nameof(input));
        Conv2d.CheckLength(output.Length, Blocked16.Length(channels, outPositions), nameof(output));
        if (input.Overlaps(output)) throw new ArgumentException("input and output must not overlap.", nameof(output));
    }

    /// <summary>Where each output position's window lies, and its divisor.</summary>
    private readonly record struct Windows(Pool2dGeometry G, bool Adaptive, bool CountIncludePad, int DivisorOverride)
    {
        // Rows (or columns) [from, to) with step `step` of output index i: the taps inside the input.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Range(int i, int inSize, int outSize, int kernel, int stride, int pad, int dilation, out int from, out int to, out int step, out int padded)
        {
            if (Adaptive)
            {
                from = (int)((long)i * inSize / outSize);
                to = (int)(((long)(i + 1) * inSize + outSize - 1) / outSize);
                step = 1;
                padded = to - from;
                return;
            }

            int start = i * stride - pad;
            step = dilation;
            // avg_pool2d's pool size counts padding up to In + pad (ceil-mode windows stop there).
            padded = Math.Min(start + kernel, inSize + pad) - start;
            // (Without dilation, no division: this runs once per output row and column.)
            int k0 = start >= 0 ? 0 : dilation == 1 ? -start : (-start + dilation - 1) / dilation;
            int k1 = start >= inSize ? 0 : Math.Min(kernel, dilation == 1 ? inSize - start : (inSize - 1 - start) / dilation + 1);
            if (k1 < k0) k1 = k0;
            from = start + k0 * dilation;
            to = start + k1 * dilation;
        }
    }

    private readonly ref struct Job(ReadOnlySpan<float> input, Span<float> output, Windows windows, int channels, bool average) : IWidthKernel
    {
        private readonly ReadOnlySpan<float> _input = input;
        private readonly Span<float> _output = output;

        public void Run<TOps, TVec>() where TOps : IVectorOps<TVec> where TVec : struct
        {
            if (average) Pool<TOps, TVec>(_input, _output, windows, channels, true);
            else if (WindowsInside(windows)) MaxInside<TOps, TVec>(_input, _output, windows.G, channels);
            else Pool<TOps, TVec>(_input, _output, windows, channels, false);
        }
    }

    // Every window lies whole inside the input (no padding, no dilation, none clipped by ceil mode): max pooling
    // then needs no per-window range, only fixed offsets.
    private static bool WindowsInside(in Windows win) =>
        !win.Adaptive && win.G.PadHeight == 0 && win.G.PadWidth == 0 && win.G.DilationHeight == 1 && win.G.DilationWidth == 1
        && (long)(win.G.OutHeight - 1) * win.G.StrideHeight + win.G.KernelHeight <= win.G.InHeight
        && (long)(win.G.OutWidth - 1) * win.G.StrideWidth + win.G.KernelWidth <= win.G.InWidth;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxInside<TOps, TVec>(ReadOnlySpan<float> input, Span<float> output, in Pool2dGeometry g, int channels)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        int lanes = TOps.Count, blocks = Blocked16.Blocks(channels);
        int kh = g.KernelHeight, kw = g.KernelWidth, oh = g.OutHeight, ow = g.OutWidth;
        nint row = (nint)g.InWidth * Blocked16.Lanes, step = (nint)g.StrideWidth * Blocked16.Lanes;
        nint rowStep = g.StrideHeight * row;
        ref float xr = ref MemoryMarshal.GetReference(input);
        ref float yr = ref MemoryMarshal.GetReference(output);
        for (int b = 0; b < blocks; b++)
        {
            ref float plane = ref Unsafe.Add(ref xr, b * (nint)g.InHeight * row);
            ref float outPlane = ref Unsafe.Add(ref yr, b * (nint)oh * ow * Blocked16.Lanes);
            for (int oy = 0; oy < oh; oy++)
            {
                ref float top = ref Unsafe.Add(ref plane, oy * rowStep);
                ref float dst = ref Unsafe.Add(ref outPlane, (nint)oy * ow * Blocked16.Lanes);
                for (int ox = 0; ox < ow; ox++)
                {
                    ref float corner = ref Unsafe.Add(ref top, ox * step);
                    for (int part = 0; part < Blocked16.Lanes; part += lanes)
                    {
                        TVec acc = TOps.Load(ref Unsafe.Add(ref corner, part));
                        for (int y = 0; y < kh; y++)
                        {
                            ref float r = ref Unsafe.Add(ref corner, y * row + part);
                            for (int x = y == 0 ? 1 : 0; x < kw; x++)
                                acc = TOps.Max(acc, TOps.Load(ref Unsafe.Add(ref r, (nint)x * Blocked16.Lanes)));
                        }

                        TOps.Store(acc, ref Unsafe.Add(ref dst, (nint)ox * Blocked16.Lanes + part));
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pool<TOps, TVec>(ReadOnlySpan<float> input, Span<float> output, in Windows win, int channels, bool average)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        Pool2dGeometry g = win.G;
        int lanes = TOps.Count, perBlock = Blocked16.Lanes / lanes, vectors = Blocked16.Blocks(channels) * perBlock;
        int h = g.InHeight, w = g.InWidth, oh = g.OutHeight, ow = g.OutWidth;
        nint inPlane = (nint)h * w * Blocked16.Lanes, outPlane = (nint)oh * ow * Blocked16.Lanes;
        ref float xr = ref MemoryMarshal.GetReference(input);
        ref float yr = ref MemoryMarshal.GetReference(output);
        TVec identity = average ? TOps.Zero : TOps.Create(float.NegativeInfinity);
        for (int oy = 0; oy < oh; oy++)
        {
            win.Range(oy, h, oh, g.KernelHeight, g.StrideHeight, g.PadHeight, g.DilationHeight, out int y0, out int y1, out int ys, out int paddedH);
            for (int ox = 0; ox < ow; ox++)
            {
                win.Range(ox, w, ow, g.KernelWidth, g.StrideWidth, g.PadWidth, g.DilationWidth, out int x0, out int x1, out int xs, out int paddedW);
                float scale = 1f;
                if (average)
                {
                    int divisor = win.DivisorOverride != 0 ? win.DivisorOverride
                        : win.CountIncludePad && !win.Adaptive ? paddedH * paddedW
                        : ((y1 - y0 + ys - 1) / ys) * ((x1 - x0 + xs - 1) / xs);
                    scale = 1f / divisor;
                }

                // Four vectors of channels at a time: four independent sums (one per vector, each in the window's
                // order), not one chain of dependent adds (a global pool's window is a whole map). The last group
                // repeats its final vector where fewer than four are left, and stores each vector once.
                nint outAt = ((nint)oy * ow + ox) * Blocked16.Lanes;
                TVec scaleVector = TOps.Create(scale);
                for (int v = 0; v < vectors; v += 4)
                {
                    int v1 = Math.Min(v + 1, vectors - 1), v2 = Math.Min(v + 2, vectors - 1), v3 = Math.Min(v + 3, vectors - 1);
                    ref float p0 = ref Unsafe.Add(ref xr, v / perBlock * inPlane + v % perBlock * lanes);
                    ref float p1 = ref Unsafe.Add(ref xr, v1 / perBlock * inPlane + v1 % perBlock * lanes);
                    ref float p2 = ref Unsafe.Add(ref xr, v2 / perBlock * inPlane + v2 % perBlock * lanes);
                    ref float p3 = ref Unsafe.Add(ref xr, v3 / perBlock * inPlane + v3 % perBlock * lanes);
                    TVec a0 = identity, a1 = identity, a2 = identity, a3 = identity;
                    for (int y = y0; y < y1; y += ys)
                        for (int x = x0; x < x1; x += xs)
                        {
                            nint at = ((nint)y * w + x) * Blocked16.Lanes;
                            a0 = Combine(a0, TOps.Load(ref Unsafe.Add(ref p0, at)), average);
                            a1 = Combine(a1, TOps.Load(ref Unsafe.Add(ref p1, at)), average);
                            a2 = Combine(a2, TOps.Load(ref Unsafe.Add(ref p2, at)), average);
                            a3 = Combine(a3, TOps.Load(ref Unsafe.Add(ref p3, at)), average);
                        }

                    if (average)
                    {
                        a0 = TOps.Multiply(a0, scaleVector);
                        a1 = TOps.Multiply(a1, scaleVector);
                        a2 = TOps.Multiply(a2, scaleVector);
                        a3 = TOps.Multiply(a3, scaleVector);
                    }

                    TOps.Store(a0, ref Unsafe.Add(ref yr, v / perBlock * outPlane + outAt + v % perBlock * lanes));
                    if (v + 1 < vectors) TOps.Store(a1, ref Unsafe.Add(ref yr, v1 / perBlock * outPlane + outAt + v1 % perBlock * lanes));
                    if (v + 2 < vectors) TOps.Store(a2, ref Unsafe.Add(ref yr, v2 / perBlock * outPlane + outAt + v2 % perBlock * lanes));
                    if (v + 3 < vectors) TOps.Store(a3, ref Unsafe.Add(ref yr, v3 / perBlock * outPlane + outAt + v3 % perBlock * lanes));
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static TVec Combine(TVec acc, TVec v, bool average) => average ? TOps.Add(acc, v) : TOps.Max(acc, v);
    }
}
