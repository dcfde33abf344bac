using ConvGen.Generator.Model;

namespace ConvGen.Generator.Planning;

/// <summary>
/// Turns an analysed network into the steps of Run: fuses each convolution or linear layer with the BatchNorm and
/// activation right after it, decides each step's runtime entry point and algorithm, decides which steps work in
/// place, and lays every tensor out in one scratch arena sized at compile time, reusing memory once a tensor is dead.
/// Every decision ends up as data in a <see cref="PlanStep"/> record; the emitter only prints them.
/// </summary>
internal static class Planner
{
    /// <summary>Floats per alignment unit of arena offsets (64 bytes: one AVX-512 vector, one cache line).</summary>
    internal const int Alignment = 16;

    /// <summary>A step before memory is placed: the record without buffers, and the values it reads and writes.</summary>
    private sealed class Draft
    {
        public PlanStep Step = null!;
        public List<int> InputValues = new();
        public int OutputValue;
        public long WorkspaceLength;
    }

    public static ExecutionPlan Plan(AnalyzedNetwork network)
    {
        IReadOnlyList<AnalyzedLayer> layers = network.Layers;
        var uses = new Dictionary<int, int> { [-1] = 0 };
        foreach (AnalyzedLayer layer in layers)
        {
            uses[layer.Index] = 0;
            foreach (int input in layer.Inputs) uses[input]++;
        }
        uses[network.OutputLayer]++;

        // Values: 0 is the network input; each step adds one. valueOf maps a layer to the value holding its output.
        var valueLength = new List<long> { network.InputShape.Elements };
        var valueOf = new Dictionary<int, int> { [-1] = 0 };
        var drafts = new List<Draft>();

        for (int i = 0; i < layers.Count; i++)
        {
            AnalyzedLayer layer = layers[i];
            if (layer.Kind.IsNoOp())
            {
                valueOf[layer.Index] = valueOf[layer.Inputs[0]];
                continue;
            }

            var fused = new List<AnalyzedLayer>();
            // A ZeroPad2d feeding a convolution becomes that convolution's (possibly asymmetric) padding: the kernels
            // read out-of-range taps as zeros, so no padded copy is made (Keras "same" padding ported to PyTorch).
            if (layer.Kind == LayerKind.ZeroPad2d && Next(layers, i) is { Kind: LayerKind.Conv2d } conv && conv.Geometry.PaddingMode == "zeros"
                && ReadsOnly(conv, layer) && uses[layer.Index] == 1)
            {
                fused.Add(layer);
                LayerGeometry p = layer.Geometry, c = conv.Geometry;
                layer = conv with
                {
                    Inputs = layer.Inputs,
                    InputShape = layer.InputShape,
                    Geometry = c with { PadTop = c.PadTop + p.PadTop, PadBottom = c.PadBottom + p.PadBottom, PadLeft = c.PadLeft + p.PadLeft, PadRight = c.PadRight + p.PadRight },
                };
                i++;
            }
            fused.Add(layer);
            AnalyzedLayer last = layer;

            // Fold a BatchNorm into the weights, then fuse an activation into the store, while each next layer reads
            // only the previous one and nothing else reads what it replaces.
            AnalyzedLayer? batchNorm = null;
            if (CanFoldBatchNorm(layer) && Next(layers, i) is { } bn && bn.Kind.IsBatchNorm() && ReadsOnly(bn, last) && uses[last.Index] == 1
                && bn.OutputShape == layer.OutputShape)
            {
                batchNorm = bn;
                fused.Add(bn);
                last = bn;
                i++;
            }
            ActivationUse? activation = null;
            if (AcceptsActivation(layer) && Next(layers, i) is { Kind: LayerKind.Activation } act && act.Geometry.Activation!.Definition.Fusable
                && ReadsOnly(act, last) && uses[last.Index] == 1)
            {
                activation = act.Geometry.Activation;
                fused.Add(act);
                last = act;
                i++;
            }

            Draft draft = CreateStep(layer, new Fusion(batchNorm, activation));
            draft.Step = draft.Step with { Layer = layer, Layers = fused.ToEquatableArray() };
            draft.InputValues.AddRange(layer.Inputs.Select(input => valueOf[input]));
            draft.OutputValue = valueLength.Count;
            valueLength.Add(last.OutputShape.Elements);
            foreach (AnalyzedLayer f in fused) valueOf[f.Index] = draft.OutputValue;
            drafts.Add(draft);
        }

        int outputValue = valueOf[network.OutputLayer];
        if (outputValue == 0)
        {
            // The network computes nothing (only no-op layers): copy the input to the output.
            AnalyzedLayer lastLayer = layers[layers.Count - 1];
            var copy = new Draft { Step = new CopyStep { Layer = lastLayer, Layers = EquatableArray.Create(lastLayer) }, OutputValue = valueLength.Count };
            copy.InputValues.Add(0);
            valueLength.Add(network.OutputShape.Elements);
            drafts.Add(copy);
            outputValue = copy.OutputValue;
        }

        return Allocate(network, drafts, valueLength, outputValue);
    }

