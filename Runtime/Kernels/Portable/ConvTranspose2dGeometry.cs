// Portable: compiled into the runtime and linked into the generator (netstandard2.0, CONVGEN_GENERATOR), so that the
// generator plans and prints the very geometry type the kernels validate.
using System;

#if CONVGEN_GENERATOR
namespace ConvGen.Generator.Planning;
#else
namespace ConvGen.Runtime.Kernels;
#endif

/// <summary>
/// Geometry of a PyTorch <c>ConvTranspose2d</c> (or a <c>ConvTranspose1d</c> as height 1) over one CHW tensor
/// (batch 1). Output position o receives input position i through kernel tap k when o = i*stride - pad + k*dilation;
/// the output size, given, includes output_padding: out = (in - 1)*stride - 2*pad + dilation*(kernel - 1) +
/// output_padding + 1 (the ConvTranspose2d docs' formula), with 0 &lt;= output_padding &lt; max(stride, dilation).
/// </summary>
public readonly record struct ConvTranspose2dGeometry(int InChannels, int InHeight, int InWidth, int OutChannels, int OutHeight, int OutWidth,
    int KernelHeight, int KernelWidth, int StrideHeight, int StrideWidth, int PadTop, int PadLeft,
    int DilationHeight, int DilationWidth, int Groups)
{
    /// <summary>Rows (m values) per packed weight panel of <c>ConvTranspose2d</c>: one 512-bit vector, two 256-bit, four 128-bit.</summary>
    internal const int PanelRows = 16;

    /// <summary>
    /// Floats of the scratch the runtime's <c>ConvTranspose2d.Forward</c> needs: the columns of one group,
    /// (OutChannels/Groups) * KernelHeight * KernelWidth * InHeight * InWidth (a long: the planner sizes absurd layers too).
    /// </summary>
    public long ColumnsLength => Saturating(Saturating(Saturating((long)(OutChannels / Groups), KernelHeight), KernelWidth), (long)InHeight * InWidth);

    private static long Saturating(long a, long b) => a == 0 || b == 0 ? 0 : a > long.MaxValue / b ? long.MaxValue : a * b;

    /// <summary>Floats in the input tensor: InChannels * InHeight * InWidth.</summary>
    public int InputLength => InChannels * InHeight * InWidth;

    /// <summary>Floats in the output tensor: OutChannels * OutHeight * OutWidth.</summary>
    public int OutputLength => OutChannels * OutHeight * OutWidth;

    /// <summary>Floats in PyTorch's weight tensor [InChannels, OutChannels/Groups, KernelHeight, KernelWidth].</summary>
    public int WeightsLength => InChannels * (OutChannels / Groups) * KernelHeight * KernelWidth;

    /// <summary>The output_padding the output height implies (the rows past the last one an input reaches).</summary>
    public int OutputPaddingHeight => OutHeight - ((InHeight - 1) * StrideHeight - 2 * PadTop + DilationHeight * (KernelHeight - 1) + 1);

    /// <summary>The output_padding the output width implies.</summary>
    public int OutputPaddingWidth => OutWidth - ((InWidth - 1) * StrideWidth - 2 * PadLeft + DilationWidth * (KernelWidth - 1) + 1);

    /// <summary>
    /// Throws <see cref="ArgumentException"/> unless every size is positive, the groups divide both channel counts,
    /// padding is non-negative, the output size is PyTorch's with 0 &lt;= output_padding &lt; max(stride, dilation),
    /// and every tensor, the packed weights and the workspace fit in an <see cref="int"/> count of floats.
    /// </summary>
    public void Validate()
    {
        if (InChannels < 1 || OutChannels < 1) throw new ArgumentException($"The channels must be >= 1, got {InChannels} in, {OutChannels} out.");
        if (Groups < 1 || InChannels % Groups != 0 || OutChannels % Groups != 0)
            throw new ArgumentException($"Groups ({Groups}) must be >= 1 and divide both {InChannels} input and {OutChannels} output channels.");
        if (InHeight < 1 || InWidth < 1) throw new ArgumentException($"The input must be at least 1x1, got {InHeight}x{InWidth}.");
        if (OutHeight < 1 || OutWidth < 1) throw new ArgumentException($"The output must be at least 1x1, got {OutHeight}x{OutWidth}.");
        if (KernelHeight < 1 || KernelWidth < 1) throw new ArgumentException($"The kernel must be at least 1x1, got {KernelHeight}x{KernelWidth}.");
        if (StrideHeight < 1 || StrideWidth < 1) throw new ArgumentException($"The stride must be at least 1, got ({StrideHeight}, {StrideWidth}).");
        if (DilationHeight < 1 || DilationWidth < 1) throw new ArgumentException($"The dilation must be at least 1, got ({DilationHeight}, {DilationWidth}).");
        if (PadTop < 0 || PadLeft < 0) throw new ArgumentException($"The padding must be >= 0, got ({PadTop}, {PadLeft}).");
        CheckOutputPadding(OutHeight, InHeight, KernelHeight, StrideHeight, PadTop, DilationHeight, "height");
        CheckOutputPadding(OutWidth, InWidth, KernelWidth, StrideWidth, PadLeft, DilationWidth, "width");
        long taps = (long)KernelHeight * KernelWidth;
        CheckSize((long)InChannels * InHeight * InWidth, "The input");
        CheckSize((long)OutChannels * OutHeight * OutWidth, "The output");
        CheckSize(InChannels * (OutChannels / Groups) * taps, "The weight tensor");
        CheckSize(Groups * PanelRows * (((OutChannels / Groups) * taps + PanelRows - 1) / PanelRows)
            * (InChannels / Groups), "The packed weights");
        CheckSize(ColumnsLength, "The workspace");
    }

    private static void CheckOutputPadding(int output, int input, int kernel, int stride, int pad, int dilation, string axis)
    {
        // output_padding must be smaller than either the stride or the dilation (PyTorch's check).
        long outputPadding = output - ((long)(input - 1) * stride - 2L * pad + (long)dilation * (kernel - 1) + 1);
        if (outputPadding < 0 || outputPadding >= Math.Max(stride, dilation))
            throw new ArgumentException($"Output {axis} {output} implies output_padding {outputPadding}, which must be in [0, max(stride {stride}, dilation {dilation})) " +
                $"for input {input}, kernel {kernel}, padding {pad}.");
    }

    private static void CheckSize(long floats, string what)
    {
        if (floats > int.MaxValue) throw new ArgumentException($"{what} would need {floats} floats, more than an int can count.");
    }
}
