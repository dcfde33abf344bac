using System;
using ConvGen.Runtime.Kernels;

namespace ConvGen.Reference;

/// <summary>
/// Naive transposed convolution, the definition read forwards: every input element scatters into the outputs its
/// kernel taps reach (sums in double), to test the runtime's ConvTranspose2d against.
/// </summary>
public static class ConvTransposeReference
{
    /// <summary>
    /// PyTorch's ConvTranspose output size (the ConvTranspose2d docs):
    /// (in - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1.
    /// </summary>
    public static int OutputSize(int input, int kernel, int stride, int pad, int dilation, int outputPadding)
        => (input - 1) * stride - 2 * pad + dilation * (kernel - 1) + outputPadding + 1;

    /// <summary>
    /// y[oc, oh, ow] = activation(bias[oc] + sum of x[ic, ih, iw] * w[ic, oc % (out/groups), kh, kw] over the input
    /// channels ic of oc's group and the (ih, iw, kh, kw) with oh = ih*sh - padTop + kh*dh, ow = iw*sw - padLeft + kw*dw.
    /// <paramref name="weights"/> are in PyTorch's layout [in, out/groups, kh, kw]; <paramref name="bias"/> may be null.
    /// </summary>
    public static float[] Forward(float[] input, float[] weights, float[]? bias, ConvTranspose2dGeometry g, ActivationKind activation = ActivationKind.None, float alpha = 0f)
    {
        int inPerGroup = g.InChannels / g.Groups, outPerGroup = g.OutChannels / g.Groups;
        var sum = new double[g.OutChannels * g.OutHeight * g.OutWidth];
        for (int oc = 0; oc < g.OutChannels; oc++)
            for (int i = 0; i < g.OutHeight * g.OutWidth; i++)
                sum[oc * g.OutHeight * g.OutWidth + i] = bias is null ? 0 : bias[oc];
        for (int ic = 0; ic < g.InChannels; ic++)
        {
            int group = ic / inPerGroup;
            for (int ocl = 0; ocl < outPerGroup; ocl++)
            {
                int oc = group * outPerGroup + ocl;
                for (int kh = 0; kh < g.KernelHeight; kh++)
                    for (int kw = 0; kw < g.KernelWidth; kw++)
                    {
                        double w = weights[((ic * outPerGroup + ocl) * g.KernelHeight + kh) * g.KernelWidth + kw];
                        for (int ih = 0; ih < g.InHeight; ih++)
                        {
                            int oh = ih * g.StrideHeight - g.PadTop + kh * g.DilationHeight;
                            if (oh < 0 || oh >= g.OutHeight) continue;
                            for (int iw = 0; iw < g.InWidth; iw++)
                            {
                                int ow = iw * g.StrideWidth - g.PadLeft + kw * g.DilationWidth;
                                if (ow < 0 || ow >= g.OutWidth) continue;
                                sum[(oc * g.OutHeight + oh) * g.OutWidth + ow] += w * input[(ic * g.InHeight + ih) * g.InWidth + iw];
                            }
                        }
                    }
            }
        }
        var output = new float[sum.Length];
        for (int i = 0; i < sum.Length; i++) output[i] = (float)ElementwiseReference.Activation(sum[i], activation, alpha);
        return output;
    }

    /// <summary>
    /// The most products any output element sums (input channels of a group times the taps that can land on one
    /// output), for a tolerance that grows with the length of the reduction.
    /// </summary>
    public static int ReductionLength(ConvTranspose2dGeometry g)
    {
        int tapsH = (g.KernelHeight * g.DilationHeight + g.StrideHeight - 1) / g.StrideHeight;
        int tapsW = (g.KernelWidth * g.DilationWidth + g.StrideWidth - 1) / g.StrideWidth;
        return g.InChannels / g.Groups * Math.Min(tapsH, g.KernelHeight) * Math.Min(tapsW, g.KernelWidth) + 1;
    }
}