    private static AnalyzedLayer? Next(IReadOnlyList<AnalyzedLayer> layers, int i) => i + 1 < layers.Count ? layers[i + 1] : null;

    private static bool ReadsOnly(AnalyzedLayer layer, AnalyzedLayer producer) => layer.Inputs.Count == 1 && layer.Inputs[0] == producer.Index;

    // BatchNorm normalises the channel axis (dim 1 with the batch); a Linear's outputs are its last axis, which is the
    // channel axis only when its output is flat.
    private static bool CanFoldBatchNorm(AnalyzedLayer layer) => layer.Kind.IsConvolution() || (layer.Kind == LayerKind.Linear && layer.OutputShape.Rank == 1);

    /// <summary>Steps whose kernel applies an activation as it stores.</summary>
    private static bool AcceptsActivation(AnalyzedLayer layer) => layer.Kind.IsConvolution() || layer.Kind.IsBatchNorm()
        || layer.Kind is LayerKind.Linear or LayerKind.Add;

    /// <summary>The step record for a layer (its fusion decided), with the scratch its kernel needs.</summary>
    private static Draft CreateStep(AnalyzedLayer layer, Fusion fusion)
    {
        LayerGeometry g = layer.Geometry;
        Shape x = layer.InputShape, y = layer.OutputShape;
        (int inH, int inW) = HeightWidth(x);
        (int outH, int outW) = HeightWidth(y);
        switch (layer.Kind)
        {
            case LayerKind.Conv1d or LayerKind.Conv2d:
                return Convolution(layer, fusion);
            case LayerKind.ConvTranspose1d or LayerKind.ConvTranspose2d:
                {
                    ConvGeometry geometry = Geometry(layer);
                    return new Draft { Step = new TransposedConvolutionStep(geometry, fusion), WorkspaceLength = TransposedWorkspaceLength(geometry) };
                }
            case LayerKind.Linear:
                return new Draft { Step = new LinearStep(g.Outer, g.InChannels, g.OutChannels, g.Bias, fusion) };
            case LayerKind.MaxPool1d or LayerKind.MaxPool2d or LayerKind.AvgPool1d or LayerKind.AvgPool2d:
                {
                    var geometry = new PoolGeometry(g.InChannels, inH, inW, outH, outW, g.KernelH, g.KernelW, g.StrideH, g.StrideW, g.PadTop, g.PadLeft, g.DilationH, g.DilationW);
                    return new Draft { Step = new PoolStep(geometry, layer.Kind.IsMaxPool(), g.CountIncludePad, g.DivisorOverride) };
                }
            case LayerKind.AdaptiveAvgPool1d or LayerKind.AdaptiveAvgPool2d or LayerKind.AdaptiveMaxPool1d or LayerKind.AdaptiveMaxPool2d:
                {
                    bool max = layer.Kind is LayerKind.AdaptiveMaxPool1d or LayerKind.AdaptiveMaxPool2d;
                    return new Draft { Step = new AdaptivePoolStep(max, x[0], inH, inW, outH, outW) };
                }
            case LayerKind.BatchNorm1d or LayerKind.BatchNorm2d:
                return new Draft { Step = new ChannelAffineStep(x[0], x.Spatial, fusion.Activation) };
            case LayerKind.Activation:
                return new Draft { Step = new ActivationStep(g.Activation!) };
            case LayerKind.Add:
                return new Draft { Step = new ElementwiseStep(ElementwiseOperation.Add, fusion.Activation) };
            case LayerKind.Multiply:
                return new Draft { Step = new ElementwiseStep(ElementwiseOperation.Multiply, null) };
            case LayerKind.Concat:
                return new Draft { Step = new ConcatStep() };
            case LayerKind.Softmax or LayerKind.LogSoftmax:
                return new Draft { Step = new SoftmaxStep(layer.Kind == LayerKind.LogSoftmax, g.Outer, g.Axis, g.Inner) };
            case LayerKind.ZeroPad2d or LayerKind.ReflectionPad2d or LayerKind.ReplicationPad2d:
                {
                    string mode = layer.Kind switch { LayerKind.ReflectionPad2d => "reflect", LayerKind.ReplicationPad2d => "replicate", _ => "zeros" };
                    return new Draft { Step = new PadStep(x[0], x[1], x[2], g.PadLeft, g.PadRight, g.PadTop, g.PadBottom, mode) };
                }
            case LayerKind.Upsample:
                return new Draft { Step = new UpsampleStep(g.Mode == "bilinear", g.AlignCorners, x[0], inH, inW, outH, outW, g.ScaleH, g.ScaleW) };
            case LayerKind.ChannelShuffle:
                return new Draft { Step = new ChannelShuffleStep(x[0], g.Groups, x.Spatial) };
            default:
                throw new InvalidOperationException($"no step for {layer.Kind}: every analysed layer kind must have one");
        }
    }

