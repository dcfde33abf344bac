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
        Pool2dGeometry Pool() => new(g.InChannels, inH, inW, outH, outW, g.KernelH, g.KernelW, g.StrideH, g.StrideW, g.PadTop, g.PadLeft, g.DilationH, g.DilationW);
        switch (layer.Kind)
        {
            case LayerKind.Conv1d or LayerKind.Conv2d:
                return ChooseConvolution(layer, fusion, inputs[0].Layout, group.ResidualAdd is not null);
            case LayerKind.ConvTranspose1d or LayerKind.ConvTranspose2d:
                {
                    ConvTranspose2dGeometry geometry = new(g.InChannels, inH, inW, g.OutChannels, outH, outW, g.KernelH, g.KernelW, g.StrideH, g.StrideW,
                        g.PadTop, g.PadLeft, g.DilationH, g.DilationW, g.Groups);
                    return Chw(new TransposedConvolutionStep(geometry, fusion), group, geometry.ColumnsLength);
                }
            case LayerKind.Linear:
                {
                    // A Flatten of a blocked map is read as it is, with the weights' columns permuted at load.
                    Value input = inputs[0];
                    bool flattenedMap = input.Layout == TensorLayout.Blocked16 && x.Rank == 1 && input.Shape.Rank > 1;
                    int inFeatures = flattenedMap ? PackedLinear.BlockedInFeatures(input.Shape[0], input.Shape.Spatial) : g.InChannels;
                    var step = new LinearStep(g.Outer, inFeatures, g.OutChannels, fusion);
                    return new Choice(step, new[] { flattenedMap ? TensorLayout.Blocked16 : TensorLayout.Chw }, TensorLayout.Chw);
                }
            case LayerKind.MaxPool2d when group.IndicesValue >= 0:
                // Blocked compares 16 channels per vector; CHW is scalar: the pool follows its input's layout.
                return Same(new MaxPoolIndicesStep(Pool()), group, available[0]);
            case LayerKind.MaxUnpool2d:
                // In the layout its indices were written in; the values are reordered to it if need be.
                return Same(new MaxUnpoolStep(x[0], x.Spatial, y.Spatial), group, available[1]);
            case LayerKind.MaxPool1d or LayerKind.MaxPool2d or LayerKind.AvgPool1d or LayerKind.AvgPool2d:
                return Same(new PoolStep(Pool(), layer.Kind.IsMaxPool(), g.CountIncludePad, g.DivisorOverride), group, available[0]);
            case LayerKind.AdaptiveAvgPool1d or LayerKind.AdaptiveAvgPool2d or LayerKind.AdaptiveMaxPool1d or LayerKind.AdaptiveMaxPool2d:
                {
                    bool max = layer.Kind is LayerKind.AdaptiveMaxPool1d or LayerKind.AdaptiveMaxPool2d;
                    return Same(new AdaptivePoolStep(max, x[0], inH, inW, outH, outW), group, available[0]);
                }
            case LayerKind.BatchNorm1d or LayerKind.BatchNorm2d:
                return Same(new ChannelAffineStep(x[0], x.Spatial, group.Activation), group, FlatIsChw(x, available[0]));
            case LayerKind.Activation:
                return Same(new ActivationStep(g.Activation!), group, available[0]);
            case LayerKind.Add or LayerKind.Multiply or LayerKind.Subtract:
                return ChooseArithmetic(group, inputs);
            case LayerKind.Parameter:
                return Chw(new ParameterStep(), group);
            case LayerKind.PReLU:
                return Same(new PReLUStep(g.LearnedShape[0]), group, FlatIsChw(x, available[0]));
            case LayerKind.Chunk or LayerKind.Split:
                {
                    // A channel range starting on a block of a blocked map is whole blocks; anything else is CHW rows.
                    bool channels = x.Rank >= 2 && g.Outer == 1 && g.Inner == x.Spatial;
                    bool blocked = channels && available[0] == TensorLayout.Blocked16 && g.Start % Blocked16.Lanes == 0;
                    return Same(new SliceStep(g.Outer, g.Axis, g.Inner, g.Start, g.Length, blocked), group, blocked ? TensorLayout.Blocked16 : TensorLayout.Chw);
                }
            case LayerKind.Permute:
                {
                    int[] inStrides = ContiguousStrides(x.Dims.ToArray());
                    int[] order = g.Dims.ToArray();
                    return Chw(new PermuteStep(Pad4(y.Dims.ToArray(), 1), Pad4(order.Select(d => inStrides[d]).ToArray(), 0)), group);
                }
            case LayerKind.LayerNorm or LayerKind.LayerNorm2d:
                return Chw(new LayerNormStep(g.Outer, g.Axis, g.Inner, g.Eps, g.Affine, g.Bias), group);
            case LayerKind.Concat:
                {
                    // Blocked tensors concatenate block by block when every input but the last fills its blocks.
                    bool blocked = Majority(available) == TensorLayout.Blocked16
                        && inputs.Take(inputs.Count - 1).All(v => v.Shape[0] % Blocked16.Lanes == 0);
                    return Same(new ConcatStep(), group, blocked ? TensorLayout.Blocked16 : TensorLayout.Chw);
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

    /// <summary>
    /// Add, Subtract or Multiply, element-wise or with PyTorch's broadcasting and numbers: channel-wise (operands of the
    /// output's shape, one value per channel, or one value; in the layout most full operands have) where every operand is
    /// one of those, else the general strided form on CHW tensors.
    /// </summary>
    private static Choice ChooseArithmetic(Group group, IReadOnlyList<Value> inputs)
    {
        AnalyzedLayer layer = group.Layer;
        Shape y = layer.OutputShape;
        var operation = layer.Kind switch { LayerKind.Add => BinaryOperation.Add, LayerKind.Subtract => BinaryOperation.Subtract, _ => BinaryOperation.Multiply };
        int[] sizes = y.Dims.ToArray();
        var forms = new List<OperandForm?>();
        var strides = new List<Dims4>();
        IReadOnlyList<Shape> shapes = InputShapes(group, inputs);
        for (int k = 0; k < inputs.Count; k++)
        {
            Value v = inputs[k];
            Shape shape = shapes[k];
            // PyTorch aligns shapes from the last dimension; a learned tensor may have one more, leading 1.
            int[] dims = shape.Dims.ToArray();
            int[] aligned = dims.Length > sizes.Length ? dims.Skip(dims.Length - sizes.Length).ToArray()
                : Enumerable.Repeat(1, sizes.Length - dims.Length).Concat(dims).ToArray();
            int[] contiguous = ContiguousStrides(aligned);
            strides.Add(Pad4(aligned.Select((d, i) => d == 1 ? 0 : contiguous[i]).ToArray(), 0));
            bool channelVector = sizes.Length >= 2 && aligned[0] == sizes[0] && aligned.Skip(1).All(d => d == 1)
                && ((v.Shape == shape && v.Shape.Rank == y.Rank) || v.Layout == TensorLayout.Chw);
            forms.Add(shape == y ? OperandForm.Full
                : aligned.All(d => d == 1) ? OperandForm.Single
                : channelVector ? OperandForm.Channel
                : null);
        }
        bool general = forms.Any(f => f is null) || (y.Rank < 2 && forms.Any(f => f == OperandForm.Channel));
        // A relabelled value (a Flatten's or Unflatten's) is read in CHW order.
        TensorLayout layout = general || y.Rank < 2 || inputs.Where((v, i) => v.Shape != shapes[i]).Any() ? TensorLayout.Chw
            : Majority(inputs.Where((_, i) => forms[i] == OperandForm.Full).Select(v => v.Layout).ToArray());
        var operands = forms.Select((f, i) => new ArithmeticOperand(general ? OperandForm.Full : f!.Value, strides[i])).ToEquatableArray();
        var step = new ArithmeticStep(operation, operands, layer.Geometry.Scalar, layer.Geometry.ScalarFirst, general, Pad4(sizes, 1), group.Activation);
        // Full operands in the chosen layout; a per-channel or single operand is read in the layout it has.
        var layouts = inputs.Select((v, i) => general || forms[i] == OperandForm.Full ? layout : v.Layout).ToList();
        return new Choice(step, layouts, layout);
    }

    /// <summary>The shapes a group's layer reads, one per input (the values' own where the group does not say).</summary>
    private static IReadOnlyList<Shape> InputShapes(Group group, IReadOnlyList<Value> inputs) =>
        group.InputShapes.Count == inputs.Count ? group.InputShapes : inputs.Select(v => v.Shape).ToList();

    /// <summary>Row-major strides of a tensor of <paramref name="dims"/>.</summary>
    private static int[] ContiguousStrides(int[] dims)
    {
        var strides = new int[dims.Length];
        int stride = 1;
        for (int i = dims.Length - 1; i >= 0; i--) { strides[i] = stride; stride *= dims[i]; }
        return strides;
    }

    /// <summary>Up to four values, right-aligned, padded in front with <paramref name="fill"/> (sizes 1, strides 0).</summary>
    private static Dims4 Pad4(int[] values, int fill)
    {
        if (values.Length > 4) throw new InvalidOperationException($"{values.Length} dimensions: the broadcast and permute kernels take up to 4");
        int[] v = Enumerable.Repeat(fill, 4 - values.Length).Concat(values).ToArray();
        return new Dims4(v[0], v[1], v[2], v[3]);
    }

    /// <summary>The layout most inputs have (CHW on a tie, what most other layers read): one reorder at most for a pair.</summary>
    private static TensorLayout Majority(TensorLayout[] available) =>
        2 * available.Count(l => l == TensorLayout.Blocked16) > available.Length ? TensorLayout.Blocked16 : TensorLayout.Chw;

    /// <summary>A flat vector of features is CHW: its layers index features, not channels of a map.</summary>
    private static TensorLayout FlatIsChw(Shape x, TensorLayout available) => x.Rank <= 1 ? TensorLayout.Chw : available;

    /// <summary>A step that reads and writes CHW only.</summary>
    private static Choice Chw(PlanStep step, Group group, long workspace = 0) => Same(step, group, TensorLayout.Chw, workspace);

    /// <summary>
    /// A step that reads every input and writes its output in one layout; CHW when the output is a flat vector of
    /// features (a blocked layout orders channels of a map).
    /// </summary>
    private static Choice Same(PlanStep step, Group group, TensorLayout layout, long workspace = 0)
    {
        if (group.Layers[group.Layers.Count - 1].OutputShape.Rank < 2) layout = TensorLayout.Chw;
        return new(step, group.InputValues.Select(_ => layout).ToList(), layout, workspace);
    }


    /// <summary>
    /// A convolution: blocked output (channels on the lanes: the direct or pointwise register tile, depthwise, or
    /// Winograd where it pays) wherever the output channels fill most of their blocks and a blocked kernel takes the
    /// geometry; otherwise CHW with the GEMM forms (positions on the lanes), which suit wide maps with few channels.
    /// </summary>
    private static Choice ChooseConvolution(AnalyzedLayer layer, Fusion fusion, TensorLayout available, bool residual)
    {
        Conv2dGeometry g = Geometry(layer);
        if (FillsBlocks(g.OutChannels) && BlockedConvolution(g, fusion, available, residual) is { } blocked) return blocked;

        ConvAlgorithm algorithm = ChooseAlgorithm(g);
        long workspace = algorithm switch
        {
            ConvAlgorithm.Im2ColGemm => ConvWorkspace.Im2ColLength(g.InChannels, g.InHeight, g.InWidth, g.OutHeight, g.OutWidth,
                g.KernelHeight, g.KernelWidth, g.StrideHeight, g.StrideWidth, g.PadTop, g.PadLeft, g.Groups),
            ConvAlgorithm.DirectPlanes => PlaneConv2d.WorkspaceLength(g),
            ConvAlgorithm.PlaneDepthwise => PlaneDepthwiseConv2d.WorkspaceLength(g),
            ConvAlgorithm.ShiftedGemm => ConvWorkspace.ShiftedLength(g.InChannels, g.InHeight, g.InWidth, g.OutChannels, g.OutHeight, g.OutWidth,
                g.KernelHeight, g.KernelWidth, g.StrideHeight, g.StrideWidth, g.PadTop, g.PadLeft, g.DilationHeight, g.DilationWidth, g.Groups),
            _ => 0,
        };
        // A residual is added by a separate step after these kernels (Lay splits the group).
        var chw = new ConvolutionStep(g, algorithm, null, fusion, false);
        return new Choice(chw, new[] { TensorLayout.Chw }, TensorLayout.Chw, workspace);
    }

    /// <summary>
    /// The blocked kernel for a convolution whose output channels fill their blocks: depthwise (blocked input, reordered
    /// if need be), pointwise, Winograd where its estimate beats the direct tile (stride-1 3×3 on blocked input), else
    /// direct; null when none takes the geometry, or its scratch would not fit the kernels' int sizes (then the CHW
    /// forms, with 64-bit sizes that Limits checks, take it).
    /// </summary>
    private static Choice? BlockedConvolution(Conv2dGeometry g, Fusion fusion, TensorLayout available, bool residual)
    {
        TensorLayout[] Inputs(TensorLayout input) => residual ? new[] { input, TensorLayout.Blocked16 } : new[] { input };
        Choice? Make(ConvAlgorithm algorithm, ConvTile? tile, TensorLayout input, Func<int> workspace) =>
            IntSize(workspace) is { } length ? new Choice(new ConvolutionStep(g, algorithm, tile, fusion, residual), Inputs(input), TensorLayout.Blocked16, length) : null;

        if (g.Groups > 1 && DepthwiseConv2d.Rejects(g) is null)
            return Make(ConvAlgorithm.Depthwise, null, TensorLayout.Blocked16, () => DepthwiseConv2d.WorkspaceLength(g));
        if (BlockedInput(g, available) is not { } input) return null;
        if (g.IsPointwise && PointwiseConv2d.Rejects(g, input) is null)
            return Make(ConvAlgorithm.Pointwise, PointwiseConv2d.ChooseTile(g), input, () => 0);
        if (input == TensorLayout.Blocked16 && WinogradConv2d.ChooseOutputTile(g) is int tile and not 0
            && Make(tile == 4 ? ConvAlgorithm.WinogradF4 : ConvAlgorithm.WinogradF2, null, input, () => WinogradConv2d.WorkspaceLength(g, tile)) is { } winograd)
            return winograd;
        return Make(ConvAlgorithm.Direct, DirectConv2d.ChooseTile(g), input, () => DirectConv2d.WorkspaceLength(g, input));
    }

    /// <summary>Most lanes of the output blocks must carry channels for the blocked layout to pay (12 of 16, 24 of 32, ...).</summary>
    internal const double BlockedMinimumLaneUse = 0.75;

    private static bool FillsBlocks(int channels) => (double)channels / Blocked16.PaddedChannels(channels) >= BlockedMinimumLaneUse;

    /// <summary>
    /// The input layout the blocked direct convolution reads for <paramref name="g"/>, or null when the layer runs CHW:
    /// the layout the input is available in if the kernel takes it, else blocked (one reorder).
    /// </summary>
    private static TensorLayout? BlockedInput(in Conv2dGeometry g, TensorLayout available)
    {
        if (DirectConv2d.Rejects(g, available) is null) return available;
        if (available != TensorLayout.Blocked16 && DirectConv2d.Rejects(g, TensorLayout.Blocked16) is null) return TensorLayout.Blocked16;
        return null;
    }

    /// <summary>
    /// The CHW algorithm for <paramref name="g"/>: depthwise (the register tile wherever it takes the geometry,
    /// PlaneDepthwiseConv2d.Suits: stride 1, rows at least 16 wide; else the runtime-picked forms) or pointwise forms
    /// where they apply; the direct tile with
    /// positions on the lanes where it takes the geometry and uses most of its lanes (PlaneConv2d.Suits: few output
    /// channels make a GEMM's weight panel short, while the direct tile reuses each input vector for three channels);
    /// else the GEMM on shifted views or im2col.
    /// </summary>
    internal static ConvAlgorithm ChooseAlgorithm(Conv2dGeometry g)
    {
        if (g.Groups > 1 && g.IsDepthwise)
            return Takes(PlaneDepthwiseConv2d.Suits(g), () => PlaneDepthwiseConv2d.WorkspaceLength(g), () => PlaneDepthwiseConv2d.PackedLength(g))
                ? ConvAlgorithm.PlaneDepthwise : ConvAlgorithm.DepthwisePlanes;
        if (g.IsPointwise) return ConvAlgorithm.PointwisePlanes;
        if (Takes(PlaneConv2d.Suits(g), () => PlaneConv2d.WorkspaceLength(g), () => PlaneConv2d.PackedLength(g))) return ConvAlgorithm.DirectPlanes;
        return ConvWorkspace.UsesShiftedViews(g.OutChannels / g.Groups, g.OutHeight, g.OutWidth, g.KernelHeight, g.KernelWidth, g.StrideWidth, g.DilationWidth)
            ? ConvAlgorithm.ShiftedGemm : ConvAlgorithm.Im2ColGemm;
    }

    // A CHW kernel takes a geometry when its rule suits it and its workspace and packed weights fit the int sizes it
    // works in (else the runtime-picked or GEMM forms, with 64-bit sizes that Limits checks).
    private static bool Takes(bool suits, Func<int> workspace, Func<int> packed) =>
        suits && IntSize(workspace) is not null && IntSize(packed) is not null;

    /// <summary>A kernel's int size (workspace, packed weights), or null when the geometry is past what it can count.</summary>
    private static int? IntSize(Func<int> size)
    {
        try
        {
            return size();
        }
        catch (Exception e) when (e is ArgumentException or OverflowException)
        {
            return null;
        }
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

    private static (int H, int W) HeightWidth(Shape s) => s.Rank == 3 ? (s[1], s[2]) : s.Rank == 0 ? (1, 1) : (1, s[s.Rank - 1]);
}
