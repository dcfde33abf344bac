using ConvGen.Generator.Model;

namespace ConvGen.Generator.Planning;

/// <summary>
/// Turns an analysed network into the steps of Run, in four passes: <see cref="Fuse"/> groups each producer with the
/// BatchNorm and activation after it; <see cref="Lay"/> decides every tensor's layout and every step's kernel,
/// algorithm and scratch, inserting a reorder wherever a reader needs another layout than its producer wrote;
/// <see cref="FusePointwiseDepthwise"/> joins a pointwise step and the depthwise step reading its large output;
/// <see cref="Allocate"/> decides in-place steps and lays every tensor out in one scratch arena sized at compile time,
/// reusing memory once a tensor is dead. Every decision ends up as data in a <see cref="PlanStep"/> record; the
/// emitter only prints them.
/// </summary>
internal static partial class Planner
{
    /// <summary>Floats per alignment unit of arena offsets (64 bytes: one AVX-512 vector, one cache line).</summary>
    internal const int Alignment = 16;

    /// <summary>A tensor of Run: its shape as produced and, once decided, its layout.</summary>
    private sealed class Value(Shape shape)
    {
        public Shape Shape { get; } = shape;
        public TensorLayout Layout { get; set; }
        public long Length => LengthOf(Shape, Layout);
    }

    /// <summary>Declared layers that become one step: a producer and what is fused into it.</summary>
    private sealed class Group
    {
        /// <summary>The computing layer (a convolution rewritten to absorb a ZeroPad2d before it).</summary>
        public AnalyzedLayer Layer = null!;
        public List<AnalyzedLayer> Layers = new();
        public AnalyzedLayer? BatchNorm;
        /// <summary>A residual Add fused into a convolution's store: it reads InputValues[1].</summary>
        public AnalyzedLayer? ResidualAdd;
        public ActivationUse? Activation;
        public List<int> InputValues = new();
        public int OutputValue;
        /// <summary>A MaxPool2d's indices, when a MaxUnpool2d reads them: a second value the step writes (else -1).</summary>
        public int IndicesValue = -1;
        /// <summary>The shapes the layer reads (a value's own shape may differ: a Flatten relabels it); empty when they are the values'.</summary>
        public List<Shape> InputShapes = new();
        /// <summary>A MaxPool2d(2) after the convolution and its activation, pooled in the store (Lay splits it off when the kernel cannot).</summary>
        public AnalyzedLayer? Pool;
    }

    /// <summary>A step before memory is placed: the record without buffers, and the values it reads and writes.</summary>
    private sealed class Draft
    {
        public PlanStep Step = null!;
        public List<int> InputValues = new();
        public int OutputValue;
        public long WorkspaceLength;
        /// <summary>The value of the step's <see cref="PlanStep.SecondOutput"/>, or -1.</summary>
        public int SecondOutputValue = -1;
    }

    public static ExecutionPlan Plan(AnalyzedNetwork network)
    {
        var values = new List<Value> { new(network.InputShape) };
        (List<Group> groups, int outputValue) = Fuse(network, values);
        List<Draft> drafts = Lay(network, groups, values, ref outputValue);
        drafts = FusePointwiseDepthwise(drafts, values, outputValue);
        return Allocate(network, drafts, values, outputValue);
    }

    // ---------------------------------------------------------------------------------------------------- fusion