    /// <summary>
    /// A convolution: reflect/replicate/circular padding becomes a padded copy in scratch and an unpadded convolution;
    /// then the algorithm: depthwise, pointwise GEMM, or a GEMM on shifted views or on im2col columns by the rule the
    /// runtime shares with the generator (<see cref="ConvWorkspace.UsesShiftedViews"/>).
    /// </summary>
    private static Draft Convolution(AnalyzedLayer layer, Fusion fusion)
    {
        PrePadding? prePad = null;
        LayerGeometry c = layer.Geometry;
        if (c.PaddingMode != "zeros")
        {
            Shape x = layer.InputShape;
            Shape padded = x.Rank == 3
                ? Shape.Of(x[0], x[1] + c.PadTop + c.PadBottom, x[2] + c.PadLeft + c.PadRight)
                : Shape.Of(x[0], x[1] + c.PadLeft + c.PadRight);
            prePad = new PrePadding(x, c.PadLeft, c.PadRight, c.PadTop, c.PadBottom, c.PaddingMode, new BufferSlice(StorageKind.Arena, 0, (int)padded.Elements));
            layer = layer with { InputShape = padded, Geometry = c with { PadTop = 0, PadBottom = 0, PadLeft = 0, PadRight = 0, PaddingMode = "zeros" } };
        }

        ConvGeometry g = Geometry(layer);
        ConvAlgorithm algorithm = ChooseAlgorithm(g);
        long workspace = algorithm switch
        {
            ConvAlgorithm.Im2ColGemm => ConvWorkspace.Im2ColLength(g.InChannels, g.InHeight, g.InWidth, g.OutHeight, g.OutWidth,
                g.KernelHeight, g.KernelWidth, g.StrideHeight, g.StrideWidth, g.PadTop, g.PadLeft, g.Groups),
            ConvAlgorithm.ShiftedGemm => ConvWorkspace.ShiftedLength(g.InChannels, g.InHeight, g.InWidth, g.OutChannels, g.OutHeight, g.OutWidth,
                g.KernelHeight, g.KernelWidth, g.StrideHeight, g.StrideWidth, g.PadTop, g.PadLeft, g.DilationHeight, g.DilationWidth, g.Groups),
            _ => 0,
        };
        return new Draft { Step = new ConvolutionStep(g, algorithm, fusion, prePad), WorkspaceLength = workspace };
    }

