using System.Globalization;
using ConvGen.Generator.Model;
using ConvGen.Generator.Planning;

namespace ConvGen.Generator.Emit;

// One method per step of Run, printed from its plan record: one Emit* method per kind of step, each saying in its
// summary which declared layers it implements and what the plan chose for it.
internal static partial class Emitter
{
    private static void WriteSteps(SourceWriter w, ExecutionPlan plan)
    {
        foreach (PlanStep step in plan.Steps)
        {
            // A reorder or a convolution's padding shows the tensor it rewrites; a layer its declared shapes.
            bool rewrite = step is ReorderStep || (step is PadStep && step.Layer.Kind.IsConvolution());
            Shape input = rewrite ? step.Inputs[0].Shape : step.Layer.InputShape;
            Shape output = rewrite ? step.Output.Shape : step.OutputShape;
            w.Line($"/// <summary>{Xml(Describe(step))}: {Xml(input.ToString())} → {Xml(output.ToString())}; {Xml(Choices(step))}.</summary>");
            var parameters = new List<string>();
            if (step.Inputs.Count == 1) parameters.Add($"{ReadOnlySpan} x");
            else for (int i = 0; i < step.Inputs.Count; i++) parameters.Add($"{ReadOnlySpan} x{i}");
            parameters.Add($"{Span} y");
            if (step.SecondOutput is not null) parameters.Add($"{Span} {SecondOutputName(step)}");
            if (NeedsScratch(step)) parameters.Add($"{Span} scratch");
            w.Open($"private void {StepMethodName(step)}({string.Join(", ", parameters)})");
            switch (step)
            {
                case ConvolutionStep s: EmitConvolution(w, s); break;
                case PointwiseDepthwiseStep s: EmitPointwiseDepthwise(w, s); break;
                case TransposedConvolutionStep s: EmitTransposedConvolution(w, s); break;
                case LinearStep s: EmitLinear(w, s); break;
                case PoolStep s: EmitPool(w, s); break;
                case MaxPoolIndicesStep s: EmitMaxPoolIndices(w, s); break;
                case MaxUnpoolStep s: EmitMaxUnpool(w, s); break;
                case AdaptivePoolStep s: EmitAdaptivePool(w, s); break;
                case ChannelAffineStep s: EmitChannelAffine(w, s); break;
                case ActivationStep s: EmitActivation(w, s); break;
                case ConcatStep s: EmitConcat(w, s); break;
                case SoftmaxStep s: EmitSoftmax(w, s); break;
                case PadStep s: EmitPad(w, s); break;
                case UpsampleStep s: EmitUpsample(w, s); break;
                case ChannelShuffleStep s: EmitChannelShuffle(w, s); break;
                case ArithmeticStep s: EmitArithmetic(w, s); break;
                case ParameterStep s: w.Line($"_weights.{WeightsField(s, "Tensor")}.Span.CopyTo(y);"); break;
                case PReLUStep s: w.Line($"{Kernels}.ParametricReLU.Forward(x, y, _weights.{WeightsField(s, "Slopes")}, {Planes(s.Output)});"); break;
                case SliceStep s: EmitSlice(w, s); break;
                case PermuteStep s: w.Line($"{Kernels}.TensorCopy.Permute(x, y, {Dims4Literal(s.Sizes)}, {Dims4Literal(s.Strides)});"); break;
                case LayerNormStep s: EmitLayerNorm(w, s); break;
                case CopyStep: w.Line("x.CopyTo(y);"); break;
                case ReorderStep s: EmitReorder(w, s); break;
                default: throw new InvalidOperationException($"no emitter for {step.GetType().Name}");
            }
            w.Close();
            w.Line();
        }
    }

