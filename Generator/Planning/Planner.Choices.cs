using ConvGen.Generator.Model;

namespace ConvGen.Generator.Planning;

// Which step runs each group, and in which layouts: one Choose* per kind of layer.
internal static partial class Planner
{
    /// <summary>
    /// The step for a group, given the layouts its inputs are available in (<paramref name="available"/>, one per input);
    /// <paramref name="isOutput"/> when it writes the network output (which must end up CHW).
    /// </summary>
    private static Choice Choose(Group group, IReadOnlyList<TensorLayout> available, bool isOutput)
    {
        AnalyzedLayer layer = group.Layer;
        LayerGeometry g = layer.Geometry;
        Shape x = layer.InputShape, y = layer.OutputShape;
        (int inH, int inW) = HeightWidth(x);
        (int outH, int outW) = HeightWidth(y);
        var fusion = new Fusion(group.BatchNorm, group.Activation);
        switch (layer.Kind)
        {
            case LayerKind.Conv1d or LayerKind.Conv2d:
                return ChooseConvolution(layer, fusion);
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
                return Chw(new ActivationStep(g.Activation!), group);
            case LayerKind.Add:
                return Chw(new ElementwiseStep(ElementwiseOperation.Add, group.Activation), group);
            case LayerKind.Multiply:
                return Chw(new ElementwiseStep(ElementwiseOperation.Multiply, null), group);
            case LayerKind.Concat:
                return Chw(new ConcatStep(), group);
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
    private static Choice Chw(PlanStep step, Group group, long workspace = 0) =>
        new(step, group.InputValues.Select(_ => TensorLayout.Chw).ToList(), TensorLayout.Chw, workspace);

    /// <summary>
    /// A convolution: reflect/replicate/circular padding becomes a padded copy in scratch and an unpadded convolution;
    /// then the algorithm: depthwise, pointwise GEMM, or a GEMM on shifted views or on im2col columns by the rule the
    /// runtime shares with the generator (<see cref="ConvWorkspace.UsesShiftedViews"/>).
    /// </summary>
    private static Choice ChooseConvolution(AnalyzedLayer layer, Fusion fusion)
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
        }

        Conv2dGeometry g = Geometry(layer);
        ConvAlgorithm algorithm = ChooseAlgorithm(g);
        long workspace = algorithm switch
        {
            ConvAlgorithm.Im2ColGemm => ConvWorkspace.Im2ColLength(g.InChannels, g.InHeight, g.InWidth, g.OutHeight, g.OutWidth,
                g.KernelHeight, g.KernelWidth, g.StrideHeight, g.StrideWidth, g.PadTop, g.PadLeft, g.Groups),
            ConvAlgorithm.ShiftedGemm => ConvWorkspace.ShiftedLength(g.InChannels, g.InHeight, g.InWidth, g.OutChannels, g.OutHeight, g.OutWidth,
                g.KernelHeight, g.KernelWidth, g.StrideHeight, g.StrideWidth, g.PadTop, g.PadLeft, g.DilationHeight, g.DilationWidth, g.Groups),
            _ => 0,
        };
        return new Choice(new ConvolutionStep(g, algorithm, fusion, prePad), new[] { TensorLayout.Chw }, TensorLayout.Chw, workspace, prePadLength);
    }

    internal static ConvAlgorithm ChooseAlgorithm(Conv2dGeometry g)
    {
        if (g.Groups > 1 && g.IsDepthwise) return ConvAlgorithm.Depthwise;
        if (g.IsPointwise) return ConvAlgorithm.PointwiseGemm;
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
