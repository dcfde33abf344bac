// Portable: compiled into the runtime and linked into the generator (netstandard2.0, CONVGEN_GENERATOR), so that the
// generator plans with the very geometry type (and the kernel rules in KernelRules.cs) the kernels validate.
using System;
using System.Runtime.CompilerServices;

#if CONVGEN_GENERATOR
namespace ConvGen.Generator.Planning;
#else
namespace ConvGen.Runtime.Kernels;
#endif

/// <summary>
/// The shape of one PyTorch <c>Conv2d</c> at batch 1 (in any layout). Padding at the bottom and right is implied by
/// <see cref="OutHeight"/> and <see cref="OutWidth"/>: every tap that falls outside the input reads zero, which
/// covers symmetric padding, <c>padding="same"</c> with the odd row at the end, and asymmetric pads alike.
/// A Conv1d is this with <c>InHeight = OutHeight = KernelHeight = 1</c>.
/// </summary>
public readonly record struct Conv2dGeometry(int InChannels, int InHeight, int InWidth, int OutChannels, int OutHeight, int OutWidth,
    int KernelHeight, int KernelWidth, int StrideHeight, int StrideWidth, int PadTop, int PadLeft,
    int DilationHeight, int DilationWidth, int Groups)
{
    /// <summary>Floats of the input tensor: InChannels x InHeight x InWidth.</summary>
    public int InputLength => InChannels * InHeight * InWidth;

    /// <summary>Floats of the output tensor: OutChannels x OutHeight x OutWidth.</summary>
    public int OutputLength => OutChannels * OutHeight * OutWidth;

    /// <summary>Floats of the PyTorch weight tensor [OutChannels, InChannels/Groups, KernelHeight, KernelWidth].</summary>
    public int WeightLength => OutChannels * (InChannels / Groups) * KernelHeight * KernelWidth;

    /// <summary>Input channels each group reads.</summary>
    public int InChannelsPerGroup { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => InChannels / Groups; }

    /// <summary>Output channels each group writes.</summary>
    public int OutChannelsPerGroup { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => OutChannels / Groups; }

    /// <summary>The reduction length of one output value: (InChannels/Groups) x KernelHeight x KernelWidth.</summary>
    public int ReductionLength => InChannelsPerGroup * KernelHeight * KernelWidth;

    /// <summary>Output positions per channel: OutHeight x OutWidth.</summary>
    public int OutputPlane { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => OutHeight * OutWidth; }

    /// <summary>The bottom padding the output height implies (negative when the stride leaves the last input rows unread).</summary>
    public int ImpliedPadBottom { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => (OutHeight - 1) * StrideHeight + (KernelHeight - 1) * DilationHeight + 1 - PadTop - InHeight; }

    /// <summary>The right padding the output width implies (negative when the stride leaves the last input columns unread).</summary>
    public int ImpliedPadRight { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => (OutWidth - 1) * StrideWidth + (KernelWidth - 1) * DilationWidth + 1 - PadLeft - InWidth; }

    /// <summary>A 1x1 kernel at stride 1 without padding: the convolution is a GEMM straight on the input.</summary>
    public bool IsPointwise { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => KernelHeight == 1 && KernelWidth == 1 && StrideHeight == 1 && StrideWidth == 1
        && PadTop == 0 && PadLeft == 0 && OutHeight == InHeight && OutWidth == InWidth; }

    /// <summary>One group per input channel, each writing a whole number of output channels (the depth multiplier).</summary>
    public bool IsDepthwise { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Groups == InChannels && OutChannels % InChannels == 0; }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> unless every size is positive, pads are non-negative, both channel
    /// counts divide by <see cref="Groups"/>, the tensors fit in an <see cref="int"/>, and the output size is what
    /// PyTorch's formula <c>floor((In + PadBegin + PadEnd - Dilation*(Kernel-1) - 1) / Stride) + 1</c> gives for
    /// some non-negative end padding (so the implied end padding exceeds <c>-Stride</c>).
    /// </summary>
    public void Validate()
    {
        // Each condition is tested here and its message built in a helper that is never inlined: the kernels validate on
        // every call, and message formatting inline would give this method a large stack frame to clear each time.
        Positive(InChannels, nameof(InChannels)); Positive(InHeight, nameof(InHeight)); Positive(InWidth, nameof(InWidth));
        Positive(OutChannels, nameof(OutChannels)); Positive(OutHeight, nameof(OutHeight)); Positive(OutWidth, nameof(OutWidth));
        Positive(KernelHeight, nameof(KernelHeight)); Positive(KernelWidth, nameof(KernelWidth));
        Positive(StrideHeight, nameof(StrideHeight)); Positive(StrideWidth, nameof(StrideWidth));
        Positive(DilationHeight, nameof(DilationHeight)); Positive(DilationWidth, nameof(DilationWidth));
        Positive(Groups, nameof(Groups));
        if (PadTop < 0) ThrowNegativePad(PadTop, nameof(PadTop));
        if (PadLeft < 0) ThrowNegativePad(PadLeft, nameof(PadLeft));
        if (InChannels % Groups != 0) ThrowNotDivisible(nameof(InChannels), InChannels, Groups);
        if (OutChannels % Groups != 0) ThrowNotDivisible(nameof(OutChannels), OutChannels, Groups);
        FitsInt((long)InChannels * InHeight * InWidth, "input");
        FitsInt((long)OutChannels * OutHeight * OutWidth, "output");
        FitsInt((long)OutChannels * (InChannels / Groups) * KernelHeight * KernelWidth, "weight");
        FitsInt((long)(InChannels / Groups) * KernelHeight * KernelWidth * OutHeight * OutWidth, "im2col workspace");
        // (Out-1)*Stride + Dilation*(Kernel-1) + 1 spans PadBegin + In + PadEnd; PadEnd > -Stride means no output
        // position was added or dropped relative to PyTorch's formula.
        long spanH = (long)(OutHeight - 1) * StrideHeight + (long)(KernelHeight - 1) * DilationHeight + 1;
        long spanW = (long)(OutWidth - 1) * StrideWidth + (long)(KernelWidth - 1) * DilationWidth + 1;
        if (spanH - PadTop - InHeight <= -StrideHeight || spanH > int.MaxValue / 2)
            ThrowOutputTooSmall(nameof(OutHeight), OutHeight, nameof(InHeight), InHeight, nameof(PadTop), PadTop, KernelHeight, StrideHeight, DilationHeight, spanH - PadTop - InHeight, "bottom");
        if (spanW - PadLeft - InWidth <= -StrideWidth || spanW > int.MaxValue / 2)
            ThrowOutputTooSmall(nameof(OutWidth), OutWidth, nameof(InWidth), InWidth, nameof(PadLeft), PadLeft, KernelWidth, StrideWidth, DilationWidth, spanW - PadLeft - InWidth, "right");
    }

    private static void Positive(int value, string name)
    {
        if (value < 1) ThrowNotPositive(value, name);
    }

    private static void FitsInt(long length, string what)
    {
        if (length > int.MaxValue) ThrowTooLarge(length, what);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotPositive(int value, string name) => throw new ArgumentException($"{name} must be >= 1, got {value}.", name);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNegativePad(int value, string name) => throw new ArgumentException($"{name} must be >= 0, got {value}.", name);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotDivisible(string name, int channels, int groups)
        => throw new ArgumentException($"{name} {channels} is not divisible by Groups {groups}.", nameof(Groups));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowTooLarge(long length, string what) => throw new ArgumentException($"The {what} tensor has {length} elements, more than int.MaxValue.");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowOutputTooSmall(string outName, int output, string inName, int input, string padName, int pad, int kernel, int stride, int dilation,
        long impliedPad, string side)
        => throw new ArgumentException(
            $"{outName} {output} is too small for {inName} {input}, {padName} {pad}, kernel {kernel}, stride {stride}, dilation {dilation} (implied {side} padding {impliedPad}).",
            outName);
}