    /// <summary>What the plan chose for a step, in words: the algorithm first (up to the first comma), then its fusion.</summary>
    private static string Choices(PlanStep step) => step switch
    {
        ConvolutionStep s => Join(ConvAlgorithmText(s), FusionText(s.Fusion, s.Residual), s.PoolsMax2x2 ? "2×2 max pool fused into the store" : null),
        PointwiseDepthwiseStep s => Join($"pointwise and depthwise fused, blocked 16 → blocked 16: at 512 bits per {s.Tile.Blocks} output blocks "
            + $"bands of {PointwiseDepthwiseConv2d.BandRows(s.Depthwise.Geometry)} output rows, the pointwise tile {s.Tile} (output blocks × positions) "
            + "writing each band's padded rows, the depthwise reading them (the pointwise output is never stored whole); narrower, "
            + "the depthwise kernel on each block's band", Prefixed("pointwise: ", FusionText(s.Pointwise.Fusion)), Prefixed("depthwise: ", FusionText(s.Depthwise.Fusion))),
        TransposedConvolutionStep s => Join("transposed: GEMM into columns, then col2im", FusionText(s.Fusion)),
        LinearStep s => Join(s.Rows == 1 ? "GEMV over weight panels of 16 outputs" : "GEMM over weight panels of 16 outputs",
            s.Inputs[0].Layout == TensorLayout.Blocked16 ? "reading the blocked map as it is (weights permuted at load)" : null, FusionText(s.Fusion)),
        PoolStep s => $"{(s.Max ? "max" : "average")} pooling, {LayoutText(s.Output.Layout)}",
        MaxPoolIndicesStep s => $"max pooling with indices (int32 in the scratch arena until the unpool reads them), {LayoutText(s.Output.Layout)}",
        MaxUnpoolStep s => $"max unpooling: zeros, then each value scattered to its index, {LayoutText(s.Output.Layout)}",
        AdaptivePoolStep s => $"adaptive {(s.Max ? "max" : "average")} pooling, {LayoutText(s.Output.Layout)}",
        ChannelAffineStep s => Join($"per-channel scale and shift, {LayoutText(s.Output.Layout)}", ActivationText(s.Activation)),
        ActivationStep s => $"{s.Activation} {(s.Inputs[0].Buffer == s.Output.Buffer ? "in place" : "element-wise")}, {LayoutText(s.Output.Layout)}",
        ConcatStep s => $"channel concatenation (copies), {LayoutText(s.Output.Layout)}",
        SoftmaxStep s => s.Log ? "log-softmax" : "softmax",
        PadStep s => $"{s.Mode} padding",
        UpsampleStep s => s.Bilinear ? "bilinear upsampling" : "nearest upsampling",
        ChannelShuffleStep => "channel shuffle (copies)",
        ArithmeticStep s => Join($"{ArithmeticForm(s)} {s.Operation.ToString().ToLowerInvariant()}"
            + (s.Constant is { } n ? $" with {Float(n)}" : "") + $", {LayoutText(s.Output.Layout)}",
            s.Inputs.Any(i => i.Buffer == s.Output.Buffer) ? "in place" : null, ActivationText(s.Activation)),
        ParameterStep => "learned tensor copied from the weights",
        PReLUStep s => $"PReLU with {(s.Slopes == 1 ? "one slope" : "a slope per channel")}, {LayoutText(s.Output.Layout)}",
        SliceStep s => s.BlockedChannels ? "channel slice (whole blocks copied), blocked 16" : "slice (row copies), CHW",
        PermuteStep => "permutation (strided copy), CHW",
        LayerNormStep s => $"normalisation over {(s.Inner == 1 ? "the last dimension(s)" : "the channels at each position")}, CHW",
        CopyStep => "copy",
        ReorderStep s => $"reorder {LayoutText(s.From)} → {LayoutText(s.To)}",
        _ => step.GetType().Name,
    };

    private static string LayoutText(TensorLayout layout) => layout switch
    {
        TensorLayout.Chw => "CHW",
        TensorLayout.Blocked16 => "blocked 16",
        _ => layout.ToString(),
    };

