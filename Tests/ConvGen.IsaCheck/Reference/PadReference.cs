using System;
using ConvGen.Runtime.Kernels;

namespace ConvGen.Reference;

/// <summary>
/// Naive 2-D padding per <c>F.pad</c> mode, and nearest/bilinear upsampling with PyTorch's CHW index formulas,
/// one output element at a time.
/// </summary>
public static class PadReference
{
    /// <summary>F.pad of each channel by (left, right, top, bottom); negative amounts crop.</summary>
    public static float[] Pad(float[] input, int channels, int inHeight, int inWidth, int left, int right, int top, int bottom, PaddingMode mode)
    {
        int outHeight = inHeight + top + bottom, outWidth = inWidth + left + right;
        var output = new float[channels * outHeight * outWidth];
        for (int c = 0; c < channels; c++)
            for (int oh = 0; oh < outHeight; oh++)
                for (int ow = 0; ow < outWidth; ow++)
                {
                    int ih = Source(oh - top, inHeight, mode), iw = Source(ow - left, inWidth, mode);
                    output[(c * outHeight + oh) * outWidth + ow] = ih < 0 || iw < 0 ? 0f : input[(c * inHeight + ih) * inWidth + iw];
                }
        return output;
    }

    // Reflect: the edge is the mirror; circular: modulo the size; replicate: clamp; zeros: outside reads nothing.
    private static int Source(int i, int size, PaddingMode mode) => mode switch
    {
        PaddingMode.Zeros => i >= 0 && i < size ? i : -1,
        PaddingMode.Reflect => size == 1 ? 0 : (size - 1) - Math.Abs((size - 1) - Math.Abs(i)),
        PaddingMode.Replicate => Math.Clamp(i, 0, size - 1),
        PaddingMode.Circular => ((i % size) + size) % size,
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };

    /// <summary>
    /// Nearest upsampling: index min(floor(dst * ratio), in - 1) in float, ratio (float)(1 / scale) or (float)in / out
    /// (scale 0: none given). <paramref name="channelsLastShortcuts"/>: PyTorch's channels-last kernel (chosen for
    /// a one-channel tensor) uses the index itself when out == in and index / 2 when out == 2 * in.
    /// </summary>
    public static float[] Nearest(float[] input, int channels, int inHeight, int inWidth, int outHeight, int outWidth, double scaleHeight, double scaleWidth, bool channelsLastShortcuts)
    {
        var output = new float[channels * outHeight * outWidth];
        for (int c = 0; c < channels; c++)
            for (int oh = 0; oh < outHeight; oh++)
                for (int ow = 0; ow < outWidth; ow++)
                {
                    int ih = NearestIndex(oh, inHeight, outHeight, scaleHeight, channelsLastShortcuts);
                    int iw = NearestIndex(ow, inWidth, outWidth, scaleWidth, channelsLastShortcuts);
                    output[(c * outHeight + oh) * outWidth + ow] = input[(c * inHeight + ih) * inWidth + iw];
                }
        return output;
    }

    private static int NearestIndex(int dst, int inSize, int outSize, double scale, bool shortcuts)
    {
        if (shortcuts && outSize == inSize) return dst;
        if (shortcuts && outSize == 2 * inSize) return dst >> 1;
        float ratio = scale > 0 ? (float)(1.0 / scale) : (float)inSize / outSize;
        return Math.Min((int)MathF.Floor(dst * ratio), inSize - 1);
    }

    /// <summary>Bilinear upsampling (upsample_bilinear2d), sums in double.</summary>
    public static float[] Bilinear(float[] input, int channels, int inHeight, int inWidth, int outHeight, int outWidth, bool alignCorners, double scaleHeight, double scaleWidth)
    {
        var output = new float[channels * outHeight * outWidth];
        for (int c = 0; c < channels; c++)
            for (int oh = 0; oh < outHeight; oh++)
                for (int ow = 0; ow < outWidth; ow++)
                {
                    var (h0, h1, lh) = Linear(oh, inHeight, outHeight, alignCorners, scaleHeight);
                    var (w0, w1, lw) = Linear(ow, inWidth, outWidth, alignCorners, scaleWidth);
                    double At(int h, int w) => input[(c * inHeight + h) * inWidth + w];
                    double v = (1 - lh) * ((1 - lw) * At(h0, w0) + lw * At(h0, w1)) + lh * ((1 - lw) * At(h1, w0) + lw * At(h1, w1));
                    output[(c * outHeight + oh) * outWidth + ow] = (float)v;
                }
        return output;
    }

    private static (int Index0, int Index1, double Lambda1) Linear(int dst, int inSize, int outSize, bool alignCorners, double scale)
    {
        if (inSize == outSize) return (dst, dst, 0);
        float source;
        if (alignCorners)
            source = (outSize > 1 ? (float)(inSize - 1) / (outSize - 1) : 0f) * dst;
        else
        {
            float ratio = scale > 0 ? (float)(1.0 / scale) : (float)inSize / outSize;
            source = Math.Max(0f, (float)(ratio * (dst + 0.5) - 0.5));
        }
        int i0 = Math.Min((int)MathF.Floor(source), inSize - 1);
        int i1 = i0 < inSize - 1 ? i0 + 1 : i0;
        return (i0, i1, Math.Clamp(source - i0, 0f, 1f));
    }
}
