using System.Diagnostics.CodeAnalysis;
using ConvGen.Runtime.Simd;

namespace ConvGen.Runtime.Kernels;

/// <summary>
/// PyTorch's <c>max_pool2d(..., return_indices=True)</c> (batch 1), in either layout: the pooled values, as
/// <see cref="Pool2d.Max"/> computes them, and for each the flat position <c>h * W + w</c> of its maximum in its
/// channel's (unpadded) input plane, the indices <see cref="MaxUnpool2d"/> reads.
/// </summary>
/// <remarks>
/// PyTorch 1.13's CPU kernel exactly (aten/src/ATen/native/cpu/MaxPoolKernel.cpp, <c>cpu_max_pool</c>): the window's
/// taps inside the input in row-major order, a tap taken when <c>val &gt; max || isnan(val)</c>, so a tie keeps the
/// first maximum and a NaN the last NaN; a window without a tap inside the input keeps -infinity and the position of
/// its first row and column after the padding is skipped. The blocked form compares 16 channels per vector, one tap
/// at a time, each lane carrying its index's bits; the CHW form is scalar (it runs where channels are few).
/// </remarks>
public static class MaxPool2dIndices
{
    /// <summary>
    /// Writes the pooled <paramref name="output"/> and, position for position, <paramref name="indices"/>, both in
    /// <paramref name="layout"/> (blocked: padding lanes of the output are zero, their indices 0).
    /// </summary>
    public static void Forward(ReadOnlySpan<float> input, Span<float> output, Span<int> indices, TensorLayout layout, in Pool2dGeometry g) =>
        Forward(0, input, output, indices, layout, g);

    internal static void Forward(int lanes, ReadOnlySpan<float> input, Span<float> output, Span<int> indices, TensorLayout layout, in Pool2dGeometry g)
    {
        g.Validate();
        int inPositions = checked(g.InHeight * g.InWidth), outPositions = checked(g.OutHeight * g.OutWidth);
        Conv2d.CheckLength(input.Length, Blocked16.Length(layout, g.Channels, inPositions), nameof(input));
        Conv2d.CheckLength(output.Length, Blocked16.Length(layout, g.Channels, outPositions), nameof(output));
        Conv2d.CheckLength(indices.Length, output.Length, nameof(indices));
        Span<float> indexBits = MemoryMarshal.Cast<int, float>(indices);
        if (input.Overlaps(output) || input.Overlaps(indexBits) || output.Overlaps(indexBits))
            throw new ArgumentException("input, output and indices must not overlap.", nameof(indices));
        if (layout == TensorLayout.Chw)
        {
            Chw(input, output, indices, g);
            return;
        }
        var job = new BlockedJob(input, output, indexBits, g);
        WidthDispatch.Run(lanes, ref job);
    }