    /// <summary>
    /// Groups the declared layers into steps: a ZeroPad2d into the convolution after it, a BatchNorm folded into the
    /// convolution or linear layer before it, an activation into the store of the producer before it, while each
    /// next layer reads only the previous one and nothing else reads what it replaces. No-op layers (Flatten,
    /// Dropout, Identity) alias their input. Values: 0 is the network input; each group adds one.
    /// </summary>
    private static (List<Group> Groups, int OutputValue) Fuse(AnalyzedNetwork network, List<Value> values)
    {
        IReadOnlyList<AnalyzedLayer> layers = network.Layers;
        var uses = new Dictionary<int, int> { [-1] = 0 };
        foreach (AnalyzedLayer layer in layers)
        {
            uses[layer.Index] = 0;
            foreach (int input in layer.Inputs) uses[input]++;
        }
        uses[network.OutputLayer]++;

        var valueOf = new Dictionary<int, int> { [-1] = 0 };
        // MaxPool2d layers whose indices an unpool reads (Inputs[1]), and the value holding those indices.
        var indexedPools = new HashSet<int>(layers.Where(l => l.Kind == LayerKind.MaxUnpool2d).Select(l => l.Inputs[1]));
        var indicesOf = new Dictionary<int, int>();
        var groups = new List<Group>();
        for (int i = 0; i < layers.Count; i++)
        {
            AnalyzedLayer layer = layers[i];
            if (layer.Kind.IsNoOp())
            {
                valueOf[layer.Index] = valueOf[layer.Inputs[0]];
                continue;
            }

            var group = new Group();
            // A ZeroPad2d feeding a convolution becomes that convolution's (possibly asymmetric) padding: the kernels
            // read out-of-range taps as zeros, so no padded copy is made (Keras "same" padding ported to PyTorch).
            if (layer.Kind == LayerKind.ZeroPad2d && Next(layers, i) is { Kind: LayerKind.Conv2d } conv && conv.Geometry.PaddingMode == "zeros"
                && ReadsOnly(conv, layer) && uses[layer.Index] == 1)
            {
                group.Layers.Add(layer);
                LayerGeometry p = layer.Geometry, c = conv.Geometry;
                layer = conv with
                {
                    Inputs = layer.Inputs,
                    InputShape = layer.InputShape,
                    Geometry = c with { PadTop = c.PadTop + p.PadTop, PadBottom = c.PadBottom + p.PadBottom, PadLeft = c.PadLeft + p.PadLeft, PadRight = c.PadRight + p.PadRight },
                };
                i++;
            }
            group.Layer = layer;
            group.Layers.Add(layer);
            AnalyzedLayer last = layer;

            if (CanFoldBatchNorm(layer) && Next(layers, i) is { } bn && bn.Kind.IsBatchNorm() && ReadsOnly(bn, last) && uses[last.Index] == 1
                && bn.OutputShape == layer.OutputShape)
            {
                group.BatchNorm = bn;
                group.Layers.Add(bn);
                last = bn;
                i++;
            }
            // A residual Add right after a convolution (ResNet: relu(bn(conv(x)) + skip)) is added as the tile stores;
            // Lay splits it off again when the chosen kernel has no residual epilogue.
            int residual = -2;
            if (layer.Kind is LayerKind.Conv1d or LayerKind.Conv2d && Next(layers, i) is { Kind: LayerKind.Add } add && add.Inputs.Count == 2
                && add.Inputs[0] != add.Inputs[1] && add.Inputs.Contains(last.Index) && uses[last.Index] == 1
                && add.Geometry.Scalar is null && add.Inputs.All(input => ShapeOf(network, input) == add.OutputShape))
            {
                residual = add.Inputs[0] == last.Index ? add.Inputs[1] : add.Inputs[0];
                group.ResidualAdd = add;
                group.Layers.Add(add);
                last = add;
                i++;
            }
            if (AcceptsActivation(layer) && Next(layers, i) is { Kind: LayerKind.Activation } act && act.Geometry.Activation!.Definition.Fusable
                && ReadsOnly(act, last) && uses[last.Index] == 1)
            {
                group.Activation = act.Geometry.Activation;
                group.Layers.Add(act);
                last = act;
                i++;
            }
            if (layer.Kind == LayerKind.Conv2d && group.ResidualAdd is null && Next(layers, i) is { } pool && IsMaxPool2x2(pool, last)
                && ReadsOnly(pool, last) && uses[last.Index] == 1 && !indexedPools.Contains(pool.Index))
            {
                group.Pool = pool;
                group.Layers.Add(pool);
                last = pool;
                i++;
            }

            group.InputValues.AddRange(layer.Inputs.Select(input => valueOf[input]));
            if (layer.Kind == LayerKind.MaxUnpool2d) group.InputValues[1] = indicesOf[layer.Inputs[1]];
            group.InputShapes.AddRange(layer.Inputs.Select(input => ShapeOf(network, input)));
            if (group.ResidualAdd is not null) group.InputValues.Add(valueOf[residual]);
            group.OutputValue = values.Count;
            values.Add(new Value(last.OutputShape));
            if (indexedPools.Contains(layer.Index))
            {
                group.IndicesValue = indicesOf[layer.Index] = values.Count;
                values.Add(new Value(layer.OutputShape));
            }
            foreach (AnalyzedLayer f in group.Layers) valueOf[f.Index] = group.OutputValue;
            groups.Add(group);
        }

        int outputValue = valueOf[network.OutputLayer];
        if (outputValue == 0)
        {
            // The network computes nothing (only no-op layers): copy the input to the output.
            AnalyzedLayer lastLayer = layers[layers.Count - 1];
            var copy = new Group { Layer = lastLayer, OutputValue = values.Count };
            copy.Layers.Add(lastLayer);
            copy.InputValues.Add(0);
            values.Add(new Value(network.InputShape));
            groups.Add(copy);
            outputValue = copy.OutputValue;
        }
        return (groups, outputValue);
    }