    private static string ConvAlgorithmText(ConvolutionStep step)
    {
        string layouts = $"{LayoutText(step.Inputs[0].Layout)} → {LayoutText(step.Output.Layout)}";
        return step.Algorithm switch
        {
            ConvAlgorithm.Direct => $"direct convolution, {layouts}, tile {step.Tile} (output blocks × positions)",
            ConvAlgorithm.Pointwise => $"pointwise GEMM over the flattened positions, {layouts}, " + (PointwiseConv2d.HoldsWeightsInRegisters(step.Geometry, step.Inputs[0].Layout)
                ? $"at 512 bits each output block's {step.Geometry.InChannels} weight vectors held in registers, 16 positions per tile (the rest one by one), narrower tile {step.Tile} (output blocks × positions)"
                : $"tile {step.Tile} (output blocks × positions)"),
            ConvAlgorithm.Depthwise => $"depthwise, 16 channels per vector, {layouts}, " + DepthwisePathText(step.Geometry),
            ConvAlgorithm.WinogradF2 => $"Winograd F(2×2, 3×3), {layouts}",
            ConvAlgorithm.WinogradF4 => $"Winograd F(4×4, 3×3), {layouts}",
            ConvAlgorithm.Im2ColGemm => $"im2col + packed GEMM, {layouts}",
            ConvAlgorithm.ShiftedGemm => $"packed GEMM on shifted views of the stride-phase planes, {layouts}"
                + (ConvWorkspace.ShiftedRowByRow(step.Geometry.OutHeight, step.Geometry.OutWidth,
                    ConvWorkspace.PhaseLength(step.Geometry.OutWidth, step.Geometry.KernelWidth, step.Geometry.DilationWidth, step.Geometry.StrideWidth))
                    ? ", each output row straight into the output" : "")
                + (ConvWorkspace.GathersStrideTwoColumns(step.Geometry)
                    ? $"; at 512 bits instead direct on the input in place, each tap's stride-2 columns gathered in registers by permutes (no phase copy), tile {ConvWorkspace.GatherTileChannels} channels × {ConvWorkspace.GatherTileVectors} vectors"
                    : ""),
            ConvAlgorithm.DirectPlanes => $"direct convolution, positions on the lanes, {layouts}, tile {PlaneConv2d.TileChannels} channels × {PlaneConv2d.TileRows} rows × {PlaneConv2d.TileVectors} vectors",
            ConvAlgorithm.PointwisePlanes => $"pointwise GEMM on the input planes, {layouts}",
            ConvAlgorithm.DepthwisePlanes => $"depthwise (rows or planes on the lanes, picked by the runtime per vector width), {layouts}",
            ConvAlgorithm.PlaneDepthwise => $"depthwise, positions on the lanes, {layouts}, " + (PlaneDepthwiseConv2d.HasRowBlockTile(step.Geometry)
                ? $"at 512 bits rows streamed down the plane {PlaneDepthwiseConv2d.StreamVectors} vectors wide" + (PlaneDepthwiseConv2d.ReadsInPlace(step.Geometry) ? " read in place (no padded copy)" : "") + $", narrower tile {PlaneDepthwiseConv2d.TileRows} rows × 1 vector" : $"tile 1 row × {PlaneDepthwiseConv2d.RowTileVectors} vectors"),
            _ => step.Algorithm.ToString(),
        };
    }

    // The blocked depthwise kernel's path at 512 bits (DepthwiseConv2d.PathOf, the dispatch Run follows), and where the
    // narrower widths differ, theirs.
    private static string DepthwisePathText(in Conv2dGeometry g) => DepthwiseConv2d.PathOf(g, Blocked16.Lanes) switch
    {
        DepthwisePath.BlockTiles => $"input read in place, tiles of {DepthwiseConv2d.TilePositions(g)} positions of an output row × "
            + $"{DepthwiseConv2d.TileBlocks(g, Blocked16.Lanes)} channel blocks at 512 bits (taps in the padding skipped)",
        DepthwisePath.RowsInPlace => $"input rows read in place at 512 bits (tiles of {DepthwiseConv2d.TilePositions(g)} positions, the padding skipped), whole padded plane narrower",
        DepthwisePath.WholePlaneInPlace => "whole plane per vector, read in place at 512 bits (no padding)",
        DepthwisePath.WholePlane => "whole padded plane per vector",
        DepthwisePath.StrideTwoInPlace => $"input rows read in place at 512 bits (columns by the padding one at a time), ring of {DepthwiseConv2d.RingRows(g)} padded rows narrower",
        _ => $"ring of {DepthwiseConv2d.RingRows(g)} padded rows",
    };

    private static string? FusionText(Fusion fusion, bool residual = false) => Join(
        fusion.FoldedBatchNorm is null ? null : "BatchNorm folded into the weights at load",
        residual ? "residual added in the store" : null,
        ActivationText(fusion.Activation));

