using ConvGen.Generator.Model;

namespace ConvGen.Generator.Planning;

// Which step runs each group, and in which layouts: one Choose* per kind of layer.
internal static partial class Planner
{
    /// <summary>The step for a group, given its inputs as they are available (shape and layout, one per input).</summary>
    private static Choice Choose(Group group, IReadOnlyList<Value> inputs)
    {
        TensorLayout[] available = inputs.Select(v => v.Layout).ToArray();
        AnalyzedLayer layer = group.Layer;
        LayerGeometry g = layer.Geometry;
        Shape x = layer.InputShape, y = layer.OutputShape;
        (int inH, int inW) = HeightWidth(x);
        (int outH, int outW) = HeightWidth(y);
        var fusion = new Fusion(group.BatchNorm, group.Activation);
        switch (layer.Kind)
        {
            case LayerKind.Conv1d or LayerKind.Conv2d:
                return ChooseConvolution(layer, fusion, inputs[0].Layout, group.ResidualAdd is not null);
            case LayerKind.ConvTranspose1d or LayerKind.ConvTranspose2d:
                {
                    TransposedConvGeometry geometry = new(g.InChannels, inH, inW, g.OutChannels, outH, outW, g.KernelH, g.KernelW, g.StrideH, g.StrideW,
                        g.PadTop, g.PadLeft, g.DilationH, g.DilationW, g.Groups);
                    return Chw(new TransposedConvolutionStep(geometry, fusion), group, TransposedWorkspaceLength(geometry));
                }
            case LayerKind.Linear:
                return Chw(new LinearStep(g.Outer, g.InChannels, g.OutChannels, g.Bias, fusion), group);
            case LayerKind.MaxPool1d or LayerKind.MaxPool2d or LayerKind.AvgPool1d or LayerKind.AvgPool2d:
                {
                    var geometry = new PoolGeometry(g.InChannels, inH, inW, outH, outW, g.KernelH, g.KernelW, g.StrideH, g.StrideW, g.PadTop, g.PadLeft, g.DilationH, g.DilationW);
                    return Chw(new PoolStep(geometry, layer.Kind.IsMaxPool(), g.CountIncludePad, g.DivisorOverride), group);
                }
            case LayerKind.AdaptiveAvgPool1d or LayerKind.AdaptiveAvgPool2d or LayerKind.AdaptiveMaxPool1d or LayerKind.AdaptiveMaxPool2d:
                {
                    bool max = layer.Kind is LayerKind.AdaptiveMaxPool1d or LayerKind.AdaptiveMaxPool2d;
                    return Chw(new AdaptivePoolStep(max, x[0], inH, inW, outH, outW), group);
                }
            case LayerKind.BatchNorm1d or LayerKind.BatchNorm2d:
                return Chw(new ChannelAffineStep(x[0], x.Spatial, group.Activation), group);
            case LayerKind.Activation:
                return ElementwiseIn(available, new ActivationStep(g.Activation!), group, g.Activation);
            case LayerKind.Add:
                return ElementwiseIn(available, new ElementwiseStep(ElementwiseOperation.Add, group.Activation), group, group.Activation);
            case LayerKind.Multiply:
                return ElementwiseIn(available, new ElementwiseStep(ElementwiseOperation.Multiply, null), group, null);
            case LayerKind.Concat:
                {
                    // Blocked tensors concatenate block by block when every input but the last fills its blocks.
                    bool blocked = available.All(l => l == TensorLayout.Blocked16)
                        && inputs.Take(inputs.Count - 1).All(v => v.Shape[0] % Blocked16.Lanes == 0);
                    return blocked ? Same(new ConcatStep(), group, TensorLayout.Blocked16) : Chw(new ConcatStep(), group);
                }
            case LayerKind.Softmax or LayerKind.LogSoftmax:
                return Chw(new SoftmaxStep(layer.Kind == LayerKind.LogSoftmax, g.Outer, g.Axis, g.Inner), group);
            case LayerKind.ZeroPad2d or LayerKind.ReflectionPad2d or LayerKind.ReplicationPad2d:
                {
                    string mode = layer.Kind switch { LayerKind.ReflectionPad2d => "reflect", LayerKind.ReplicationPad2d => "replicate", _ => "zeros" };
                    return Chw(new PadStep(x[0], x[1], x[2], g.PadLeft, g.PadRight, g.PadTop, g.PadBottom, mode), group);
                }
            case LayerKind.Upsample:
                return Chw(new UpsampleStep(g.Mode == "bilinear", g.AlignCorners, x[0], inH, inW, outH, outW, g.ScaleH, g.ScaleW), group);
            case LayerKind.ChannelShuffle:
                return Chw(new ChannelShuffleStep(x[0], g.Groups, x.Spatial), group);
            default:
                // The copy of a network that computes nothing (only no-op layers).
                if (group.Layer.Kind.IsNoOp()) return Chw(new CopyStep(), group);
                throw new InvalidOperationException($"no step for {layer.Kind}: every analysed layer kind must have one");
        }
    }

