using ConvGen.Generator.Model;

namespace ConvGen.Generator.Planning;

/// <summary>Where a tensor lives while Run executes.</summary>
internal enum StorageKind { Input, Output, Arena }

/// <summary>A slice of the input span, the output span or the scratch arena, in floats.</summary>
internal readonly record struct BufferSlice(StorageKind Storage, int Offset, int Length);

/// <summary>A tensor a step reads or writes: its logical shape (channels first), its layout and where it is.</summary>
internal readonly record struct TensorRef(Shape Shape, TensorLayout Layout, BufferSlice Buffer)
{
    /// <summary>Channels and positions per channel (H·W, L, or 1 for a flat vector of features).</summary>
    public (int Channels, int Positions) Planes => Shape.Rank <= 1 ? ((int)Shape.Elements, 1) : (Shape[0], Shape.Spatial);
}

/// <summary>
/// What a producer does besides its own arithmetic: a BatchNorm folded into its weights at load, and an activation
/// applied as it stores.
/// </summary>
internal sealed record Fusion(AnalyzedLayer? FoldedBatchNorm, ActivationUse? Activation)
{
    public static Fusion None { get; } = new(null, null);
}

/// <summary>How a convolution is computed; the planner decides at compile time, the emitted code calls exactly that.</summary>
internal enum ConvAlgorithm
{
    /// <summary>Direct convolution to a blocked output: a register tile of output blocks × positions of one row (DirectConv2d).</summary>
    Direct,
    /// <summary>1×1, stride 1, unpadded, to a blocked output: the direct tile over the flattened positions (PointwiseConv2d).</summary>
    Pointwise,
    /// <summary>Depthwise, blocked in and out: 16 channels per vector, each tap one multiply-add (DepthwiseConv2d).</summary>
    Depthwise,
    /// <summary>Winograd F(2×2, 3×3), blocked in and out (WinogradConv2d, output tile 2).</summary>
    WinogradF2,
    /// <summary>Winograd F(4×4, 3×3), blocked in and out (WinogradConv2d, output tile 4).</summary>
    WinogradF4,
    /// <summary>CHW: unfold the input into a column matrix (zeros for padding taps), then packed GEMM.</summary>
    Im2ColGemm,
    /// <summary>
    /// CHW: GEMM on shifted views of the zero-padded stride-phase planes, output rows computed phase-width wide; at 512
    /// bits, column stride 2 and few output channels, the runtime computes it directly with the columns gathered in
    /// registers instead (ConvWorkspace.GathersStrideTwoColumns, printed in the step summary).
    /// </summary>
    ShiftedGemm,
    /// <summary>CHW: direct convolution with positions on the lanes, a register tile of 3 output channels × 2 rows × 2 vectors (PlaneConv2d).</summary>
    DirectPlanes,
    /// <summary>CHW: 1×1, stride 1, unpadded: a GEMM straight on the input planes, positions on the lanes.</summary>
    PointwisePlanes,
    /// <summary>CHW: one group per input channel; the runtime vectorises along rows or planes, by shape and vector width.</summary>
    DepthwisePlanes,
    /// <summary>CHW: depthwise, stride 1, positions on the lanes, on a zero-padded plane: 3×3 by rows streamed down the plane 3 vectors wide at 512 bits, else a register tile of 4 rows × 1 vector (PlaneDepthwiseConv2d).</summary>
    PlaneDepthwise,
}

/// <summary>
/// One call in Run: a runtime entry point with every choice spelled out as data. Each kind of step is one record below
/// and one emit method in the emitter.
/// </summary>
internal abstract record PlanStep
{
    /// <summary>Position in Run, 0-based; names the step's method (<c>Step3_Conv2d</c>) and weight fields.</summary>
    public int Number { get; init; }

    /// <summary>The layer whose computation this is (the convolution of a conv + BatchNorm + ReLU group).</summary>
    public AnalyzedLayer Layer { get; init; } = null!;

    /// <summary>Every declared layer this step implements, in order (for comments and the table).</summary>
    public EquatableArray<AnalyzedLayer> Layers { get; init; }

    public EquatableArray<TensorRef> Inputs { get; init; }
    public TensorRef Output { get; init; }

    /// <summary>Scratch the kernel needs during the call, if any.</summary>
    public BufferSlice? Workspace { get; init; }

    /// <summary>A second tensor the step writes besides <see cref="Output"/> (MaxPool2d's indices), or null.</summary>
    public TensorRef? SecondOutput { get; init; }

    /// <summary>Whether the kernel may write its output over input <paramref name="input"/> (same shape and layout).</summary>
    public virtual bool MayOverwrite(int input) => false;