    private static string? Prefixed(string prefix, string? text) => string.IsNullOrEmpty(text) ? null : prefix + text;

    private static string? ActivationText(ActivationUse? activation) => activation is null ? null : $"{activation} fused into the store";

    private static string Join(params string?[] parts)
    {
        string joined = string.Join(", ", parts.Where(p => !string.IsNullOrEmpty(p)));
        return joined;
    }

    /// <summary>The runtime epilogue that applies <paramref name="activation"/> as a kernel stores (or none).</summary>
    private static string EpilogueExpression(ActivationUse? activation) => activation is null
        ? $"{Kernels}.Epilogue.None"
        : $"new {Kernels}.Epilogue({Kernels}.ActivationKind.{activation.RuntimeOperator}, {Float(activation.Arguments.IsEmpty ? 0 : activation.Arguments[0])})";

    private static string ScratchSlice(BufferSlice slice) => $"scratch.Slice({slice.Offset}, {slice.Length})";

    private static string WeightsOf(PlanStep step) => $"_weights.{WeightsField(step, "Weights")}";

    private static string BiasOf(PlanStep step) => $"_weights.{WeightsField(step, "Bias")}";

    private static void EmitConvolution(SourceWriter w, ConvolutionStep step)
    {
        string x = step.Inputs.Count == 1 ? "x" : "x0";
        // A kernel that needs no scratch for this geometry gets an empty span.
        string workspace = step.Workspace is { } ws ? ScratchSlice(ws) : $"{Span}.Empty";
        string residual = step.Residual ? "x1" : $"{ReadOnlySpan}.Empty";
        string act = ActivationOperator(step.Fusion.Activation);
        string blocked = $"{x}, y, {WeightsOf(step)}, {residual}, in {GeometryField(step)}";
        string tile = step.Tile is { } t ? $"new {Kernels}.ConvTile({t.Blocks}, {t.Positions})" : "";
        string layout = $"{Kernels}.TensorLayout.{step.Inputs[0].Layout}";
        switch (step.Algorithm)
        {
            case ConvAlgorithm.Direct:
                w.Line($"{Kernels}.DirectConv2d.Run({blocked}, {layout}, {tile}, {act}, {workspace});");
                return;
            case ConvAlgorithm.Pointwise:
                w.Line($"{Kernels}.PointwiseConv2d.Run({blocked}, {layout}, {tile}, {act});");
                return;
            case ConvAlgorithm.Depthwise:
                w.Line($"{Kernels}.DepthwiseConv2d.Run({blocked}, {act}, {workspace});");
                return;
            case ConvAlgorithm.DirectPlanes:
                w.Line($"{Kernels}.PlaneConv2d.{(step.PoolsMax2x2 ? "RunPooled" : "Run")}({x}, y, {WeightsOf(step)}, in {GeometryField(step)}, {act}, {workspace});");
                return;
            case ConvAlgorithm.PlaneDepthwise:
                w.Line($"{Kernels}.PlaneDepthwiseConv2d.Run({x}, y, {WeightsOf(step)}, in {GeometryField(step)}, {act}, {workspace});");
                return;
            case ConvAlgorithm.WinogradF2 or ConvAlgorithm.WinogradF4:
                w.Line($"{Kernels}.WinogradConv2d.Run({blocked}, outputTile: {WinogradTile(step.Algorithm)}, {act}, {workspace});");
                return;
        }
        string common = $"{x}, y, {WeightsOf(step)}, {BiasOf(step)}, in {GeometryField(step)}, {EpilogueExpression(step.Fusion.Activation)}";
        w.Line(step.Algorithm switch
        {
            ConvAlgorithm.Im2ColGemm => $"{Kernels}.Conv2d.Im2ColGemm({common}, {workspace});",
            ConvAlgorithm.ShiftedGemm => $"{Kernels}.Conv2d.ShiftedGemm({common}, {workspace});",
            ConvAlgorithm.PointwisePlanes => $"{Kernels}.Conv2d.Pointwise({common});",
            ConvAlgorithm.DepthwisePlanes => $"{Kernels}.Conv2d.Depthwise({common});",
            _ => throw new InvalidOperationException($"no call for {step.Algorithm}"),
        });
    }

