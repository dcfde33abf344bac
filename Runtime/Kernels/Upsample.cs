using System.Runtime.Intrinsics;
using ConvGen.Runtime.Simd;

namespace ConvGen.Runtime.Kernels;

/// <summary>
/// <c>torch.nn.Upsample</c> over CHW (batch 1): <c>'nearest'</c> and <c>'bilinear'</c> (align_corners true or false),
/// with PyTorch's (1.13+) CPU index arithmetic in float.
/// </summary>
/// <remarks>
/// The scale parameters are the user's <c>scale_factor</c> per axis, or 0 when the layer was given an output size
/// (or <c>recompute_scale_factor=True</c>). PyTorch then maps output to input coordinates with the ratio
/// (float)(1.0 / scale_factor) when a scale factor was given, else (float)in / out: the two differ for a
/// non-integer factor (scale 1.5 from 5 to 7: 0.6667 against 0.7143), so the generator must pass what the user wrote.
/// </remarks>
public static class Upsample
{
    /// <summary>
    /// Nearest: output (h, w) = input (min(floor(h * rH), inH - 1), min(floor(w * rW), inW - 1)), as PyTorch's
    /// CHW kernel computes it. A one-channel tensor is also channels-last contiguous, and PyTorch then runs its
    /// channels-last kernel, whose size shortcuts (out == in: the same index; out == 2 * in: index / 2) differ from the
    /// formula for some scale factors (1.3 from width 2 to 2); that is reproduced for channels == 1.
    /// </summary>
    public static void Nearest(ReadOnlySpan<float> input, Span<float> output, int channels, int inHeight, int inWidth, int outHeight, int outWidth,
        double scaleHeight = 0, double scaleWidth = 0)
    {
        Check(input.Length, output.Length, channels, inHeight, inWidth, outHeight, outWidth);
        bool shortcuts = channels == 1;
        float ratioH = NearestRatio(shortcuts, scaleHeight, inHeight, outHeight), ratioW = NearestRatio(shortcuts, scaleWidth, inWidth, outWidth);
        int inPlane = inHeight * inWidth, outPlane = outHeight * outWidth;
        ref float src = ref MemoryMarshal.GetReference(input);
        ref float dst = ref MemoryMarshal.GetReference(output);
        for (int c = 0; c < channels; c++)
        {
            ref float plane = ref Unsafe.Add(ref src, (nint)c * inPlane);
            ref float outPlaneRef = ref Unsafe.Add(ref dst, (nint)c * outPlane);
            int previousRow = -1;
            for (int oh = 0; oh < outHeight; oh++)
            {
                int ih = NearestIndex(oh, inHeight, ratioH);
                ref float outRow = ref Unsafe.Add(ref outPlaneRef, (nint)oh * outWidth);
                if (ih == previousRow)
                {
                    // Same source row as the previous output row (every row but the first for an integer upscale).
                    MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref outRow, -outWidth), outWidth).CopyTo(MemoryMarshal.CreateSpan(ref outRow, outWidth));
                    continue;
                }
                previousRow = ih;
                ref float row = ref Unsafe.Add(ref plane, (nint)ih * inWidth);
                // Ratios 1 and 1/2 are exact, so these shortcuts give the same indices.
                if (ratioW == 1f && outWidth == inWidth)
                    MemoryMarshal.CreateReadOnlySpan(ref row, inWidth).CopyTo(MemoryMarshal.CreateSpan(ref outRow, outWidth));
                else if (ratioW == 0.5f && outWidth == 2 * inWidth)
                    DuplicateColumns(ref row, ref outRow, inWidth);
                else
                    for (int ow = 0; ow < outWidth; ow++)
                        Unsafe.Add(ref outRow, ow) = Unsafe.Add(ref row, NearestIndex(ow, inWidth, ratioW));
            }
        }
    }

    /// <summary>out[2i] = out[2i + 1] = row[i] for i in [0, n).</summary>
    private static void DuplicateColumns(ref float row, ref float outRow, int n)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // Constant shuffle indices: one vpermps per output vector.
            Vector256<int> low = Vector256.Create(0, 0, 1, 1, 2, 2, 3, 3), high = Vector256.Create(4, 4, 5, 5, 6, 6, 7, 7);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256<float> v = Vector256.LoadUnsafe(ref Unsafe.Add(ref row, i));
                Vector256.Shuffle(v, low).StoreUnsafe(ref Unsafe.Add(ref outRow, 2 * i));
                Vector256.Shuffle(v, high).StoreUnsafe(ref Unsafe.Add(ref outRow, 2 * i + Vector256<float>.Count));
            }
        }
        for (; i < n; i++)
        {
            float v = Unsafe.Add(ref row, i);
            Unsafe.Add(ref outRow, 2 * i) = v;
            Unsafe.Add(ref outRow, 2 * i + 1) = v;
        }
    }

    /// <summary>
    /// Bilinear, PyTorch's <c>upsample_bilinear2d</c>: with align_corners the source coordinate is
    /// dst * (in - 1) / (out - 1); without, max(0, r * (dst + 0.5) - 0.5) with the ratio r above. The two
    /// neighbours are floor(src) and the next one (clamped to the edge), weighted by the fractional part. An axis
    /// whose size is unchanged is copied, whatever the scale factor, as PyTorch does.
    /// </summary>
    public static void Bilinear(ReadOnlySpan<float> input, Span<float> output, int channels, int inHeight, int inWidth, int outHeight, int outWidth,
        bool alignCorners, double scaleHeight = 0, double scaleWidth = 0)
    {
        Check(input.Length, output.Length, channels, inHeight, inWidth, outHeight, outWidth);
        var job = new BilinearJob(input, output, channels, inHeight, inWidth, outHeight, outWidth, alignCorners, scaleHeight, scaleWidth);
        WidthDispatch.Run(ref job);
    }

    private readonly ref struct BilinearJob(ReadOnlySpan<float> input, Span<float> output, int channels, int inHeight, int inWidth, int outHeight,
        int outWidth, bool alignCorners, double scaleHeight, double scaleWidth) : IWidthKernel
    {
        private readonly ReadOnlySpan<float> _input = input;
        private readonly Span<float> _output = output;

        public void Run<TOps, TVec>() where TOps : IVectorOps<TVec> where TVec : struct =>
            Bilinear<TOps, TVec>(_input, _output, channels, inHeight, inWidth, outHeight, outWidth, alignCorners, scaleHeight, scaleWidth);
    }

    /// <summary>Input row buffer of the separable bilinear path, in floats (16 KB on the stack).</summary>
    private const int RowBufferLength = 4096;

    /// <summary>Output columns whose source indices and weights the separable path tabulates (16 KB on the stack).</summary>
    private const int ColumnTableLength = 1024;

    /// <summary>
    /// Separable bilinear: each output row first blends its two source rows into a row buffer (vectorised along the
    /// input width), then each output column blends two buffer elements with tabulated indices and weights. Rows
    /// or outputs wider than the buffers take the direct per-element path.
    /// </summary>
    [SkipLocalsInit]
    internal static void Bilinear<TOps, TVec>(ReadOnlySpan<float> input, Span<float> output, int channels, int inHeight, int inWidth, int outHeight, int outWidth,
        bool alignCorners, double scaleHeight, double scaleWidth)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        float ratioH = LinearRatio(alignCorners, scaleHeight, inHeight, outHeight);
        float ratioW = LinearRatio(alignCorners, scaleWidth, inWidth, outWidth);
        ref float src = ref MemoryMarshal.GetReference(input);
        ref float dst = ref MemoryMarshal.GetReference(output);
        if (inWidth > RowBufferLength || outWidth > ColumnTableLength)
        {
            BilinearDirect(ref src, ref dst, channels, inHeight, inWidth, outHeight, outWidth, alignCorners, ratioH, ratioW);
            return;
        }

        Span<int> index0 = stackalloc int[outWidth], index1 = stackalloc int[outWidth];
        Span<float> weight0 = stackalloc float[outWidth], weight1 = stackalloc float[outWidth];
        for (int ow = 0; ow < outWidth; ow++)
        {
            LinearIndex(ow, inWidth, outWidth, ratioW, alignCorners, out int w0, out int wOffset, out float l0, out float l1);
            index0[ow] = w0;
            index1[ow] = w0 + wOffset;
            weight0[ow] = l0;
            weight1[ow] = l1;
        }
        ref int i0 = ref MemoryMarshal.GetReference(index0);
        ref int i1 = ref MemoryMarshal.GetReference(index1);
        ref float l0r = ref MemoryMarshal.GetReference(weight0);
        ref float l1r = ref MemoryMarshal.GetReference(weight1);
        Span<float> rowBuffer = stackalloc float[inWidth];
        ref float buf = ref MemoryMarshal.GetReference(rowBuffer);

        int inPlane = inHeight * inWidth, outPlane = outHeight * outWidth;
        for (int c = 0; c < channels; c++)
        {
            ref float plane = ref Unsafe.Add(ref src, (nint)c * inPlane);
            ref float outPlaneRef = ref Unsafe.Add(ref dst, (nint)c * outPlane);
            for (int oh = 0; oh < outHeight; oh++)
            {
                LinearIndex(oh, inHeight, outHeight, ratioH, alignCorners, out int h0, out int hOffset, out float h0Weight, out float h1Weight);
                ref float row0 = ref Unsafe.Add(ref plane, (nint)h0 * inWidth);
                ref float row1 = ref Unsafe.Add(ref row0, (nint)hOffset * inWidth);
                BlendRows<TOps, TVec>(ref row0, ref row1, h0Weight, h1Weight, ref buf, inWidth);
                ref float outRow = ref Unsafe.Add(ref outPlaneRef, (nint)oh * outWidth);
                for (int ow = 0; ow < outWidth; ow++)
                    Unsafe.Add(ref outRow, ow) = Scalar.MultiplyAdd(Unsafe.Add(ref l1r, ow), Unsafe.Add(ref buf, Unsafe.Add(ref i1, ow)),
                        Unsafe.Add(ref l0r, ow) * Unsafe.Add(ref buf, Unsafe.Add(ref i0, ow)));
            }
        }
    }

    /// <summary>buf[i] = w0 * row0[i] + w1 * row1[i] for i in [0, n); the buffer never aliases the rows.</summary>
    private static void BlendRows<TOps, TVec>(ref float row0, ref float row1, float w0, float w1, ref float buf, int n)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        int i = 0;
        if (TOps.Count > 1 && n >= TOps.Count)
        {
            TVec v0 = TOps.Create(w0), v1 = TOps.Create(w1);
            while (true)
            {
                if (i > n - TOps.Count) i = n - TOps.Count;   // overlap the last vector: rewrites the same values
                TOps.Store(TOps.MultiplyAdd(v1, TOps.Load(ref Unsafe.Add(ref row1, i)), TOps.Multiply(v0, TOps.Load(ref Unsafe.Add(ref row0, i)))), ref Unsafe.Add(ref buf, i));
                i += TOps.Count;
                if (i >= n) return;
            }
        }
        for (; i < n; i++) Unsafe.Add(ref buf, i) = Scalar.MultiplyAdd(w1, Unsafe.Add(ref row1, i), w0 * Unsafe.Add(ref row0, i));
    }

    /// <summary>One output element at a time, in PyTorch's order: for rows or outputs too wide for the stack buffers.</summary>
    private static void BilinearDirect(ref float src, ref float dst, int channels, int inHeight, int inWidth, int outHeight, int outWidth,
        bool alignCorners, float ratioH, float ratioW)
    {
        int inPlane = inHeight * inWidth, outPlane = outHeight * outWidth;
        for (int c = 0; c < channels; c++)
        {
            ref float plane = ref Unsafe.Add(ref src, (nint)c * inPlane);
            ref float outPlaneRef = ref Unsafe.Add(ref dst, (nint)c * outPlane);
            for (int oh = 0; oh < outHeight; oh++)
            {
                LinearIndex(oh, inHeight, outHeight, ratioH, alignCorners, out int h0, out int hOffset, out float h0Weight, out float h1Weight);
                ref float row0 = ref Unsafe.Add(ref plane, (nint)h0 * inWidth);
                ref float row1 = ref Unsafe.Add(ref row0, (nint)hOffset * inWidth);
                ref float outRow = ref Unsafe.Add(ref outPlaneRef, (nint)oh * outWidth);
                for (int ow = 0; ow < outWidth; ow++)
                {
                    LinearIndex(ow, inWidth, outWidth, ratioW, alignCorners, out int w0, out int wOffset, out float w0Weight, out float w1Weight);
                    float top = w0Weight * Unsafe.Add(ref row0, w0) + w1Weight * Unsafe.Add(ref row0, w0 + wOffset);
                    float bottom = w0Weight * Unsafe.Add(ref row1, w0) + w1Weight * Unsafe.Add(ref row1, w0 + wOffset);
                    Unsafe.Add(ref outRow, ow) = h0Weight * top + h1Weight * bottom;
                }
            }
        }
    }

    /// <summary>Output size of a scale factor: floor(in * scale), as PyTorch.</summary>
    public static int OutputSize(int inSize, double scaleFactor) => (int)Math.Floor(inSize * scaleFactor);

    /// <summary>compute_scales_value: (float)(1 / scale) when a scale factor was given, else (float)in / out.</summary>
    private static float Ratio(double scale, int inSize, int outSize)
        => scale > 0 ? (float)(1.0 / scale) : (float)inSize / outSize;

    /// <summary>area_pixel_compute_scale.</summary>
    private static float LinearRatio(bool alignCorners, double scale, int inSize, int outSize)
        => alignCorners ? (outSize > 1 ? (float)(inSize - 1) / (outSize - 1) : 0f) : Ratio(scale, inSize, outSize);

    /// <summary>
    /// The nearest ratio; with the channels-last shortcuts, out == in and out == 2 * in use the exact ratios 1 and 1/2,
    /// which give the shortcut's indices through the same formula.
    /// </summary>
    private static float NearestRatio(bool shortcuts, double scale, int inSize, int outSize)
        => shortcuts && outSize == inSize ? 1f : shortcuts && outSize == 2 * inSize ? 0.5f : Ratio(scale, inSize, outSize);

    /// <summary>nearest_neighbor_compute_source_index.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int NearestIndex(int dst, int inSize, float ratio) => Math.Min((int)MathF.Floor(dst * ratio), inSize - 1);

    /// <summary>compute_source_index_and_lambda for one output index.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LinearIndex(int dst, int inSize, int outSize, float ratio, bool alignCorners, out int index0, out int offset, out float weight0, out float weight1)
    {
        if (outSize == inSize)
        {
            // PyTorch copies when the size is unchanged, whatever the scale factor.
            index0 = dst;
            offset = 0;
            weight0 = 1f;
            weight1 = 0f;
            return;
        }
        float source;
        if (alignCorners) source = ratio * dst;
        else
        {
            // area_pixel_compute_source_index: the (dst + 0.5) is double in PyTorch, so the expression is evaluated in double.
            source = (float)(ratio * (dst + 0.5) - 0.5);
            if (source < 0f) source = 0f;
        }
        index0 = Math.Min((int)source, inSize - 1);
        offset = index0 < inSize - 1 ? 1 : 0;
        weight1 = Math.Clamp(source - index0, 0f, 1f);
        weight0 = 1f - weight1;
    }

    private static void Check(int inputLength, int outputLength, int channels, int inHeight, int inWidth, int outHeight, int outWidth)
    {
        if (channels < 0) throw new ArgumentException($"channels must be >= 0, got {channels}.", nameof(channels));
        if (inHeight < 1 || inWidth < 1) throw new ArgumentException($"The input must be at least 1x1, got {inHeight}x{inWidth}.", nameof(inHeight));
        if (outHeight < 1 || outWidth < 1) throw new ArgumentException($"The output must be at least 1x1, got {outHeight}x{outWidth}.", nameof(outHeight));
        long needIn = (long)channels * inHeight * inWidth, needOut = (long)channels * outHeight * outWidth;
        if (inputLength != needIn) throw new ArgumentException($"input has {inputLength} floats, {channels}x{inHeight}x{inWidth} needs {needIn}.", "input");
        if (outputLength != needOut) throw new ArgumentException($"output has {outputLength} floats, {channels}x{outHeight}x{outWidth} needs {needOut}.", "output");
    }
}