    /// <summary>A step that reads and writes CHW only.</summary>
    private static Choice Chw(PlanStep step, Group group, long workspace = 0) => Same(step, group, TensorLayout.Chw, workspace);

    /// <summary>A step that reads every input and writes its output in one layout.</summary>
    private static Choice Same(PlanStep step, Group group, TensorLayout layout, long workspace = 0) =>
        new(step, group.InputValues.Select(_ => layout).ToList(), layout, workspace);

    /// <summary>
    /// An element-wise step runs in the layout most of its inputs have (CHW on a tie: what most other layers read): on
    /// blocked tensors it also computes the padding lanes, which stay zero only if the activation keeps zero at zero.
    /// </summary>
    private static Choice ElementwiseIn(TensorLayout[] available, PlanStep step, Group group, ActivationUse? activation) =>
        2 * available.Count(l => l == TensorLayout.Blocked16) > available.Length && (activation is null || activation.Definition.ZeroAtZero)
            ? Same(step, group, TensorLayout.Blocked16)
            : Chw(step, group);

    /// <summary>
    /// A convolution. Reflect/replicate/circular padding becomes a padded CHW copy in scratch and an unpadded
    /// convolution. Then the layout: blocked output (channels on the lanes, the direct or pointwise register tile)
    /// wherever the output channels fill most of their blocks and the blocked kernel takes the geometry; otherwise
    /// CHW with the GEMM forms (positions on the lanes), which suit wide maps with few channels.
    /// </summary>
    private static Choice ChooseConvolution(AnalyzedLayer layer, Fusion fusion, TensorLayout available, bool residual)
    {
        PrePadding? prePad = null;
        LayerGeometry c = layer.Geometry;
        long prePadLength = 0;
        if (c.PaddingMode != "zeros")
        {
            Shape x = layer.InputShape;
            Shape padded = x.Rank == 3
                ? Shape.Of(x[0], x[1] + c.PadTop + c.PadBottom, x[2] + c.PadLeft + c.PadRight)
                : Shape.Of(x[0], x[1] + c.PadLeft + c.PadRight);
            prePad = new PrePadding(x, c.PadLeft, c.PadRight, c.PadTop, c.PadBottom, c.PaddingMode);
            prePadLength = padded.Elements;
            layer = layer with { InputShape = padded, Geometry = c with { PadTop = 0, PadBottom = 0, PadLeft = 0, PadRight = 0, PaddingMode = "zeros" } };
            available = TensorLayout.Chw;
        }

        Conv2dGeometry g = Geometry(layer);
        if (BlockedInput(g, available, prePad is null) is { } input)
        {
            TensorLayout[] inputs = residual ? new[] { input, TensorLayout.Blocked16 } : new[] { input };
            if (g.IsPointwise && PointwiseConv2d.Rejects(g, input) is null)
            {
                var step = new ConvolutionStep(g, ConvAlgorithm.Pointwise, PointwiseConv2d.ChooseTile(g), fusion, residual, prePad);
                return new Choice(step, inputs, TensorLayout.Blocked16, 0, prePadLength);
            }
            var direct = new ConvolutionStep(g, ConvAlgorithm.Direct, DirectConv2d.ChooseTile(g), fusion, residual, prePad);
            return new Choice(direct, inputs, TensorLayout.Blocked16, DirectConv2d.WorkspaceLength(g, input), prePadLength);
        }

        ConvAlgorithm algorithm = ChooseAlgorithm(g);
        long workspace = algorithm switch
        {
            ConvAlgorithm.Im2ColGemm => ConvWorkspace.Im2ColLength(g.InChannels, g.InHeight, g.InWidth, g.OutHeight, g.OutWidth,
                g.KernelHeight, g.KernelWidth, g.StrideHeight, g.StrideWidth, g.PadTop, g.PadLeft, g.Groups),
            ConvAlgorithm.ShiftedGemm => ConvWorkspace.ShiftedLength(g.InChannels, g.InHeight, g.InWidth, g.OutChannels, g.OutHeight, g.OutWidth,
                g.KernelHeight, g.KernelWidth, g.StrideHeight, g.StrideWidth, g.PadTop, g.PadLeft, g.DilationHeight, g.DilationWidth, g.Groups),
            _ => 0,
        };
        // A residual is added by a separate step after these kernels (Lay splits the group).
        var chw = new ConvolutionStep(g, algorithm, null, fusion, false, prePad);
        return new Choice(chw, new[] { TensorLayout.Chw }, TensorLayout.Chw, workspace, prePadLength);
    }