    /// <summary>
    /// A MaxPool2d with kernel 2, stride 2, no padding or dilation, whose output is exactly half its input (no ceil-mode
    /// window): what a convolution kernel may pool as it stores.
    /// </summary>
    private static bool IsMaxPool2x2(AnalyzedLayer pool, AnalyzedLayer producer)
    {
        if (pool.Kind != LayerKind.MaxPool2d) return false;
        LayerGeometry p = pool.Geometry;
        Shape x = producer.OutputShape, y = pool.OutputShape;
        return p.KernelH == 2 && p.KernelW == 2 && p.StrideH == 2 && p.StrideW == 2 && p.PadTop == 0 && p.PadLeft == 0
            && p.DilationH == 1 && p.DilationW == 1 && x.Rank == 3 && y.Rank == 3 && x[1] % 2 == 0 && x[2] % 2 == 0
            && y[0] == x[0] && y[1] == x[1] / 2 && y[2] == x[2] / 2;
    }

    private static Shape ShapeOf(AnalyzedNetwork network, int layer) => layer < 0 ? network.InputShape : network.Layers.First(l => l.Index == layer).OutputShape;

    private static AnalyzedLayer? Next(IReadOnlyList<AnalyzedLayer> layers, int i) => i + 1 < layers.Count ? layers[i + 1] : null;

    private static bool ReadsOnly(AnalyzedLayer layer, AnalyzedLayer producer) => layer.Inputs.Count == 1 && layer.Inputs[0] == producer.Index;

    // BatchNorm normalises the channel axis (dim 1 with the batch); a Linear's outputs are its last axis, which is the
    // channel axis only when its output is flat.
    private static bool CanFoldBatchNorm(AnalyzedLayer layer) => layer.Kind.IsConvolution() || (layer.Kind == LayerKind.Linear && layer.OutputShape.Rank == 1);

    /// <summary>Layers whose kernel applies an activation as it stores.</summary>
    private static bool AcceptsActivation(AnalyzedLayer layer) => layer.Kind.IsConvolution() || layer.Kind.IsBatchNorm()
        || layer.Kind is LayerKind.Linear or LayerKind.Add or LayerKind.Multiply or LayerKind.Subtract;

    // ---------------------------------------------------------------------------------------------------- layouts

