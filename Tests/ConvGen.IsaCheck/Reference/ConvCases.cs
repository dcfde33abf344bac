using System;
using System.Collections.Generic;
using ConvGen.Runtime.Kernels;

namespace ConvGen.Reference;

/// <summary>Convolution and linear shapes the kernel tests and IsaCheck both run: the benchmark networks' layers and the edge cases.</summary>
public static class ConvCases
{
    /// <summary>
    /// A geometry from PyTorch-style arguments with explicit pads on all four sides:
    /// <c>Out = floor((In + begin + end - Dilation * (Kernel - 1) - 1) / Stride) + 1</c>.
    /// </summary>
    public static Conv2dGeometry Geometry(int inChannels, int height, int width, int outChannels, int kernelHeight, int kernelWidth,
        int strideHeight = 1, int strideWidth = 1, int padTop = 0, int padLeft = 0, int padBottom = 0, int padRight = 0,
        int dilationHeight = 1, int dilationWidth = 1, int groups = 1)
    {
        int outHeight = (height + padTop + padBottom - dilationHeight * (kernelHeight - 1) - 1) / strideHeight + 1;
        int outWidth = (width + padLeft + padRight - dilationWidth * (kernelWidth - 1) - 1) / strideWidth + 1;
        return new Conv2dGeometry(inChannels, height, width, outChannels, outHeight, outWidth, kernelHeight, kernelWidth,
            strideHeight, strideWidth, padTop, padLeft, dilationHeight, dilationWidth, groups);
    }

    /// <summary>TensorFlow/Keras <c>padding='same'</c>: Out = ceil(In / Stride), the odd padding row/column at the end.</summary>
    public static Conv2dGeometry Same(int inChannels, int height, int width, int outChannels, int kernelHeight, int kernelWidth,
        int strideHeight = 1, int strideWidth = 1, int groups = 1)
    {
        int outHeight = (height + strideHeight - 1) / strideHeight, outWidth = (width + strideWidth - 1) / strideWidth;
        int padH = Math.Max(0, (outHeight - 1) * strideHeight + kernelHeight - height);
        int padW = Math.Max(0, (outWidth - 1) * strideWidth + kernelWidth - width);
        return new Conv2dGeometry(inChannels, height, width, outChannels, outHeight, outWidth, kernelHeight, kernelWidth,
            strideHeight, strideWidth, padH / 2, padW / 2, 1, 1, groups);
    }

