using ConvGen.Generator.Model;

namespace ConvGen.Generator.Planning;

/// <summary>
/// Turns an analysed network into the steps of Run: fuses each convolution or linear layer with the BatchNorm and
/// activation right after it, picks a kernel per step, decides which steps work in place, and lays every tensor
/// out in one scratch arena sized at compile time, reusing memory once a tensor is dead.
/// </summary>
internal static class Planner
{
    /// <summary>Floats per alignment unit of arena offsets (64 bytes: one AVX-512 vector, one cache line).</summary>
    internal const int Alignment = 16;

    private sealed class Draft
    {
        public KernelKind Kernel;
        public AnalyzedLayer Layer = null!;
        public AnalyzedLayer? BatchNorm;
        public List<AnalyzedLayer> Fused = new();
        public EpilogueSpec Epilogue = EpilogueSpec.None;
        public List<int> InputValues = new();
        public int OutputValue;
        public long WorkspaceLength;
        public PrePadding? PrePad;
        public bool CanRunInPlace;
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

            // A ZeroPad2d feeding a convolution becomes that convolution's (possibly asymmetric) padding: the kernels
            // read out-of-range taps as zeros, so no padded copy is made (Keras "same" padding ported to PyTorch).
            AnalyzedLayer? pad = null;
            if (layer.Kind == LayerKind.ZeroPad2d && Next(layers, i) is { Kind: LayerKind.Conv2d } conv && conv.Geometry.PaddingMode == "zeros"
                && ReadsOnly(conv, layer) && uses[layer.Index] == 1)
            {
                pad = layer;
                LayerGeometry p = layer.Geometry, c = conv.Geometry;
                layer = conv with
                {
                    Inputs = pad.Inputs,
                    InputShape = pad.InputShape,
                    Geometry = c with { PadTop = c.PadTop + p.PadTop, PadBottom = c.PadBottom + p.PadBottom, PadLeft = c.PadLeft + p.PadLeft, PadRight = c.PadRight + p.PadRight },
                };
                i++;
            }

            // Reflect/replicate/circular padding: pad into scratch, then a convolution without padding reads it.
            PrePadding? prePad = null;
            if (layer.Kind is LayerKind.Conv1d or LayerKind.Conv2d && layer.Geometry.PaddingMode != "zeros")
            {
                LayerGeometry c = layer.Geometry;
                Shape x = layer.InputShape;
                prePad = new PrePadding(x, c.PadLeft, c.PadRight, c.PadTop, c.PadBottom, c.PaddingMode);
                Shape padded = x.Rank == 3
                    ? Shape.Of(x[0], x[1] + c.PadTop + c.PadBottom, x[2] + c.PadLeft + c.PadRight)
                    : Shape.Of(x[0], x[1] + c.PadLeft + c.PadRight);
                layer = layer with { InputShape = padded, Geometry = c with { PadTop = 0, PadBottom = 0, PadLeft = 0, PadRight = 0, PaddingMode = "zeros" } };
            }

            var draft = new Draft { Layer = layer, Kernel = ChooseKernel(layer), PrePad = prePad };
            if (pad is not null) draft.Fused.Add(pad);
            draft.Fused.Add(layer);
            draft.InputValues.AddRange(layer.Inputs.Select(input => valueOf[input]));
            AnalyzedLayer last = layer;

            // Fold a BatchNorm into the weights, then fuse an activation into the store, while each next layer
            // reads only the previous one and nothing else reads what it replaces.
            if (CanFoldBatchNorm(layer) && Next(layers, i) is { } bn && bn.Kind.IsBatchNorm() && ReadsOnly(bn, last) && uses[last.Index] == 1
                && bn.OutputShape == layer.OutputShape && FoldsOnChannelAxis(layer))
            {
                draft.BatchNorm = bn;
                draft.Fused.Add(bn);
                last = bn;
                i++;
            }
            if (TakesEpilogue(draft.Kernel) && Next(layers, i) is { } act && IsFusableActivation(act) && ReadsOnly(act, last) && uses[last.Index] == 1)
            {
                draft.Epilogue = EpilogueOf(act);
                draft.Fused.Add(act);
                last = act;
                i++;
            }
            if (draft.Kernel == KernelKind.Activation) draft.Epilogue = EpilogueOf(layer);

            draft.CanRunInPlace = draft.Kernel is KernelKind.Activation or KernelKind.ChannelAffine or KernelKind.Softmax or KernelKind.LogSoftmax
                or KernelKind.Add or KernelKind.Multiply;
            draft.WorkspaceLength = WorkspaceLength(draft);

            draft.OutputValue = valueLength.Count;
            valueLength.Add(last.OutputShape.Elements);
            foreach (AnalyzedLayer fused in draft.Fused) valueOf[fused.Index] = draft.OutputValue;
            drafts.Add(draft);
        }