    /// <summary>Most lanes of the output blocks must carry channels for the blocked layout to pay (12 of 16, 24 of 32, ...).</summary>
    internal const double BlockedMinimumLaneUse = 0.75;

    /// <summary>
    /// The input layout the blocked direct convolution reads for <paramref name="g"/>, or null when the layer runs CHW:
    /// the layout the input is available in if the kernel takes it, else blocked (one reorder) if
    /// <paramref name="mayReorder"/>; null when the output channels would leave too many lanes empty.
    /// </summary>
    private static TensorLayout? BlockedInput(in Conv2dGeometry g, TensorLayout available, bool mayReorder)
    {
        if ((double)g.OutChannels / Blocked16.PaddedChannels(g.OutChannels) < BlockedMinimumLaneUse) return null;
        if (DirectConv2d.Rejects(g, available) is null) return available;
        if (mayReorder && available != TensorLayout.Blocked16 && DirectConv2d.Rejects(g, TensorLayout.Blocked16) is null) return TensorLayout.Blocked16;
        return null;
    }

    /// <summary>The CHW algorithm for <paramref name="g"/>.</summary>
    internal static ConvAlgorithm ChooseAlgorithm(Conv2dGeometry g)
    {
        if (g.Groups > 1 && g.IsDepthwise) return ConvAlgorithm.DepthwisePlanes;
        if (g.IsPointwise) return ConvAlgorithm.PointwisePlanes;
        return ConvWorkspace.UsesShiftedViews(g.OutChannels / g.Groups, g.OutHeight, g.OutWidth, g.KernelHeight, g.KernelWidth, g.StrideWidth, g.DilationWidth)
            ? ConvAlgorithm.ShiftedGemm : ConvAlgorithm.Im2ColGemm;
    }

    /// <summary>A convolution layer's geometry in numbers (its input shape already the padded one for a pre-padded layer).</summary>
    internal static Conv2dGeometry Geometry(AnalyzedLayer layer)
    {
        LayerGeometry g = layer.Geometry;
        (int inH, int inW) = HeightWidth(layer.InputShape);
        (int outH, int outW) = HeightWidth(layer.OutputShape);
        return new Conv2dGeometry(g.InChannels, inH, inW, g.OutChannels, outH, outW, g.KernelH, g.KernelW, g.StrideH, g.StrideW,
            g.PadTop, g.PadLeft, g.DilationH, g.DilationW, g.Groups);
    }

    /// <summary>
    /// The col2im columns of one group of a transposed convolution: (out/groups)·kh·kw rows of in_h·in_w, as
    /// ConvGen.Runtime's ConvTranspose2d.WorkspaceLength returns.
    /// </summary>
    internal static long TransposedWorkspaceLength(TransposedConvGeometry g) => (long)(g.OutChannels / g.Groups) * g.KernelHeight * g.KernelWidth * g.InHeight * g.InWidth;

    private static (int H, int W) HeightWidth(Shape s) => s.Rank == 3 ? (s[1], s[2]) : (1, s[s.Rank - 1]);
}
