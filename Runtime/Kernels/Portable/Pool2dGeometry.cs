// Portable: compiled into the runtime and linked into the generator (netstandard2.0, CONVGEN_GENERATOR), so that the
// generator plans and prints the very geometry type the kernels validate.
using System;

#if CONVGEN_GENERATOR
namespace ConvGen.Generator.Planning;
#else
namespace ConvGen.Runtime.Kernels;
#endif

/// <summary>
/// Geometry of a PyTorch <c>MaxPool2d</c>/<c>AvgPool2d</c> over one CHW tensor (batch 1). Padding is symmetric, as in
/// PyTorch. The output size is the generator's (floor or ceil mode); a ceil-mode window that runs past the padded
/// input is clipped.
/// </summary>
public readonly record struct Pool2dGeometry(int Channels, int InHeight, int InWidth, int OutHeight, int OutWidth,
    int KernelHeight, int KernelWidth, int StrideHeight, int StrideWidth, int PadHeight, int PadWidth,
    int DilationHeight, int DilationWidth)
{
    /// <summary>Floats in the input tensor: Channels * InHeight * InWidth.</summary>
    public int InputLength => Channels * InHeight * InWidth;

    /// <summary>Floats in the output tensor: Channels * OutHeight * OutWidth.</summary>
    public int OutputLength => Channels * OutHeight * OutWidth;

    /// <summary>
    /// Throws <see cref="ArgumentException"/> unless every size is positive, padding is non-negative, and every
    /// window starts inside the input or its left/top padding (PyTorch's ceil-mode rule), so no window is empty of
    /// the padded input.
    /// </summary>
    public void Validate()
    {
        if (Channels < 0) throw new ArgumentException($"Channels must be >= 0, got {Channels}.");
        if (InHeight < 1 || InWidth < 1) throw new ArgumentException($"The input must be at least 1x1, got {InHeight}x{InWidth}.");
        if (OutHeight < 1 || OutWidth < 1) throw new ArgumentException($"The output must be at least 1x1, got {OutHeight}x{OutWidth}.");
        if (KernelHeight < 1 || KernelWidth < 1) throw new ArgumentException($"The kernel must be at least 1x1, got {KernelHeight}x{KernelWidth}.");
        if (StrideHeight < 1 || StrideWidth < 1) throw new ArgumentException($"The stride must be at least 1, got ({StrideHeight}, {StrideWidth}).");
        if (DilationHeight < 1 || DilationWidth < 1) throw new ArgumentException($"The dilation must be at least 1, got ({DilationHeight}, {DilationWidth}).");
        if (PadHeight < 0 || PadWidth < 0) throw new ArgumentException($"The padding must be >= 0, got ({PadHeight}, {PadWidth}).");
        // PyTorch drops a ceil-mode window that would start in the right/bottom padding: (out - 1) * stride < in + pad.
        if ((long)(OutHeight - 1) * StrideHeight >= (long)InHeight + PadHeight)
            throw new ArgumentException($"Output height {OutHeight} has a window starting past the input (height {InHeight}, stride {StrideHeight}, padding {PadHeight}).");
        if ((long)(OutWidth - 1) * StrideWidth >= (long)InWidth + PadWidth)
            throw new ArgumentException($"Output width {OutWidth} has a window starting past the input (width {InWidth}, stride {StrideWidth}, padding {PadWidth}).");
    }
}
