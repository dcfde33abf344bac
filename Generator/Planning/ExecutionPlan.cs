using ConvGen.Generator.Model;

namespace ConvGen.Generator.Planning;

/// <summary>Which runtime kernel a step calls.</summary>
internal enum KernelKind
{
    /// <summary>Conv via im2col into the workspace, then packed GEMM (any stride, padding, dilation, groups).</summary>
    ConvIm2Col,
    /// <summary>1×1 conv, stride 1, no padding: GEMM straight on the input.</summary>
    ConvPointwise,
    /// <summary>Depthwise conv (groups = input channels, optional depth multiplier).</summary>
    ConvDepthwise,
    /// <summary>Transposed conv: GEMM into columns, then col2im scatter-add.</summary>
    ConvTranspose,
    Linear,
    MaxPool,
    AvgPool,
    AdaptiveAvgPool,
    AdaptiveMaxPool,
    /// <summary>A BatchNorm with nothing to fold into: per-channel scale and shift.</summary>
    ChannelAffine,
    /// <summary>An activation that could not be fused into the layer before it.</summary>
    Activation,
    Add,
    Multiply,
    Concat,
    Softmax,
    LogSoftmax,
    Pad,
    Upsample,
    ChannelShuffle,
    /// <summary>Copies the input to the output (a network that computes nothing, e.g. only Flatten).</summary>
    Copy,
}

/// <summary>Where a tensor lives while Run executes.</summary>
internal enum StorageKind { Input, Output, Arena }

/// <summary>A slice of the input span, the output span or the scratch arena, in floats.</summary>
internal readonly record struct BufferSlice(StorageKind Storage, int Offset, int Length);

/// <summary>The activation a step applies as it stores, named as the runtime's ActivationKind.</summary>
internal readonly record struct EpilogueSpec(string Activation, double Alpha)
{
    public static EpilogueSpec None => new("None", 0);
    public bool IsNone => Activation == "None";
}

/// <summary>
/// One call in Run: a kernel, the declared layers it implements (a convolution with its folded BatchNorm and fused
/// activation is one step), and the buffers it reads and writes.
/// </summary>
/// <param name="Layer">The layer whose computation this is (the convolution of a conv+BN+ReLU group).</param>
/// <param name="FoldedBatchNorm">A BatchNorm folded into this step's weights at load, if any.</param>
/// <param name="Fused">Every declared layer this step implements, in order (for comments and the table).</param>
/// <param name="Workspace">Scratch the kernel needs during the call (im2col columns).</param>
/// <param name="PaddedInput">Where <paramref name="PrePad"/> writes the padded input, if the step has one.</param>
internal sealed record PlanStep(
    int Number,
    KernelKind Kernel,
    AnalyzedLayer Layer,
    AnalyzedLayer? FoldedBatchNorm,
    EquatableArray<AnalyzedLayer> Fused,
    EpilogueSpec Epilogue,
    EquatableArray<BufferSlice> Inputs,
    BufferSlice Output,
    BufferSlice? Workspace,
    BufferSlice? PaddedInput,
    PrePadding? PrePad);

/// <summary>
/// A convolution with padding_mode reflect, replicate or circular: its input is first padded into scratch with
/// that mode, and the step's <see cref="PlanStep.Layer"/> is the convolution of the padded input, without padding.
/// </summary>
/// <param name="Input">The shape before padding.</param>
internal sealed record PrePadding(Shape Input, int Left, int Right, int Top, int Bottom, string Mode);

/// <summary>
/// The whole compiled network: the analysed layers, the steps of Run and the size of the scratch arena (in floats).
/// An arena past <c>int</c> has no steps: its offsets cannot be written, and Limits rejects it (CG0013) before emitting.
/// </summary>
internal sealed record ExecutionPlan(AnalyzedNetwork Network, EquatableArray<PlanStep> Steps, long ArenaLength);