    internal static ConvAlgorithm ChooseAlgorithm(ConvGeometry g)
    {
        if (g.IsDepthwise) return ConvAlgorithm.Depthwise;
        if (g.IsPointwise) return ConvAlgorithm.PointwiseGemm;
        return ConvWorkspace.UsesShiftedViews(g.OutChannels / g.Groups, g.OutHeight, g.OutWidth, g.KernelHeight, g.KernelWidth, g.StrideWidth, g.DilationWidth)
            ? ConvAlgorithm.ShiftedGemm : ConvAlgorithm.Im2ColGemm;
    }

    /// <summary>A convolution layer's geometry in numbers (its input shape already the padded one for a pre-padded layer).</summary>
    internal static ConvGeometry Geometry(AnalyzedLayer layer)
    {
        LayerGeometry g = layer.Geometry;
        (int inH, int inW) = HeightWidth(layer.InputShape);
        (int outH, int outW) = HeightWidth(layer.OutputShape);
        return new ConvGeometry(g.InChannels, inH, inW, g.OutChannels, outH, outW, g.KernelH, g.KernelW, g.StrideH, g.StrideW,
            g.PadTop, g.PadLeft, g.PadBottom, g.PadRight, g.DilationH, g.DilationW, g.Groups, g.Bias);
    }

    /// <summary>
    /// The col2im columns of one group of a transposed convolution: (out/groups)·kh·kw rows of in_h·in_w, as
    /// ConvGen.Runtime's ConvTranspose2d.WorkspaceLength returns.
    /// </summary>
    internal static long TransposedWorkspaceLength(ConvGeometry g) => (long)(g.OutChannels / g.Groups) * g.KernelHeight * g.KernelWidth * g.InHeight * g.InWidth;

    private static (int H, int W) HeightWidth(Shape s) => s.Rank == 3 ? (s[1], s[2]) : (1, s[s.Rank - 1]);

