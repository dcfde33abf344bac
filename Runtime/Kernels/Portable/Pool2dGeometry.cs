// Portable: compiled into the runtime and linked into the generator (netstandard2.0, CONVGEN_GENERATOR), so that the
// generator plans and prints the very geometry type the kernels validate.
using System;
using System.Runtime.CompilerServices;

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
        // The conditions here, each message built in Invalid (never inlined): the kernels validate on every call, and
        // message formatting inline would give this method a large stack frame to clear each time.
        if (Channels < 0) Invalid(0);
        if (InHeight < 1 || InWidth < 1) Invalid(1);
        if (OutHeight < 1 || OutWidth < 1) Invalid(2);
        if (KernelHeight < 1 || KernelWidth < 1) Invalid(3);
        if (StrideHeight < 1 || StrideWidth < 1) Invalid(4);
        if (DilationHeight < 1 || DilationWidth < 1) Invalid(5);
        if (PadHeight < 0 || PadWidth < 0) Invalid(6);
        // PyTorch drops a ceil-mode window that would start in the right/bottom padding: (out - 1) * stride < in + pad.
        if ((long)(OutHeight - 1) * StrideHeight >= (long)InHeight + PadHeight) Invalid(7);
        if ((long)(OutWidth - 1) * StrideWidth >= (long)InWidth + PadWidth) Invalid(8);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Invalid(int check) => throw new ArgumentException(check switch
    {
        0 => $"Channels must be >= 0, got {Channels}.",
        1 => $"The input must be at least 1x1, got {InHeight}x{InWidth}.",
        2 => $"The output must be at least 1x1, got {OutHeight}x{OutWidth}.",
        3 => $"The kernel must be at least 1x1, got {KernelHeight}x{KernelWidth}.",
        4 => $"The stride must be at least 1, got ({StrideHeight}, {StrideWidth}).",
        5 => $"The dilation must be at least 1, got ({DilationHeight}, {DilationWidth}).",
        6 => $"The padding must be >= 0, got ({PadHeight}, {PadWidth}).",
        7 => $"Output height {OutHeight} has a window starting past the input (height {InHeight}, stride {StrideHeight}, padding {PadHeight}).",
        _ => $"Output width {OutWidth} has a window starting past the input (width {InWidth}, stride {StrideWidth}, padding {PadWidth}).",
    });
}