    /// <summary>
    /// Decides, group by group in Run's order, the step that runs it given the layouts its inputs arrive in; reorders
    /// an input (once per value and layout) when the step reads another layout; and makes the network output CHW.
    /// </summary>
    private static List<Draft> Lay(AnalyzedNetwork network, List<Group> groups, List<Value> values, ref int outputValue)
    {
        var drafts = new List<Draft>();
        var reordered = new Dictionary<(int Value, TensorLayout Layout), int>();
        values[0].Layout = TensorLayout.Chw;

        int Reordered(int value, TensorLayout layout, AnalyzedLayer reader)
        {
            if (values[value].Layout == layout) return value;
            if (reordered.TryGetValue((value, layout), out int existing)) return existing;
            Value from = values[value];
            int target = values.Count;
            values.Add(new Value(from.Shape) { Layout = layout });
            (int channels, int positions) = new TensorRef(from.Shape, from.Layout, default).Planes;
            var step = new ReorderStep(from.Layout, layout, channels, positions) { Layer = reader, Layers = EquatableArray.Create(reader) };
            drafts.Add(new Draft { Step = step, InputValues = { value }, OutputValue = target });
            reordered[(value, layout)] = target;
            return target;
        }

        void LayGroup(Group group)
        {
            if (group.Layer.Kind.IsConvolution() && group.Layer.Geometry.PaddingMode != "zeros")
                PadFirst(group);
            Choice choice = Choose(group, group.InputValues.Select(v => values[v]).ToList());
            if (group.Pool is not null)
            {
                if (choice.Step is not ConvolutionStep { Algorithm: ConvAlgorithm.DirectPlanes } planes || PlaneConv2d.PoolRejects(planes.Geometry) is not null)
                {
                    // The kernel chosen cannot pool as it stores: the convolution, then the pool.
                    (Group conv, Group pool) = SplitPool(group, values);
                    LayGroup(conv);
                    LayGroup(pool);
                    return;
                }
                choice = choice with { Step = planes with { PoolsMax2x2 = true } };
            }
            if (group.ResidualAdd is not null && choice.Step is ConvolutionStep { Residual: false })
            {
                // The kernel chosen has no residual epilogue: the convolution, then the Add (with the activation).
                (Group conv, Group sum) = SplitResidual(group, values);
                LayGroup(conv);
                LayGroup(sum);
                return;
            }
            if (group.Activation is { } activation && !AppliesActivation(choice.Step, activation))
            {
                // The kernel chosen cannot apply this activation as it stores: the producer, then the activation.
                (Group producer, Group act) = SplitActivation(group, values);
                LayGroup(producer);
                LayGroup(act);
                return;
            }
            var inputs = group.InputValues.Select((v, i) => Reordered(v, choice.InputLayouts[i], group.Layer)).ToList();
            values[group.OutputValue].Layout = choice.OutputLayout;
            // Indices are written in the values' layout (their reader runs in it: they are never reordered).
            if (group.IndicesValue >= 0) values[group.IndicesValue].Layout = choice.OutputLayout;
            PlanStep step = choice.Step with { Layer = group.Layer, Layers = group.Layers.ToEquatableArray() };
            drafts.Add(new Draft
            {
                Step = step, InputValues = inputs, OutputValue = group.OutputValue, WorkspaceLength = choice.WorkspaceLength,
                SecondOutputValue = group.IndicesValue,
            });
        }

        // Reflect/replicate/circular padding: a pad step writes the padded input (CHW), and the group's convolution
        // becomes the unpadded convolution of it.
        void PadFirst(Group group)
        {
            AnalyzedLayer conv = group.Layer;
            LayerGeometry c = conv.Geometry;
            Shape x = conv.InputShape;
            Shape padded = x.Rank == 3
                ? Shape.Of(x[0], x[1] + c.PadTop + c.PadBottom, x[2] + c.PadLeft + c.PadRight)
                : Shape.Of(x[0], x[1] + c.PadLeft + c.PadRight);
            int input = Reordered(group.InputValues[0], TensorLayout.Chw, conv);
            int target = values.Count;
            values.Add(new Value(padded) { Layout = TensorLayout.Chw });
            (int h, int w) = HeightWidth(x);
            var pad = new PadStep(x[0], h, w, c.PadLeft, c.PadRight, c.PadTop, c.PadBottom, c.PaddingMode) { Layer = conv, Layers = EquatableArray.Create(conv) };
            drafts.Add(new Draft { Step = pad, InputValues = { input }, OutputValue = target });
            group.Layer = conv with { InputShape = padded, Geometry = c with { PadTop = 0, PadBottom = 0, PadLeft = 0, PadRight = 0, PaddingMode = "zeros" } };
            group.InputValues[0] = target;
        }

        foreach (Group group in groups) LayGroup(group);

        // The caller's output span is CHW.
        if (values[outputValue].Layout != TensorLayout.Chw)
            outputValue = Reordered(outputValue, TensorLayout.Chw, groups[groups.Count - 1].Layer);
        return drafts;
    }

