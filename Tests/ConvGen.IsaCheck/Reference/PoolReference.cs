using System;
using ConvGen.Runtime.Kernels;

namespace ConvGen.Reference;

/// <summary>
/// Naive pooling, transcribed from PyTorch's CPU loops one output element at a time (sums in double), to test the
/// runtime's pooling kernels against.
/// </summary>
public static class PoolReference
{
    /// <summary>
    /// PyTorch's pooling output size (the formula of the MaxPool2d docs): floor or ceil of
    /// (in + 2p - d(k-1) - 1) / s + 1, where in ceil mode the last window must start inside the input or the left padding.
    /// </summary>
    public static int OutputSize(int input, int kernel, int stride, int pad, int dilation, bool ceilMode)
    {
        int span = input + 2 * pad - dilation * (kernel - 1) - 1;
        if (span < 0) return 0;
        int output = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
        if (ceilMode && (output - 1) * stride >= input + pad) output--;
        return output;
    }

    /// <summary>max_pool2d: the window's valid elements (dilated), -inf when there are none; NaN propagates.</summary>
    public static float[] Max(float[] input, Pool2dGeometry g)
    {
        var output = new float[g.Channels * g.OutHeight * g.OutWidth];
        int o = 0;
        for (int c = 0; c < g.Channels; c++)
            for (int oh = 0; oh < g.OutHeight; oh++)
                for (int ow = 0; ow < g.OutWidth; ow++)
                {
                    int hstart = oh * g.StrideHeight - g.PadHeight;
                    int wstart = ow * g.StrideWidth - g.PadWidth;
                    int hend = Math.Min(hstart + (g.KernelHeight - 1) * g.DilationHeight + 1, g.InHeight);
                    int wend = Math.Min(wstart + (g.KernelWidth - 1) * g.DilationWidth + 1, g.InWidth);
                    while (hstart < 0) hstart += g.DilationHeight;
                    while (wstart < 0) wstart += g.DilationWidth;
                    float max = float.NegativeInfinity;
                    for (int h = hstart; h < hend; h += g.DilationHeight)
                        for (int w = wstart; w < wend; w += g.DilationWidth)
                        {
                            float v = input[(c * g.InHeight + h) * g.InWidth + w];
                            if (v > max || float.IsNaN(v)) max = v;
                        }
                    output[o++] = max;
                }
        return output;
    }

    /// <summary>avg_pool2d (no dilation), with its pool_size / clipped-count / override divisor.</summary>
    public static float[] Average(float[] input, Pool2dGeometry g, bool countIncludePad, int divisorOverride)
    {
        var output = new float[g.Channels * g.OutHeight * g.OutWidth];
        int o = 0;
        for (int c = 0; c < g.Channels; c++)
            for (int oh = 0; oh < g.OutHeight; oh++)
                for (int ow = 0; ow < g.OutWidth; ow++)
                {
                    int hstart = oh * g.StrideHeight - g.PadHeight;
                    int wstart = ow * g.StrideWidth - g.PadWidth;
                    int hend = Math.Min(hstart + g.KernelHeight, g.InHeight + g.PadHeight);
                    int wend = Math.Min(wstart + g.KernelWidth, g.InWidth + g.PadWidth);
                    int poolSize = (hend - hstart) * (wend - wstart);
                    hstart = Math.Max(hstart, 0);
                    wstart = Math.Max(wstart, 0);
                    hend = Math.Min(hend, g.InHeight);
                    wend = Math.Min(wend, g.InWidth);
                    double sum = 0;
                    for (int h = hstart; h < hend; h++)
                        for (int w = wstart; w < wend; w++)
                            sum += input[(c * g.InHeight + h) * g.InWidth + w];
                    int divisor = divisorOverride != 0 ? divisorOverride : countIncludePad ? poolSize : (hend - hstart) * (wend - wstart);
                    output[o++] = (float)(sum / divisor);
                }
        return output;
    }

    /// <summary>adaptive_avg_pool2d: windows [floor(i*In/Out), ceil((i+1)*In/Out)).</summary>
    public static float[] AdaptiveAverage(float[] input, int channels, int inHeight, int inWidth, int outHeight, int outWidth)
        => Adaptive(input, channels, inHeight, inWidth, outHeight, outWidth, average: true);

    /// <summary>adaptive_max_pool2d (NaN propagates).</summary>
    public static float[] AdaptiveMax(float[] input, int channels, int inHeight, int inWidth, int outHeight, int outWidth)
        => Adaptive(input, channels, inHeight, inWidth, outHeight, outWidth, average: false);

    private static float[] Adaptive(float[] input, int channels, int inHeight, int inWidth, int outHeight, int outWidth, bool average)
    {
        var output = new float[channels * outHeight * outWidth];
        int o = 0;
        for (int c = 0; c < channels; c++)
            for (int oh = 0; oh < outHeight; oh++)
                for (int ow = 0; ow < outWidth; ow++)
                {
                    int h0 = (int)Math.Floor((double)oh * inHeight / outHeight);
                    int h1 = (int)Math.Ceiling((double)(oh + 1) * inHeight / outHeight);
                    int w0 = (int)Math.Floor((double)ow * inWidth / outWidth);
                    int w1 = (int)Math.Ceiling((double)(ow + 1) * inWidth / outWidth);
                    double sum = 0;
                    float max = float.NegativeInfinity;
                    for (int h = h0; h < h1; h++)
                        for (int w = w0; w < w1; w++)
                        {
                            float v = input[(c * inHeight + h) * inWidth + w];
                            sum += v;
                            if (v > max || float.IsNaN(v)) max = v;
                        }
                    output[o++] = average ? (float)(sum / ((h1 - h0) * (w1 - w0))) : max;
                }
        return output;
    }
}