        int outputValue = valueOf[network.OutputLayer];
        if (outputValue == 0)
        {
            // The network computes nothing (only no-op layers): copy the input to the output.
            AnalyzedLayer lastLayer = layers[layers.Count - 1];
            var copy = new Draft { Kernel = KernelKind.Copy, Layer = lastLayer, OutputValue = valueLength.Count };
            copy.Fused.Add(lastLayer);
            copy.InputValues.Add(0);
            valueLength.Add(network.OutputShape.Elements);
            drafts.Add(copy);
            outputValue = copy.OutputValue;
        }

        return Allocate(network, drafts, valueLength, outputValue);
    }

    private static AnalyzedLayer? Next(IReadOnlyList<AnalyzedLayer> layers, int i) => i + 1 < layers.Count ? layers[i + 1] : null;

    private static bool ReadsOnly(AnalyzedLayer layer, AnalyzedLayer producer) => layer.Inputs.Count == 1 && layer.Inputs[0] == producer.Index;

    private static bool CanFoldBatchNorm(AnalyzedLayer layer) => layer.Kind is LayerKind.Conv1d or LayerKind.Conv2d or LayerKind.ConvTranspose1d or LayerKind.ConvTranspose2d or LayerKind.Linear;

    // BatchNorm normalises the channel axis (dim 1 with the batch); a Linear's outputs are its last axis, which is the
    // channel axis only when its output is flat.
    private static bool FoldsOnChannelAxis(AnalyzedLayer layer) => layer.Kind != LayerKind.Linear || layer.OutputShape.Rank == 1;

    private static bool TakesEpilogue(KernelKind kernel) => kernel is KernelKind.ConvIm2Col or KernelKind.ConvPointwise or KernelKind.ConvDepthwise or KernelKind.ConvTranspose
        or KernelKind.Linear or KernelKind.ChannelAffine or KernelKind.Add;

    private static bool IsFusableActivation(AnalyzedLayer layer) => layer.Kind is LayerKind.ReLU or LayerKind.ReLU6 or LayerKind.LeakyReLU
        or LayerKind.Sigmoid or LayerKind.Tanh or LayerKind.SiLU or LayerKind.Hardswish or LayerKind.GELU;

    private static EpilogueSpec EpilogueOf(AnalyzedLayer activation) => activation.Kind switch
    {
        LayerKind.LeakyReLU => new EpilogueSpec("LeakyReLU", activation.Geometry.Alpha),
        LayerKind.GELU => new EpilogueSpec(activation.Geometry.Mode == "tanh" ? "GELUTanh" : "GELU", 0),
        _ => new EpilogueSpec(activation.Kind.ToString(), 0),
    };

    internal static KernelKind ChooseKernel(AnalyzedLayer layer)
    {
        LayerGeometry g = layer.Geometry;
        switch (layer.Kind)
        {
            case LayerKind.Conv1d or LayerKind.Conv2d:
                if (g.Groups > 1 && g.Groups == g.InChannels && g.OutChannels % g.InChannels == 0) return KernelKind.ConvDepthwise;
                bool unpadded = g.PadTop == 0 && g.PadBottom == 0 && g.PadLeft == 0 && g.PadRight == 0;
                if (g.KernelH == 1 && g.KernelW == 1 && g.StrideH == 1 && g.StrideW == 1 && unpadded) return KernelKind.ConvPointwise;
                return KernelKind.ConvIm2Col;
            case LayerKind.ConvTranspose1d or LayerKind.ConvTranspose2d: return KernelKind.ConvTranspose;
            case LayerKind.Linear: return KernelKind.Linear;
            case LayerKind.MaxPool1d or LayerKind.MaxPool2d: return KernelKind.MaxPool;
            case LayerKind.AvgPool1d or LayerKind.AvgPool2d: return KernelKind.AvgPool;
            case LayerKind.AdaptiveAvgPool1d or LayerKind.AdaptiveAvgPool2d: return KernelKind.AdaptiveAvgPool;
            case LayerKind.AdaptiveMaxPool1d or LayerKind.AdaptiveMaxPool2d: return KernelKind.AdaptiveMaxPool;
            case LayerKind.BatchNorm1d or LayerKind.BatchNorm2d: return KernelKind.ChannelAffine;
            case LayerKind.Add: return KernelKind.Add;
            case LayerKind.Multiply: return KernelKind.Multiply;
            case LayerKind.Concat: return KernelKind.Concat;
            case LayerKind.Softmax: return KernelKind.Softmax;
            case LayerKind.LogSoftmax: return KernelKind.LogSoftmax;
            case LayerKind.ZeroPad2d or LayerKind.ReflectionPad2d or LayerKind.ReplicationPad2d: return KernelKind.Pad;
            case LayerKind.Upsample: return KernelKind.Upsample;
            case LayerKind.ChannelShuffle: return KernelKind.ChannelShuffle;
            default:
                if (layer.Kind.IsActivation()) return KernelKind.Activation;
                throw new InvalidOperationException($"no kernel for {layer.Kind}: every analysed layer kind must have one");
        }
    }

    /// <summary>
    /// The scratch Conv2d.Im2ColGemm needs for this layer (im2col columns or the shifted-view planes of one group),
    /// by the runtime's own rule (ConvWorkspace, shared source); Load checks it again.
    /// </summary>
    internal static long WorkspaceLength(AnalyzedLayer layer)
    {
        LayerGeometry g = layer.Geometry;
        Shape x = layer.InputShape, o = layer.OutputShape;
        int inH = x.Rank == 3 ? x[1] : 1, inW = x[x.Rank - 1], outH = o.Rank == 3 ? o[1] : 1, outW = o[o.Rank - 1];
        return ConvWorkspace.Im2ColLength(g.InChannels, inH, inW, g.OutChannels, outH, outW, g.KernelH, g.KernelW,
            g.StrideH, g.StrideW, g.PadTop, g.PadLeft, g.DilationH, g.DilationW, g.Groups);
    }

    /// <summary>
    /// The col2im columns of one group of a transposed convolution: (out/groups)·kh·kw rows of in_h·in_w, as
    /// ConvGen.Runtime's ConvTranspose2d.WorkspaceLength returns.
    /// </summary>
    internal static long TransposedWorkspaceLength(AnalyzedLayer layer)
    {
        LayerGeometry g = layer.Geometry;
        return CheckedSize.Product(g.OutChannels / g.Groups, g.KernelH, g.KernelW, layer.InputShape.Spatial);
    }

    private static long WorkspaceLength(Draft draft) => draft.Kernel switch
    {
        KernelKind.ConvIm2Col => WorkspaceLength(draft.Layer),
        KernelKind.ConvTranspose => TransposedWorkspaceLength(draft.Layer),
        _ => 0,
    };

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
        defined[0] = -1;
        for (int s = 0; s < drafts.Count; s++)
        {
            defined[drafts[s].OutputValue] = s;
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
            if (!d.CanRunInPlace) continue;
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

        // Intervals to place: arena classes, then per-step workspaces.
        var requests = new List<(int Key, long Length, int From, int To)>();
        foreach (KeyValuePair<int, int> c in classStart)
            if (c.Key != outputRoot && c.Key != inputRoot) requests.Add((c.Key, valueLength[c.Key], c.Value, classLastUse[c.Key]));
        for (int s = 0; s < drafts.Count; s++)
        {
            if (drafts[s].WorkspaceLength > 0) requests.Add((-(2 * s + 1), drafts[s].WorkspaceLength, s, s));
            if (drafts[s].PrePad is not null) requests.Add((-(2 * s + 2), drafts[s].Layer.InputShape.Elements, s, s));
        }

        var offsets = new Dictionary<int, long>();
        var placed = new List<(long Offset, long Length, int From, int To)>();
        long arena = 0;
        foreach (var r in requests.OrderByDescending(r => r.Length).ThenBy(r => r.From).ThenBy(r => r.Key))
        {
            long offset = 0;
            foreach (var p in placed.Where(p => p.From <= r.To && r.From <= p.To).OrderBy(p => p.Offset))
            {
                if (CheckedSize.Add(offset, r.Length) <= p.Offset) break;
                offset = Math.Max(offset, Align(CheckedSize.Add(p.Offset, p.Length)));
            }
            placed.Add((offset, r.Length, r.From, r.To));
            offsets[r.Key] = offset;
            arena = Math.Max(arena, CheckedSize.Add(offset, r.Length));
        }
        if (arena > int.MaxValue) return new ExecutionPlan(network, EquatableArray<PlanStep>.Empty, arena);

        BufferSlice Slice(int value)
        {
            int root = Find(value);
            int length = (int)valueLength[value];
            if (root == inputRoot) return new BufferSlice(StorageKind.Input, 0, length);
            if (root == outputRoot) return new BufferSlice(StorageKind.Output, 0, length);
            return new BufferSlice(StorageKind.Arena, (int)offsets[root], length);
        }

        var steps = new List<PlanStep>();
        for (int s = 0; s < drafts.Count; s++)
        {
            Draft d = drafts[s];
            BufferSlice? workspace = d.WorkspaceLength > 0 ? new BufferSlice(StorageKind.Arena, (int)offsets[-(2 * s + 1)], (int)d.WorkspaceLength) : null;
            BufferSlice? padded = d.PrePad is not null ? new BufferSlice(StorageKind.Arena, (int)offsets[-(2 * s + 2)], (int)d.Layer.InputShape.Elements) : null;
            steps.Add(new PlanStep(s, d.Kernel, d.Layer, d.BatchNorm, d.Fused.ToEquatableArray(), d.Epilogue,
                d.InputValues.Select(Slice).ToEquatableArray(), Slice(d.OutputValue), workspace, padded, d.PrePad));
        }
        return new ExecutionPlan(network, steps.ToEquatableArray(), arena);
    }

    private static long Align(long offset) => offset >= CheckedSize.Saturated - Alignment ? CheckedSize.Saturated : (offset + Alignment - 1) / Alignment * Alignment;
}