    /// <summary>Named convolution shapes: LeNet-5, DS-CNN and ResNet-8 layers, then strides, dilations, pads, groups and odd sizes.</summary>
    public static IReadOnlyList<(string Name, Conv2dGeometry Geometry)> Named { get; } =
    [
        ("lenet.conv1", Geometry(1, 28, 28, 6, 5, 5, padTop: 2, padLeft: 2, padBottom: 2, padRight: 2)),
        ("lenet.conv2", Geometry(6, 14, 14, 16, 5, 5)),
        ("dscnn.conv1", Same(1, 49, 10, 64, 10, 4, 2, 2)),
        ("dscnn.depthwise", Same(64, 25, 5, 64, 3, 3, groups: 64)),
        ("dscnn.pointwise", Geometry(64, 25, 5, 64, 1, 1)),
        ("resnet8.stem", Same(3, 32, 32, 16, 3, 3)),
        ("resnet8.stack2a", Same(16, 32, 32, 32, 3, 3, 2, 2)),
        ("resnet8.shortcut2", Geometry(16, 32, 32, 32, 1, 1, 2, 2)),
        ("resnet8.stack3b", Same(64, 8, 8, 64, 3, 3)),
        ("vww.depthwise.s2", Same(16, 24, 24, 16, 3, 3, 2, 2, groups: 16)),
        ("vww.late.3x3", Same(32, 3, 3, 48, 3, 3)),
        ("stride3", Geometry(3, 17, 19, 5, 3, 3, 3, 3, 1, 1, 1, 1)),
        ("stride2x1", Geometry(4, 12, 9, 7, 3, 2, 2, 1, 1, 0, 1, 1)),
        ("dilation2", Geometry(5, 13, 15, 6, 3, 3, padTop: 2, padLeft: 2, padBottom: 2, padRight: 2, dilationHeight: 2, dilationWidth: 2)),
        ("dilation3x1.stride2", Geometry(3, 20, 11, 4, 3, 3, 2, 2, 3, 1, 3, 1, 3, 1)),
        ("asymmetric.pads", Geometry(3, 10, 11, 5, 3, 4, 1, 1, 0, 2, 2, 1)),
        ("pad.wider.than.kernel", Geometry(2, 6, 7, 3, 3, 3, 1, 1, 3, 4, 3, 4)),
        ("groups2", Geometry(6, 9, 10, 8, 3, 3, 1, 1, 1, 1, 1, 1, groups: 2)),
        ("groups3.stride2", Geometry(9, 11, 8, 6, 3, 3, 2, 2, 1, 1, 1, 1, groups: 3)),
        ("groups2.pointwise", Geometry(8, 5, 7, 6, 1, 1, groups: 2)),
        ("depthwise.multiplier2", Geometry(5, 9, 13, 10, 3, 3, 1, 1, 1, 1, 1, 1, groups: 5)),
        ("depthwise.multiplier2.stride2", Geometry(4, 10, 21, 8, 5, 5, 2, 2, 2, 2, 2, 2, groups: 4)),
        ("depthwise.stride3.dilation2", Geometry(3, 19, 23, 3, 3, 3, 3, 3, 2, 1, 2, 3, 2, 2, groups: 3)),
        ("depthwise.valid", Geometry(6, 9, 40, 6, 3, 3, groups: 6)),
        ("depthwise.1xK", Geometry(4, 6, 33, 4, 1, 7, padLeft: 3, padRight: 3, groups: 4)),
        ("depthwise.Kx1", Geometry(4, 30, 6, 4, 5, 1, padTop: 2, padBottom: 2, groups: 4)),
        ("depthwise.narrow", Same(7, 11, 3, 7, 3, 3, groups: 7)),
        ("depthwise.1x1.plane", Geometry(16, 1, 1, 16, 3, 3, 1, 1, 1, 1, 1, 1, groups: 16)),
        ("kernel.1xK", Geometry(3, 7, 20, 5, 1, 5, padLeft: 2, padRight: 2)),
        ("kernel.Kx1", Geometry(3, 20, 7, 5, 5, 1, padTop: 2, padBottom: 2)),
        ("conv1d", Geometry(4, 1, 50, 8, 1, 3, padLeft: 1, padRight: 1)),
        ("conv1d.stride2.dilation2", Geometry(6, 1, 37, 5, 1, 5, 1, 2, 0, 3, 0, 3, 1, 2)),
        ("conv1d.depthwise", Geometry(8, 1, 45, 8, 1, 5, padLeft: 2, padRight: 2, groups: 8)),
        ("conv1d.pointwise", Geometry(12, 1, 29, 10, 1, 1)),
        ("spatial.1x1.many.channels", Geometry(96, 1, 1, 70, 1, 1)),
        ("spatial.2x2", Geometry(40, 2, 2, 36, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1)),
        ("single.output", Geometry(3, 5, 5, 1, 5, 5)),
        ("wide.row", Geometry(2, 3, 100, 5, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1)),
        ("pointwise.narrow.deep", Geometry(640, 1, 3, 9, 1, 1)),
        ("depthwise.long1d", Geometry(2, 1, 9000, 2, 1, 3, padLeft: 1, padRight: 1, groups: 2)),
    ];

    /// <summary>
    /// A random geometry (fixed by <paramref name="random"/>'s seed): 1..6 input channels per group, 1..3 groups,
    /// 1..16 x 1..16 input, 1..5 kernel, stride 1..3, dilation 1..2, pads 0..kernel on each side (at least one output).
    /// </summary>
    public static Conv2dGeometry RandomGeometry(Random random, bool depthwise = false)
    {
        while (true)
        {
            int groups = random.Next(1, 4);
            int inPerGroup = depthwise ? 1 : random.Next(1, 7);
            int outPerGroup = depthwise ? random.Next(1, 3) : random.Next(1, 7);
            if (depthwise) groups = random.Next(1, 9);
            int h = random.Next(1, 17), w = random.Next(1, 17);
            if (random.Next(6) == 0) h = 1; // 1-D
            int kh = h == 1 && random.Next(2) == 0 ? 1 : random.Next(1, 6), kw = random.Next(1, 6);
            int sh = random.Next(1, 4), sw = random.Next(1, 4), dh = random.Next(1, 3), dw = random.Next(1, 3);
            int pt = random.Next(0, kh + 1), pb = random.Next(0, kh + 1), pl = random.Next(0, kw + 1), pr = random.Next(0, kw + 1);
            if (h + pt + pb - dh * (kh - 1) - 1 < 0 || w + pl + pr - dw * (kw - 1) - 1 < 0) continue;
            return Geometry(inPerGroup * groups, h, w, outPerGroup * groups, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, groups);
        }
    }

    /// <summary>"CinxHxW->Cout kKHxKW sSHxSW pPT,PL dDHxDW gG", for case names.</summary>
    public static string Describe(in Conv2dGeometry g) =>
        $"{g.InChannels}x{g.InHeight}x{g.InWidth}->{g.OutChannels}x{g.OutHeight}x{g.OutWidth} k{g.KernelHeight}x{g.KernelWidth} s{g.StrideHeight}x{g.StrideWidth} p{g.PadTop},{g.PadLeft} d{g.DilationHeight}x{g.DilationWidth} g{g.Groups}";
}