    private static void EmitPointwiseDepthwise(SourceWriter w, PointwiseDepthwiseStep step)
    {
        string tile = $"new {Kernels}.ConvTile({step.Tile.Blocks}, {step.Tile.Positions})";
        w.Line($"{Kernels}.PointwiseDepthwiseConv2d.Run(x, y, _weights.{WeightsField(step, "PointwiseWeights")}, _weights.{WeightsField(step, "DepthwiseWeights")}, "
            + $"in {GeometryField(step, "Pointwise")}, in {GeometryField(step, "Depthwise")}, {tile}, "
            + $"{ActivationOperator(step.Pointwise.Fusion.Activation)}, {ActivationOperator(step.Depthwise.Fusion.Activation)}, {ScratchSlice(step.Workspace!.Value)});");
    }

    private static int WinogradTile(ConvAlgorithm algorithm) => algorithm == ConvAlgorithm.WinogradF4 ? 4 : 2;

    /// <summary>The runtime operator struct of an activation (its arguments as constructor arguments), or Identity.</summary>
    private static string ActivationOperator(ActivationUse? activation)
    {
        if (activation is null) return $"default({Kernels}.Identity)";
        if (activation.Arguments.IsEmpty) return $"default({Kernels}.{activation.RuntimeOperator})";
        return $"new {Kernels}.{activation.RuntimeOperator}({string.Join(", ", activation.Arguments.Select(Float))})";
    }

    private static void EmitTransposedConvolution(SourceWriter w, TransposedConvolutionStep step)
    {
        string workspace = step.Workspace is { } ws ? ScratchSlice(ws) : $"{Span}.Empty";
        w.Line($"{Kernels}.ConvTranspose2d.Forward(x, y, {WeightsOf(step)}, {BiasOf(step)}, in {GeometryField(step)}, {EpilogueExpression(step.Fusion.Activation)}, {workspace});");
    }

    private static void EmitLinear(SourceWriter w, LinearStep step) =>
        w.Line($"{Kernels}.PackedLinear.Run(x, y, {WeightsOf(step)}, rows: {step.Rows}, inFeatures: {step.InFeatures}, outFeatures: {step.OutFeatures}, {Kernels}.TensorLayout.Chw, {ActivationOperator(step.Fusion.Activation)});");

    private static void EmitPool(SourceWriter w, PoolStep step)
    {
        string kernel = step.Output.Layout == TensorLayout.Blocked16 ? "BlockedPool2d" : "Pool2d";
        w.Line(step.Max
            ? $"{Kernels}.{kernel}.Max(x, y, in {GeometryField(step)});"
            : $"{Kernels}.{kernel}.Average(x, y, in {GeometryField(step)}, countIncludePad: {Bool(step.CountIncludePad)}, divisorOverride: {step.DivisorOverride});");
    }

    /// <summary>The parameter name of a step's second output (MaxPool2d's indices).</summary>
    private static string SecondOutputName(PlanStep step) => step is MaxPoolIndicesStep ? "indices" : "y1";

    private static string IntSpan(string floats) => $"global::System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>({floats})";

    private static void EmitMaxPoolIndices(SourceWriter w, MaxPoolIndicesStep step) =>
        w.Line($"{Kernels}.MaxPool2dIndices.Forward(x, y, {IntSpan("indices")}, {Kernels}.TensorLayout.{step.Output.Layout}, in {GeometryField(step)});");

    private static void EmitMaxUnpool(SourceWriter w, MaxUnpoolStep step) =>
        w.Line($"{Kernels}.MaxUnpool2d.Forward(x0, {IntSpan("x1")}, y, {Kernels}.TensorLayout.{step.Output.Layout}, channels: {step.Channels}, inPositions: {step.InPositions}, outPositions: {step.OutPositions});");

    private static void EmitAdaptivePool(SourceWriter w, AdaptivePoolStep step)
    {
        string kernel = step.Output.Layout == TensorLayout.Blocked16 ? "BlockedPool2d" : "Pool2d";
        w.Line($"{Kernels}.{kernel}.{(step.Max ? "AdaptiveMax" : "AdaptiveAverage")}(x, y, channels: {step.Channels}, inHeight: {step.InHeight}, inWidth: {step.InWidth}, outHeight: {step.OutHeight}, outWidth: {step.OutWidth});");
    }