    /// <summary>The output shape of the last declared layer of the step.</summary>
    public Shape OutputShape => Layers[Layers.Count - 1].OutputShape;
}

/// <summary>
/// Conv1d/Conv2d (any zero padding, stride, dilation, groups), 1-D as H = 1; bottom and right padding implied by the
/// output size. A convolution with padding_mode reflect, replicate or circular reads the output of a <see cref="PadStep"/>
/// and has no padding of its own.
/// </summary>
/// <param name="Tile">The register tile (output blocks × positions) of the blocked algorithms; null for the CHW ones.</param>
/// <param name="Residual">The step's second input is added in the store, after the bias and before the activation (a residual Add fused in).</param>
internal sealed record ConvolutionStep(Conv2dGeometry Geometry, ConvAlgorithm Algorithm, ConvTile? Tile, Fusion Fusion, bool Residual) : PlanStep
{
    /// <summary>The residual may be the output span itself: the tile reads each value before it stores it.</summary>
    public override bool MayOverwrite(int input) => Residual && input == 1;

    /// <summary>
    /// A MaxPool2d(2) after the convolution (and its activation) is fused into the store: the step writes the pooled
    /// output (PlaneConv2d.RunPooled). The planner sets it only where PlaneConv2d.PoolRejects accepts the geometry.
    /// </summary>
    public bool PoolsMax2x2 { get; init; }
}

/// <summary>
/// A pointwise convolution and the depthwise convolution that reads only its output, run as one step
/// (PointwiseDepthwiseConv2d: at 512 bits in row bands, the pointwise output never written whole). Each part keeps its
/// own record (layer, geometry, BatchNorm, activation); <paramref name="Tile"/> is the pointwise tile over a band's rows.
/// </summary>
internal sealed record PointwiseDepthwiseStep(ConvolutionStep Pointwise, ConvolutionStep Depthwise, ConvTile Tile) : PlanStep;

/// <summary>ConvTranspose1d/2d: a GEMM into columns, then col2im scatter-add.</summary>
internal sealed record TransposedConvolutionStep(ConvTranspose2dGeometry Geometry, Fusion Fusion) : PlanStep;

/// <summary>
/// Linear on the last dimension: <paramref name="Rows"/> rows of <paramref name="InFeatures"/>, weights packed at load
/// in panels of 16 outputs. Reading a blocked map (a Flatten of it), the weights' columns are permuted into the blocked
/// order at load and <paramref name="InFeatures"/> counts the padding lanes.
/// </summary>
internal sealed record LinearStep(int Rows, int InFeatures, int OutFeatures, Fusion Fusion) : PlanStep;

/// <summary>MaxPool or AvgPool, 1-D or 2-D.</summary>
internal sealed record PoolStep(Pool2dGeometry Geometry, bool Max, bool CountIncludePad, int DivisorOverride) : PlanStep;

/// <summary>
/// MaxPool2d with ReturnIndices, whose indices a MaxUnpool2d reads: the pooled values in <see cref="PlanStep.Output"/>
/// and, in the same layout, each value's flat input position (h·W + w, int32 in the float arena) in
/// <see cref="PlanStep.SecondOutput"/>, live until the last unpool that reads them.
/// </summary>
internal sealed record MaxPoolIndicesStep(Pool2dGeometry Geometry) : PlanStep
{
    public TensorRef Indices => SecondOutput!.Value;
}

/// <summary>
/// MaxUnpool2d: zeros, then each value of input 0 written at the position input 1 (its pool's indices) names; runs in
/// the layout the indices were written in, <paramref name="Channels"/> planes of <paramref name="InPositions"/> to
/// <paramref name="OutPositions"/>.
/// </summary>
internal sealed record MaxUnpoolStep(int Channels, int InPositions, int OutPositions) : PlanStep;

/// <summary>AdaptiveAvgPool/AdaptiveMaxPool to any output size (PyTorch's start/end index rule).</summary>
internal sealed record AdaptivePoolStep(bool Max, int Channels, int InHeight, int InWidth, int OutHeight, int OutWidth) : PlanStep;

/// <summary>A BatchNorm with nothing to fold into: per-channel scale and shift, with an optional activation.</summary>
internal sealed record ChannelAffineStep(int Channels, int Spatial, ActivationUse? Activation) : PlanStep
{
    public override bool MayOverwrite(int input) => true;
}

/// <summary>An activation that could not be fused into the layer before it.</summary>
internal sealed record ActivationStep(ActivationUse Activation) : PlanStep
{
    public override bool MayOverwrite(int input) => true;
}

/// <summary>One operand of an <see cref="ArithmeticStep"/>: how it lines up with the output, and its strides for the general form.</summary>
internal readonly record struct ArithmeticOperand(OperandForm Form, Dims4 Strides);