    /// <summary>
    /// The taps of output row (or column) <paramref name="o"/> inside the input: [from, to) step
    /// <paramref name="dilation"/>, as cpu_max_pool computes them (from skips the padding by whole dilations).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Taps(int o, int inSize, int kernel, int stride, int pad, int dilation, out int from, out int to)
    {
        from = o * stride - pad;
        to = Math.Min(from + (kernel - 1) * dilation + 1, inSize);
        if (from < 0) from += (-from + dilation - 1) / dilation * dilation;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Chw(ReadOnlySpan<float> input, Span<float> output, Span<int> indices, in Pool2dGeometry g)
    {
        // The geometry in locals: read through `in`, every field would be reloaded after each store.
        int h = g.InHeight, w = g.InWidth, oh = g.OutHeight, ow = g.OutWidth, channels = g.Channels;
        int kh = g.KernelHeight, kw = g.KernelWidth, sh = g.StrideHeight, sw = g.StrideWidth, ph = g.PadHeight, pw = g.PadWidth;
        int dh = g.DilationHeight, dw = g.DilationWidth;
        ref float xr = ref MemoryMarshal.GetReference(input);
        ref float yr = ref MemoryMarshal.GetReference(output);
        ref int ir = ref MemoryMarshal.GetReference(indices);
        for (int c = 0; c < channels; c++)
        {
            ref float plane = ref Unsafe.Add(ref xr, (nint)c * h * w);
            nint outPlane = (nint)c * oh * ow;
            for (int oy = 0; oy < oh; oy++)
            {
                Taps(oy, h, kh, sh, ph, dh, out int y0, out int y1);
                for (int ox = 0; ox < ow; ox++)
                {
                    Taps(ox, w, kw, sw, pw, dw, out int x0, out int x1);
                    int best = y0 * w + x0;
                    float max = float.NegativeInfinity;
                    for (int y = y0; y < y1; y += dh)
                    {
                        for (int x = x0; x < x1; x += dw)
                        {
                            int at = y * w + x;
                            float v = Unsafe.Add(ref plane, at);
                            // Branch-free (conditional moves): on real data the comparison is unpredictable.
                            bool take = v > max | float.IsNaN(v);
                            max = take ? v : max;
                            best = take ? at : best;
                        }
                    }
                    nint o = outPlane + (nint)oy * ow + ox;
                    Unsafe.Add(ref yr, o) = max;
                    Unsafe.Add(ref ir, o) = best;
                }
            }
        }
    }

    private readonly ref struct BlockedJob(ReadOnlySpan<float> input, Span<float> output, Span<float> indexBits, Pool2dGeometry g) : IWidthKernel
    {
        private readonly ReadOnlySpan<float> _input = input;
        private readonly Span<float> _output = output;
        private readonly Span<float> _indexBits = indexBits;

        public void Run<TOps, TVec>() where TOps : IVectorOps<TVec> where TVec : struct => Blocked<TOps, TVec>(_input, _output, _indexBits, g);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Blocked<TOps, TVec>(ReadOnlySpan<float> input, Span<float> output, Span<float> indexBits, in Pool2dGeometry g)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        int lanes = TOps.Count, perBlock = Blocked16.Lanes / lanes, blocks = Blocked16.Blocks(g.Channels);
        int h = g.InHeight, w = g.InWidth, oh = g.OutHeight, ow = g.OutWidth;
        nint inPlane = (nint)h * w * Blocked16.Lanes, outPlane = (nint)oh * ow * Blocked16.Lanes;
        ref float xr = ref MemoryMarshal.GetReference(input);
        ref float yr = ref MemoryMarshal.GetReference(output);
        ref float ir = ref MemoryMarshal.GetReference(indexBits);
        TVec negativeInfinity = TOps.Create(float.NegativeInfinity);
        for (int oy = 0; oy < oh; oy++)
        {
            Taps(oy, h, g.KernelHeight, g.StrideHeight, g.PadHeight, g.DilationHeight, out int y0, out int y1);
            for (int ox = 0; ox < ow; ox++)
            {
                Taps(ox, w, g.KernelWidth, g.StrideWidth, g.PadWidth, g.DilationWidth, out int x0, out int x1);
                nint outAt = ((nint)oy * ow + ox) * Blocked16.Lanes;
                for (int b = 0; b < blocks; b++)
                {
                    ref float plane = ref Unsafe.Add(ref xr, b * inPlane);
                    for (int part = 0; part < perBlock; part++)
                    {
                        TVec max = negativeInfinity;
                        // Every lane's index as the bits of a float: selected, never computed on.
                        TVec best = TOps.Create(BitConverter.Int32BitsToSingle(y0 * w + x0));
                        for (int y = y0; y < y1; y += g.DilationHeight)
                        {
                            ref float row = ref Unsafe.Add(ref plane, (nint)y * w * Blocked16.Lanes + part * lanes);
                            for (int x = x0; x < x1; x += g.DilationWidth)
                            {
                                TVec v = TOps.Load(ref Unsafe.Add(ref row, (nint)x * Blocked16.Lanes));
                                best = TOps.SelectGreaterOrNaN(v, max, TOps.Create(BitConverter.Int32BitsToSingle(y * w + x)), best);
                                max = TOps.SelectGreaterOrNaN(v, max, v, max);
                            }
                        }
                        nint at = b * outPlane + outAt + part * lanes;
                        TOps.Store(max, ref Unsafe.Add(ref yr, at));
                        TOps.Store(best, ref Unsafe.Add(ref ir, at));
                    }
                }
            }
        }

        // Padding lanes: the input's are zero, so the maxima are too; their indices are set to 0, not left to a tie.
        Blocked16.ClearPadding(indexBits, g.Channels, oh * ow);
    }
}

/// <summary>
/// PyTorch's <c>max_unpool2d</c> (batch 1), in either layout: the output is zeros except at the positions the indices
/// name, where each input value is written (per channel, flat <c>h * W + w</c> in the output plane). Where two values
/// name one position, the later in the input's row-major order wins, as in PyTorch's CPU kernel.
/// </summary>
public static class MaxUnpool2d
{
    /// <summary>
    /// <paramref name="input"/> and <paramref name="indices"/> have <paramref name="inPositions"/> per channel,
    /// <paramref name="output"/> <paramref name="outPositions"/>, all in <paramref name="layout"/>. An index outside
    /// [0, outPositions) throws, as PyTorch raises (the generator proves its own indices in range).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(ReadOnlySpan<float> input, ReadOnlySpan<int> indices, Span<float> output, TensorLayout layout, int channels, int inPositions, int outPositions)
    {
        if (channels < 1 || inPositions < 1 || outPositions < 1)
            throw new ArgumentException($"MaxUnpool2d needs positive sizes, got {channels} channels, {inPositions} -> {outPositions} positions.");
        Conv2d.CheckLength(input.Length, Blocked16.Length(layout, channels, inPositions), nameof(input));
        Conv2d.CheckLength(indices.Length, input.Length, nameof(indices));
        Conv2d.CheckLength(output.Length, Blocked16.Length(layout, channels, outPositions), nameof(output));
        if (input.Overlaps(output) || MemoryMarshal.Cast<int, float>(indices).Overlaps(output))
            throw new ArgumentException("input and indices must not overlap the output.", nameof(output));

        output.Clear();
        ref float xr = ref MemoryMarshal.GetReference(input);
        ref int ir = ref MemoryMarshal.GetReference(indices);
        ref float yr = ref MemoryMarshal.GetReference(output);
        if (layout == TensorLayout.Chw)
        {
            for (int c = 0; c < channels; c++)
            {
                nint from = (nint)c * inPositions;
                ref float plane = ref Unsafe.Add(ref yr, (nint)c * outPositions);
                for (int p = 0; p < inPositions; p++)
                {
                    int index = Unsafe.Add(ref ir, from + p);
                    if ((uint)index >= (uint)outPositions) ThrowIndex(index, c, outPositions);
                    Unsafe.Add(ref plane, index) = Unsafe.Add(ref xr, from + p);
                }
            }
            return;
        }

        // Blocked: only the lanes that carry channels; the output's padding lanes stay zero.
        int blocks = Blocked16.Blocks(channels);
        for (int b = 0; b < blocks; b++)
        {
            int valid = Math.Min(Blocked16.Lanes, channels - b * Blocked16.Lanes);
            nint from = (nint)b * inPositions * Blocked16.Lanes;
            ref float block = ref Unsafe.Add(ref yr, (nint)b * outPositions * Blocked16.Lanes);
            for (int p = 0; p < inPositions; p++)
            {
                nint at = from + (nint)p * Blocked16.Lanes;
                for (int l = 0; l < valid; l++)
                {
                    int index = Unsafe.Add(ref ir, at + l);
                    if ((uint)index >= (uint)outPositions) ThrowIndex(index, b * Blocked16.Lanes + l, outPositions);
                    Unsafe.Add(ref block, (nint)index * Blocked16.Lanes + l) = Unsafe.Add(ref xr, at + l);
                }
            }
        }
    }

    [DoesNotReturn]
    private static void ThrowIndex(int index, int channel, int outPositions) =>
        throw new ArgumentException($"MaxUnpool2d: index {index} of channel {channel} is outside the output plane of {outPositions} positions.", "indices");
}