    /// <summary>"TensorLayout.Blocked16, channels: 32, positions: 144": the tensor arguments of the element-wise kernels.</summary>
    private static string Planes(TensorRef tensor)
    {
        (int channels, int positions) = tensor.Planes;
        return $"{Kernels}.TensorLayout.{tensor.Layout}, channels: {channels}, positions: {positions}";
    }

    private static void EmitChannelAffine(SourceWriter w, ChannelAffineStep step) =>
        w.Line($"{Kernels}.ElementwiseOps.ChannelAffine(x, y, _weights.{WeightsField(step, "Scale")}, _weights.{WeightsField(step, "Shift")}, {Planes(step.Output)}, {ActivationOperator(step.Activation)});");

    private static void EmitActivation(SourceWriter w, ActivationStep step) =>
        w.Line($"{Kernels}.ElementwiseOps.Activate(x, y, {Planes(step.Output)}, {ActivationOperator(step.Activation)});");

    // Left to right into y: y = x0 op x1, y = y op x2, ..., then the number; the activation with the last operation.
    private static void EmitArithmetic(SourceWriter w, ArithmeticStep step)
    {
        string op = $"{Kernels}.BinaryOperation.{step.Operation}";
        int n = step.Inputs.Count;
        for (int i = 1; i < n; i++)
        {
            string act = ActivationOperator(i == n - 1 && step.Constant is null ? step.Activation : null);
            string a = i == 1 ? "x0" : "y";
            if (step.General)
            {
                Dims4 left = i == 1 ? step.Operands[0].Strides : ContiguousStrides(step.Sizes);
                w.Line($"{Kernels}.Broadcast.General({a}, {Dims4Literal(left)}, x{i}, {Dims4Literal(step.Operands[i].Strides)}, y, {Dims4Literal(step.Sizes)}, {op}, {act});");
            }
            else
            {
                string form = FormLiteral(i == 1 ? step.Operands[0].Form : OperandForm.Full);
                w.Line($"{Kernels}.Broadcast.Channelwise({a}, {form}, x{i}, {FormLiteral(step.Operands[i].Form)}, y, {op}, {Planes(step.Output)}, {act});");
            }
        }
        if (step.Constant is { } number)
            w.Line($"{Kernels}.Broadcast.WithNumber({(n == 1 ? "x" : "y")}, {Float(number)}, numberFirst: {Bool(step.ConstantFirst)}, y, {op}, {Planes(step.Output)}, {ActivationOperator(step.Activation)});");
    }

    private static string ArithmeticForm(ArithmeticStep s) =>
        s.General ? "broadcast by strides" : s.Operands.All(o => o.Form == OperandForm.Full) ? "element-wise" : "channel-wise broadcast";

    private static Dims4 ContiguousStrides(Dims4 s) => new(s.D1 * s.D2 * s.D3, s.D2 * s.D3, s.D3, 1);

    private static string Dims4Literal(Dims4 d) => $"new {Kernels}.Dims4({d.D0}, {d.D1}, {d.D2}, {d.D3})";

    private static string FormLiteral(OperandForm form) => $"{Kernels}.OperandForm.{form}";

    private static void EmitSlice(SourceWriter w, SliceStep step) => w.Line(step.BlockedChannels
        ? $"{Kernels}.TensorCopy.SliceChannelsBlocked(x, y, channels: {step.Axis}, positions: {step.Inner}, start: {step.Start}, length: {step.Length});"
        : $"{Kernels}.TensorCopy.Slice(x, y, outer: {step.Outer}, axis: {step.Axis}, inner: {step.Inner}, start: {step.Start}, length: {step.Length});");

    private static void EmitLayerNorm(SourceWriter w, LayerNormStep step)
    {
        string weight = step.Affine ? $"_weights.{WeightsField(step, "Weight")}" : $"{ReadOnlySpan}.Empty";
        string bias = step.Bias ? $"_weights.{WeightsField(step, "Bias")}" : $"{ReadOnlySpan}.Empty";
        w.Line($"{Kernels}.LayerNormalization.Forward(x, y, {weight}, {bias}, outer: {step.Outer}, axis: {step.Axis}, inner: {step.Inner}, eps: {Float(step.Eps)});");
    }