/// <summary>
/// Add, Subtract or Multiply with PyTorch's broadcasting and numbers, left to right over the inputs (y = x0 op x1, then
/// y = y op x2, ...), then with <paramref name="Constant"/> (y op number, or number op y when <paramref name="ConstantFirst"/>),
/// the activation with the last operation. <paramref name="General"/>: CHW tensors by strides (0 where an operand
/// broadcasts) over the output's <paramref name="Sizes"/>; otherwise every operand is the output's shape, one value per
/// channel or one value, in either layout (a per-channel or single operand is read as it is, never reordered).
/// </summary>
internal sealed record ArithmeticStep(BinaryOperation Operation, EquatableArray<ArithmeticOperand> Operands, double? Constant, bool ConstantFirst,
    bool General, Dims4 Sizes, ActivationUse? Activation) : PlanStep
{
    // Not a later operand: y is written before it is read.
    public override bool MayOverwrite(int input) => input < 2 && Operands[input].Form == OperandForm.Full;
}

/// <summary>A learned tensor (<c>nn.Parameter</c>) copied from the weights into its buffer, CHW.</summary>
internal sealed record ParameterStep : PlanStep;

/// <summary>PReLU: one slope, or one per channel (<paramref name="Slopes"/> of them), either layout.</summary>
internal sealed record PReLUStep(int Slopes) : PlanStep
{
    public override bool MayOverwrite(int input) => true;
}

/// <summary>
/// Chunk or Split: the piece [Start, Start + Length) of the middle axis of [Outer, Axis, Inner]; <paramref name="BlockedChannels"/>
/// when it is a channel range starting on a block of a blocked map (whole blocks copied).
/// </summary>
internal sealed record SliceStep(int Outer, int Axis, int Inner, int Start, int Length, bool BlockedChannels) : PlanStep;

/// <summary>Permute: the output (CHW, <paramref name="Sizes"/>) reads the input at <paramref name="Strides"/>.</summary>
internal sealed record PermuteStep(Dims4 Sizes, Dims4 Strides) : PlanStep;

/// <summary>LayerNorm (Inner 1) or LayerNorm2d (over the channels, Inner = H·W), CHW; weight and bias read when <paramref name="Affine"/>/<paramref name="Bias"/>.</summary>
internal sealed record LayerNormStep(int Outer, int Axis, int Inner, double Eps, bool Affine, bool Bias) : PlanStep
{
    public override bool MayOverwrite(int input) => true;
}

/// <summary>Concatenation along the channels: one copy per input.</summary>
internal sealed record ConcatStep : PlanStep;

/// <summary>Softmax or LogSoftmax over the middle axis of [Outer, Axis, Inner].</summary>
internal sealed record SoftmaxStep(bool Log, int Outer, int Axis, int Inner) : PlanStep
{
    public override bool MayOverwrite(int input) => true;
}

/// <summary>
/// ZeroPad2d, ReflectionPad2d or ReplicationPad2d (padding left, right, top, bottom), or the padding of a convolution
/// with padding_mode reflect, replicate or circular (its <see cref="PlanStep.Layer"/> is then the convolution).
/// </summary>
internal sealed record PadStep(int Channels, int Height, int Width, int Left, int Right, int Top, int Bottom, string Mode) : PlanStep;

/// <summary>Upsample, nearest or bilinear; the scales are what the declaration wrote (0 when it gave a size).</summary>
internal sealed record UpsampleStep(bool Bilinear, bool AlignCorners, int Channels, int InHeight, int InWidth, int OutHeight, int OutWidth,
    double ScaleHeight, double ScaleWidth) : PlanStep;

internal sealed record ChannelShuffleStep(int Channels, int Groups, int Spatial) : PlanStep;

/// <summary>Copies the input to the output (a network that computes nothing, e.g. only Flatten).</summary>
internal sealed record CopyStep : PlanStep;

/// <summary>
/// Rewrites a tensor from one layout to another (the only place the layout of a value changes): <paramref name="Channels"/>
/// planes of <paramref name="Positions"/> values.
/// </summary>
internal sealed record ReorderStep(TensorLayout From, TensorLayout To, int Channels, int Positions) : PlanStep;

/// <summary>
/// The whole compiled network: the analysed layers, the steps of Run and the size of the scratch arena (in floats).
/// An arena past <c>int</c> has no steps: its offsets cannot be written, and Limits rejects it (CG0013) before emitting.
/// </summary>
internal sealed record ExecutionPlan(AnalyzedNetwork Network, EquatableArray<PlanStep> Steps, long ArenaLength);