    /// <summary>
    /// Decides in-place steps, gives the output tensor the caller's span, and places every other tensor and
    /// workspace in the arena: a tensor lives from the step that writes it to the last step that reads it, and
    /// two tensors share memory only when those intervals do not meet (greedy by size, then lowest free offset).
    /// </summary>
    private static ExecutionPlan Allocate(AnalyzedNetwork network, List<Draft> drafts, List<long> valueLength, int outputValue)
    {
        int values = valueLength.Count;
        var lastUse = new int[values];
        var defined = new int[values];
        var shapes = new Shape[values];
        shapes[0] = network.InputShape;
        defined[0] = -1;
        for (int s = 0; s < drafts.Count; s++)
        {
            defined[drafts[s].OutputValue] = s;
            shapes[drafts[s].OutputValue] = drafts[s].Step.OutputShape;
            lastUse[drafts[s].OutputValue] = Math.Max(lastUse[drafts[s].OutputValue], s);
        }
        for (int s = 0; s < drafts.Count; s++)
            foreach (int v in drafts[s].InputValues) lastUse[v] = Math.Max(lastUse[v], s);
        lastUse[outputValue] = drafts.Count;

        // Storage classes: values that share memory (in-place steps). Union-find over values.
        var parent = Enumerable.Range(0, values).ToArray();
        int Find(int v) { while (parent[v] != v) v = parent[v] = parent[parent[v]]; return v; }
        var classLastUse = (int[])lastUse.Clone();

        for (int s = 0; s < drafts.Count; s++)
        {
            Draft d = drafts[s];
            if (!d.Step.MayRunInPlace) continue;
            foreach (int input in d.InputValues)
            {
                int root = Find(input);
                if (root == Find(0) || valueLength[input] != valueLength[d.OutputValue] || classLastUse[root] != s) continue;
                int outRoot = Find(d.OutputValue);
                parent[outRoot] = root;
                classLastUse[root] = Math.Max(classLastUse[root], classLastUse[outRoot]);
                break;
            }
        }

        int inputRoot = Find(0), outputRoot = Find(outputValue);
        var classStart = new Dictionary<int, int>();
        for (int v = 1; v < values; v++)
        {
            int r = Find(v);
            classStart[r] = classStart.TryGetValue(r, out int start) ? Math.Min(start, defined[v]) : defined[v];
        }

        // Intervals to place: arena classes, then per-step workspaces and padded copies.
        var requests = new List<(int Key, long Length, int From, int To)>();
        foreach (KeyValuePair<int, int> c in classStart)
            if (c.Key != outputRoot && c.Key != inputRoot) requests.Add((c.Key, valueLength[c.Key], c.Value, classLastUse[c.Key]));
        for (int s = 0; s < drafts.Count; s++)
        {
            if (drafts[s].WorkspaceLength > 0) requests.Add((-(2 * s + 1), drafts[s].WorkspaceLength, s, s));
            if (drafts[s].Step is ConvolutionStep { PrePad: { } pad }) requests.Add((-(2 * s + 2), pad.Buffer.Length, s, s));
        }

        var offsets = new Dictionary<int, long>();
        var placed = new List<(long Offset, long Length, int From, int To)>();
        long arena = 0;
        foreach (var r in requests.OrderByDescending(r => r.Length).ThenBy(r => r.From).ThenBy(r => r.Key))
        {
            long offset = 0;
            foreach (var p in placed.Where(p => p.From <= r.To && r.From <= p.To).OrderBy(p => p.Offset))
            {
                if (offset + r.Length <= p.Offset) break;
                offset = Math.Max(offset, Align(p.Offset + p.Length));
            }
            placed.Add((offset, r.Length, r.From, r.To));
            offsets[r.Key] = offset;
            arena = Math.Max(arena, offset + r.Length);
        }
        if (arena > int.MaxValue) throw new InvalidOperationException("the network needs more than 2^31 floats of scratch");

        TensorRef Tensor(int value)
        {
            int root = Find(value);
            int length = (int)valueLength[value];
            BufferSlice buffer = root == inputRoot ? new BufferSlice(StorageKind.Input, 0, length)
                : root == outputRoot ? new BufferSlice(StorageKind.Output, 0, length)
                : new BufferSlice(StorageKind.Arena, (int)offsets[root], length);
            return new TensorRef(shapes[value], TensorLayout.Chw, buffer);
        }

        var steps = new List<PlanStep>();
        for (int s = 0; s < drafts.Count; s++)
        {
            Draft d = drafts[s];
            PlanStep step = d.Step with
            {
                Number = s,
                Inputs = d.InputValues.Select(Tensor).ToEquatableArray(),
                Output = Tensor(d.OutputValue),
                Workspace = d.WorkspaceLength > 0 ? new BufferSlice(StorageKind.Arena, (int)offsets[-(2 * s + 1)], (int)d.WorkspaceLength) : null,
            };
            if (step is ConvolutionStep { PrePad: { } pad } conv)
                step = conv with { PrePad = pad with { Buffer = pad.Buffer with { Offset = (int)offsets[-(2 * s + 2)] } } };
            steps.Add(step);
        }
        return new ExecutionPlan(network, steps.ToEquatableArray(), (int)arena);
    }

    private static long Align(long offset) => (offset + Alignment - 1) / Alignment * Alignment;
}