    private static void EmitConcat(SourceWriter w, ConcatStep step)
    {
        int offset = 0;
        (int total, int positions) = step.Output.Planes;
        for (int i = 0; i < step.Inputs.Count; i++)
        {
            int channels = step.Inputs[i].Planes.Channels;
            w.Line($"{Kernels}.ElementwiseOps.CopyChannels(x{i}, y, {Kernels}.TensorLayout.{step.Output.Layout}, channelOffset: {offset}, partChannels: {channels}, totalChannels: {total}, positions: {positions});");
            offset += channels;
        }
    }

    private static void EmitSoftmax(SourceWriter w, SoftmaxStep step) =>
        w.Line($"{Kernels}.Softmax.{(step.Log ? "LogForward" : "Forward")}(x, y, outer: {step.Outer}, axis: {step.Axis}, inner: {step.Inner});");

    private static void EmitPad(SourceWriter w, PadStep step) =>
        w.Line($"{Kernels}.Pad2d.Forward(x, y, {step.Channels}, {step.Height}, {step.Width}, {step.Left}, {step.Right}, {step.Top}, {step.Bottom}, {Kernels}.PaddingMode.{Pascal(step.Mode)});");

    private static void EmitUpsample(SourceWriter w, UpsampleStep step)
    {
        string sizes = $"channels: {step.Channels}, inHeight: {step.InHeight}, inWidth: {step.InWidth}, outHeight: {step.OutHeight}, outWidth: {step.OutWidth}";
        // PyTorch maps coordinates with 1/scale_factor when one was given, else in/out: pass what was written.
        string scales = $"scaleHeight: {Double(step.ScaleHeight)}, scaleWidth: {Double(step.ScaleWidth)}";
        w.Line(step.Bilinear
            ? $"{Kernels}.Upsample.Bilinear(x, y, {sizes}, alignCorners: {Bool(step.AlignCorners)}, {scales});"
            : $"{Kernels}.Upsample.Nearest(x, y, {sizes}, {scales});");
    }

    private static void EmitChannelShuffle(SourceWriter w, ChannelShuffleStep step) =>
        w.Line($"{Kernels}.ChannelShuffle.Forward(x, y, channels: {step.Channels}, groups: {step.Groups}, spatial: {step.Spatial});");

    private static void EmitReorder(SourceWriter w, ReorderStep step) => w.Line(step.To == TensorLayout.Blocked16
        ? $"{Kernels}.Blocked16.FromChw(x, y, channels: {step.Channels}, positions: {step.Positions});"
        : $"{Kernels}.Blocked16.ToChw(x, y, channels: {step.Channels}, positions: {step.Positions});");

    private static string Bool(bool value) => value ? "true" : "false";

    private static string Pascal(string mode) => mode.Length == 0 ? mode : char.ToUpperInvariant(mode[0]) + mode.Substring(1);

    /// <summary>The static geometry a step's kernel reads (and Load packs weights for), spelled out field by field.</summary>
    private static void WriteGeometries(SourceWriter w, ExecutionPlan plan)
    {
        foreach (PlanStep step in plan.Steps)
        {
            switch (step)
            {
                case PointwiseDepthwiseStep s:
                    WriteConv2dGeometry(w, GeometryField(step, "Pointwise"), s.Pointwise.Geometry);
                    WriteConv2dGeometry(w, GeometryField(step, "Depthwise"), s.Depthwise.Geometry);
                    break;
                case ConvolutionStep { Geometry: var g }:
                    WriteConv2dGeometry(w, GeometryField(step), g);
                    break;
                case TransposedConvolutionStep { Geometry: var g }:
                    WriteConvGeometry(w, GeometryField(step), "ConvTranspose2dGeometry", g.InChannels, g.InHeight, g.InWidth, g.OutChannels, g.OutHeight, g.OutWidth,
                        g.KernelHeight, g.KernelWidth, g.StrideHeight, g.StrideWidth, g.PadTop, g.PadLeft, g.DilationHeight, g.DilationWidth, g.Groups);
                    break;
                case PoolStep { Geometry: var g }:
                    WritePoolGeometry(w, step, g);
                    break;
                case MaxPoolIndicesStep { Geometry: var g }:
                    WritePoolGeometry(w, step, g);
                    break;
                default:
                    continue;
            }
            w.Line();
        }
    }