    /// <summary>A convolution group with a fused MaxPool2d as two: the convolution (and its BatchNorm and activation), then the pool.</summary>
    private static (Group Convolution, Group Pool) SplitPool(Group group, List<Value> values)
    {
        var conv = new Group { Layer = group.Layer, BatchNorm = group.BatchNorm, Activation = group.Activation, OutputValue = values.Count };
        conv.Layers.AddRange(group.Layers.Take(group.Layers.Count - 1));
        conv.InputValues.AddRange(group.InputValues);
        conv.InputShapes.AddRange(group.InputShapes);
        values.Add(new Value(group.Layers[group.Layers.Count - 2].OutputShape));
        var pool = new Group { Layer = group.Pool!, OutputValue = group.OutputValue };
        pool.Layers.Add(group.Pool!);
        pool.InputValues.Add(conv.OutputValue);
        return (conv, pool);
    }

    /// <summary>A convolution group with a residual Add as two: the convolution (and its BatchNorm), then the Add and its activation.</summary>
    private static (Group Convolution, Group Sum) SplitResidual(Group group, List<Value> values)
    {
        int at = group.Layers.IndexOf(group.ResidualAdd!);
        var conv = new Group { Layer = group.Layer, BatchNorm = group.BatchNorm, OutputValue = values.Count };
        conv.Layers.AddRange(group.Layers.Take(at));
        conv.InputValues.Add(group.InputValues[0]);
        values.Add(new Value(group.Layers[at - 1].OutputShape));
        var sum = new Group { Layer = group.ResidualAdd!, Activation = group.Activation, OutputValue = group.OutputValue };
        sum.Layers.AddRange(group.Layers.Skip(at));
        sum.InputValues.Add(conv.OutputValue);
        sum.InputValues.Add(group.InputValues[1]);
        return (conv, sum);
    }

    /// <summary>A group whose last layer is a fused activation as two: the producer (and what else is fused into it), then the activation.</summary>
    private static (Group Producer, Group Activation) SplitActivation(Group group, List<Value> values)
    {
        AnalyzedLayer act = group.Layers[group.Layers.Count - 1];
        var producer = new Group { Layer = group.Layer, BatchNorm = group.BatchNorm, ResidualAdd = group.ResidualAdd, OutputValue = values.Count };
        producer.Layers.AddRange(group.Layers.Take(group.Layers.Count - 1));
        producer.InputValues.AddRange(group.InputValues);
        values.Add(new Value(group.Layers[group.Layers.Count - 2].OutputShape));
        var alone = new Group { Layer = act, OutputValue = group.OutputValue };
        alone.Layers.Add(act);
        alone.InputValues.Add(producer.OutputValue);
        return (producer, alone);
    }

    /// <summary>
    /// Whether <paramref name="step"/>'s kernel applies <paramref name="activation"/> as it stores: the channel-blocked
    /// kernels, linear and element-wise steps take any operator struct; the CHW convolutions and the transposed
    /// convolution take an <see cref="ActivationKind"/> with at most one argument (the runtime's one list of them).
    /// </summary>
    internal static bool AppliesActivation(PlanStep step, ActivationUse activation)
    {
        bool epilogue = step is TransposedConvolutionStep
            || step is ConvolutionStep { Algorithm: ConvAlgorithm.Im2ColGemm or ConvAlgorithm.ShiftedGemm or ConvAlgorithm.PointwisePlanes or ConvAlgorithm.DepthwisePlanes };
        return !epilogue || (activation.Arguments.Count <= 1 && Enum.TryParse(activation.RuntimeOperator, out ActivationKind kind) && kind.ToString() == activation.RuntimeOperator);
    }

