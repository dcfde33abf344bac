// Portable: compiled into the runtime and linked into the generator (netstandard2.0, CONVGEN_GENERATOR), so that the
// generator plans and prints the very geometry type the kernels validate.
using System;
using System.Globalization;
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
        // Each message is formatted in Invalid (never inlined): the kernels validate on every call, and formatting inline
        // would give this method a large stack frame to clear each time.
        if (Channels < 0) Invalid("Channels must be >= 0, got {0}.", Channels);
        if (InHeight < 1 || InWidth < 1) Invalid("The input must be at least 1x1, got {0}x{1}.", InHeight, InWidth);
        if (OutHeight < 1 || OutWidth < 1) Invalid("The output must be at least 1x1, got {0}x{1}.", OutHeight, OutWidth);
        if (KernelHeight < 1 || KernelWidth < 1) Invalid("The kernel must be at least 1x1, got {0}x{1}.", KernelHeight, KernelWidth);
        if (StrideHeight < 1 || StrideWidth < 1) Invalid("The stride must be at least 1, got ({0}, {1}).", StrideHeight, StrideWidth);
        if (DilationHeight < 1 || DilationWidth < 1) Invalid("The dilation must be at least 1, got ({0}, {1}).", DilationHeight, DilationWidth);
        if (PadHeight < 0 || PadWidth < 0) Invalid("The padding must be >= 0, got ({0}, {1}).", PadHeight, PadWidth);
        // PyTorch drops a ceil-mode window that would start in the right/bottom padding: (out - 1) * stride < in + pad.
        if ((long)(OutHeight - 1) * StrideHeight >= (long)InHeight + PadHeight)
            Invalid("Output height {0} has a window starting past the input (height {1}, stride {2}, padding {3}).", OutHeight, InHeight, StrideHeight, PadHeight);
        if ((long)(OutWidth - 1) * StrideWidth >= (long)InWidth + PadWidth)
            Invalid("Output width {0} has a window starting past the input (width {1}, stride {2}, padding {3}).", OutWidth, InWidth, StrideWidth, PadWidth);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Invalid(string format, int a, int b = 0, int c = 0, int d = 0) =>
        throw new ArgumentException(string.Format(CultureInfo.InvariantCulture, format, a, b, c, d));
}