    private static void WritePoolGeometry(SourceWriter w, PlanStep step, Pool2dGeometry g)
    {
        w.Line($"private static readonly {Kernels}.Pool2dGeometry {GeometryField(step)} = new {Kernels}.Pool2dGeometry(");
        w.Line($"    Channels: {g.Channels}, InHeight: {g.InHeight}, InWidth: {g.InWidth}, OutHeight: {g.OutHeight}, OutWidth: {g.OutWidth},");
        w.Line($"    KernelHeight: {g.KernelHeight}, KernelWidth: {g.KernelWidth}, StrideHeight: {g.StrideHeight}, StrideWidth: {g.StrideWidth},");
        w.Line($"    PadHeight: {g.PadHeight}, PadWidth: {g.PadWidth}, DilationHeight: {g.DilationHeight}, DilationWidth: {g.DilationWidth});");
    }

    private static void WriteConv2dGeometry(SourceWriter w, string field, in Conv2dGeometry g) =>
        WriteConvGeometry(w, field, "Conv2dGeometry", g.InChannels, g.InHeight, g.InWidth, g.OutChannels, g.OutHeight, g.OutWidth,
            g.KernelHeight, g.KernelWidth, g.StrideHeight, g.StrideWidth, g.PadTop, g.PadLeft, g.DilationHeight, g.DilationWidth, g.Groups);

    private static void WriteConvGeometry(SourceWriter w, string field, string type, int inChannels, int inHeight, int inWidth,
        int outChannels, int outHeight, int outWidth, int kernelHeight, int kernelWidth, int strideHeight, int strideWidth,
        int padTop, int padLeft, int dilationHeight, int dilationWidth, int groups)
    {
        w.Line($"private static readonly {Kernels}.{type} {field} = new {Kernels}.{type}(");
        w.Line($"    InChannels: {inChannels}, InHeight: {inHeight}, InWidth: {inWidth}, OutChannels: {outChannels}, OutHeight: {outHeight}, OutWidth: {outWidth},");
        w.Line($"    KernelHeight: {kernelHeight}, KernelWidth: {kernelWidth}, StrideHeight: {strideHeight}, StrideWidth: {strideWidth}, PadTop: {padTop}, PadLeft: {padLeft},");
        w.Line($"    DilationHeight: {dilationHeight}, DilationWidth: {dilationWidth}, Groups: {groups});");
    }

    private static void WriteWeightsClass(SourceWriter w, ExecutionPlan plan)
    {
        w.Line("/// <summary>The weights after load: packed for the kernels, BatchNorm folded. Shared by clones; never written after Load.</summary>");
        w.Open("private sealed class LoadedWeights");
        foreach (PlanStep step in plan.Steps)
        {
            // Every array Load makes (packed weights, biases, scales, tensors) at a 64-byte boundary of a pinned array
            // (AlignedWeights, assigned from the array; the kernels take it as a span).
            foreach (string field in WeightFields(step))
                w.Line($"public {Kernels}.AlignedWeights {WeightsField(step, field)} = {Kernels}.AlignedWeights.Empty;");
        }
        w.Close();
    }

    private static IEnumerable<string> WeightFields(PlanStep step) => step switch
    {
        // The blocked kernels pack the bias with the weights.
        ConvolutionStep { Tile: not null } or ConvolutionStep { Algorithm: ConvAlgorithm.Depthwise or ConvAlgorithm.DirectPlanes or ConvAlgorithm.PlaneDepthwise or ConvAlgorithm.WinogradF2 or ConvAlgorithm.WinogradF4 } or LinearStep
            => new[] { "Weights" },
        ConvolutionStep or TransposedConvolutionStep => new[] { "Weights", "Bias" },
        PointwiseDepthwiseStep => new[] { "PointwiseWeights", "DepthwiseWeights" },
        ChannelAffineStep => new[] { "Scale", "Shift" },
        ParameterStep => new[] { "Tensor" },
        PReLUStep => new[] { "Slopes" },
        LayerNormStep { Affine: true, Bias: true } => new[] { "Weight", "Bias" },
        LayerNormStep { Affine: true } => new[] { "Weight" },
        _ => Array.Empty<string>(),
    };

    private static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);
}