    /// <summary>What runs a group: the step record (without buffers), the layouts it reads and writes, its scratch.</summary>
    private sealed record Choice(PlanStep Step, IReadOnlyList<TensorLayout> InputLayouts, TensorLayout OutputLayout, long WorkspaceLength = 0);

    /// <summary>Floats of a tensor of <paramref name="shape"/> in <paramref name="layout"/> (blocked: channels padded to whole blocks).</summary>
    internal static long LengthOf(Shape shape, TensorLayout layout)
    {
        if (layout == TensorLayout.Chw || shape.Rank <= 1) return shape.Elements;
        return CheckedSize.Product((shape[0] + 15L) / 16 * 16, shape.Spatial);
    }

    // ------------------------------------------------------------------------------------------------- memory plan

    /// <summary>
    /// Decides in-place steps, gives the output tensor the caller's span, and places every other tensor and
    /// workspace in the arena: a tensor lives from the step that writes it to the last step that reads it, and
    /// two tensors share memory only when those intervals do not meet (greedy by size, then lowest free offset).
    /// </summary>
    private static ExecutionPlan Allocate(AnalyzedNetwork network, List<Draft> drafts, List<Value> valueList, int outputValue)
    {
        int values = valueList.Count;
        var lastUse = new int[values];
        var defined = new int[values];
        defined[0] = -1;
        for (int s = 0; s < drafts.Count; s++)
        {
            defined[drafts[s].OutputValue] = s;
            lastUse[drafts[s].OutputValue] = Math.Max(lastUse[drafts[s].OutputValue], s);
            if (drafts[s].SecondOutputValue is int second and >= 0)
            {
                defined[second] = s;
                lastUse[second] = Math.Max(lastUse[second], s);
            }
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
            for (int i = 0; i < d.InputValues.Count; i++)
            {
                int input = d.InputValues[i];
                if (!d.Step.MayOverwrite(i)) continue;
                int root = Find(input);
                Value a = valueList[input], b = valueList[d.OutputValue];
                if (root == Find(0) || a.Length != b.Length || a.Layout != b.Layout || classLastUse[root] != s) continue;
                // Not when the kernel also reads that memory as an input it may not overwrite (x + conv(x)).
                if (d.InputValues.Where((v, j) => j != i && !d.Step.MayOverwrite(j)).Any(v => Find(v) == root)) continue;
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
            if (c.Key != outputRoot && c.Key != inputRoot) requests.Add((c.Key, valueList[c.Key].Length, c.Value, classLastUse[c.Key]));
        for (int s = 0; s < drafts.Count; s++)
        {
            if (drafts[s].WorkspaceLength > 0) requests.Add((-(s + 1), drafts[s].WorkspaceLength, s, s));
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
        // Beyond int the offsets cannot be written; Limits rejects the network (CG0013) before it is emitted.
        if (arena > int.MaxValue) return new ExecutionPlan(network, EquatableArray<PlanStep>.Empty, arena);

        TensorRef Tensor(int value)
        {
            int root = Find(value);
            Value v = valueList[value];
            int length = (int)v.Length;
            BufferSlice buffer = root == inputRoot ? new BufferSlice(StorageKind.Input, 0, length)
                : root == outputRoot ? new BufferSlice(StorageKind.Output, 0, length)
                : new BufferSlice(StorageKind.Arena, (int)offsets[root], length);
            return new TensorRef(v.Shape, v.Layout, buffer);
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
                SecondOutput = d.SecondOutputValue >= 0 ? Tensor(d.SecondOutputValue) : null,
                Workspace = d.WorkspaceLength > 0 ? new BufferSlice(StorageKind.Arena, (int)offsets[-(s + 1)], (int)d.WorkspaceLength) : null,
            };
            steps.Add(step);
        }
        return new ExecutionPlan(network, steps.ToEquatableArray(), arena);
    }

    private static long Align(long offset) => offset >= CheckedSize.Saturated - Alignment ? CheckedSize.Saturated : (offset + Alignment - 1) / Alignment * Alignment;
}
