using ConvGen.Generator.Analysis;
using ConvGen.Generator.Model;
using ConvGen.Generator.Planning;
using static ConvGen.Tests.Analysis.Declarations;

namespace ConvGen.Tests.Analysis;

/// <summary>Fusion, kernel choice and the memory plan, without Roslyn.</summary>
public class PlannerTests
{
    private static ExecutionPlan Plan(NetworkDeclaration declaration)
    {
        AnalysisResult result = NetworkAnalyzer.Analyze(declaration);
        Assert.True(result.Network is not null, string.Join("\n", result.Diagnostics));
        return Planner.Plan(result.Network!);
    }

    [Fact]
    public void ConvBatchNormReLUBecomeOneStep()
    {
        ExecutionPlan plan = Plan(Network(new[] { 3, 8, 8 },
            Layer(LayerKind.Conv2d, ("OutChannels", 4), ("KernelSize", 3), ("Padding", 1)), Layer(LayerKind.BatchNorm2d), Activation("ReLU"),
            Layer(LayerKind.MaxPool2d, ("KernelSize", 2)), Activation("ReLU")));
        Assert.Equal(3, plan.Steps.Count);
        ConvolutionStep conv = Assert.IsType<ConvolutionStep>(plan.Steps[0]);
        Assert.Equal(ConvAlgorithm.ShiftedGemm, conv.Algorithm);
        Assert.Null(conv.Tile);
        Assert.Equal(1, conv.Fusion.FoldedBatchNorm?.Index);
        Assert.Equal(new ActivationUse("ReLU", "ReLU", EquatableArray<double>.Empty), conv.Fusion.Activation);
        Assert.Equal(new[] { 0, 1, 2 }, conv.Layers.Select(l => l.Index));
        // The last ReLU cannot fuse into pooling: it runs in place on the output span.
        ActivationStep relu = Assert.IsType<ActivationStep>(plan.Steps[2]);
        Assert.Equal(StorageKind.Output, relu.Inputs[0].Buffer.Storage);
        Assert.Equal(StorageKind.Output, plan.Steps[1].Output.Buffer.Storage);
    }

    [Fact]
    public void NamedOutputIsNotFusedAway()
    {
        ExecutionPlan plan = Plan(Network(new[] { 3, 8, 8 },
            Layer(LayerKind.Conv2d, ("OutChannels", 3), ("KernelSize", 3), ("Padding", 1), ("Name", "c")), Activation("ReLU"),
            Layer(LayerKind.Add, ("Inputs", new[] { "c" }))));
        Assert.Equal(3, plan.Steps.Count);
        Assert.Null(Assert.IsType<ConvolutionStep>(plan.Steps[0]).Fusion.Activation);
    }

    // An inverted-residual block: the expansion, the depthwise, the projection.
    private static LayerDeclaration[] InvertedResidual(int stride, string? expansionName = null) =>
    [
        Layer(LayerKind.Conv2d, ("OutChannels", 192), ("KernelSize", 1), ("Bias", false)),
        Layer(LayerKind.BatchNorm2d), expansionName is null ? Activation("ReLU6") : Activation("ReLU6", ("Name", expansionName)),
        Layer(LayerKind.Conv2d, ("OutChannels", 192), ("KernelSize", 3), ("Stride", stride), ("Padding", 1), ("Groups", 192), ("Bias", false)),
        Layer(LayerKind.BatchNorm2d), Activation("ReLU6"),
        Layer(LayerKind.Conv2d, ("OutChannels", 32), ("KernelSize", 1), ("Bias", false)), Layer(LayerKind.BatchNorm2d),
    ];

    [Fact]
    public void ExpansionAndDepthwiseOnALargeMapBecomeOneStep()
    {
        // A 3x3 convolution writes the blocked map the block reads (a CHW input goes to the pointwise kernel's CHW form).
        ExecutionPlan plan = Plan(Network(new[] { 16, 28, 28 }, [Layer(LayerKind.Conv2d, ("OutChannels", 32), ("KernelSize", 3), ("Padding", 1)), .. InvertedResidual(2)]));
        PointwiseDepthwiseStep fused = Assert.IsType<PointwiseDepthwiseStep>(Assert.Single(plan.Steps, s => s is PointwiseDepthwiseStep));
        Assert.Equal(new[] { 1, 2, 3, 4, 5, 6 }, fused.Layers.Select(l => l.Index));
        Assert.Equal(ConvAlgorithm.Pointwise, fused.Pointwise.Algorithm);
        Assert.Equal(ConvAlgorithm.Depthwise, fused.Depthwise.Algorithm);
        Assert.Equal("ReLU6", fused.Pointwise.Fusion.Activation?.Name);
        Assert.Equal(5, fused.Depthwise.Fusion.FoldedBatchNorm?.Index);
        Assert.Equal(PointwiseDepthwiseConv2d.ChooseTile(fused.Pointwise.Geometry), fused.Tile);
        Assert.Equal(PointwiseDepthwiseConv2d.WorkspaceLength(fused.Pointwise.Geometry, fused.Depthwise.Geometry, fused.Tile), fused.Workspace?.Length);
        Assert.Equal(Shape.Of(192, 14, 14), fused.Output.Shape);
        Assert.Equal(TensorLayout.Blocked16, fused.Inputs[0].Layout);
        Assert.IsType<ConvolutionStep>(plan.Steps[fused.Number + 1]);
        Assert.DoesNotContain(plan.Steps, s => s is ConvolutionStep { Algorithm: ConvAlgorithm.Depthwise });
    }

    [Fact]
    public void ExpansionAndDepthwiseStaySeparate_OnSmallMaps_OrWhenTheExpansionIsReadElsewhere()
    {
        // 192 x 14 x 14 (147 KB): the kernels' own forms.
        ExecutionPlan small = Plan(Network(new[] { 16, 14, 14 }, [Layer(LayerKind.Conv2d, ("OutChannels", 32), ("KernelSize", 3), ("Padding", 1)), .. InvertedResidual(1)]));
        Assert.DoesNotContain(small.Steps, s => s is PointwiseDepthwiseStep);
        Assert.Contains(small.Steps, s => s is ConvolutionStep { Algorithm: ConvAlgorithm.Depthwise });

        // The expansion's output is also added to the end of the block: it must be stored.
        LayerDeclaration[] layers = [Layer(LayerKind.Conv2d, ("OutChannels", 32), ("KernelSize", 3), ("Padding", 1)), .. InvertedResidual(1, "e"), Layer(LayerKind.Conv2d, ("OutChannels", 192), ("KernelSize", 1)), Layer(LayerKind.Add, ("Inputs", new[] { "e" }))];
        ExecutionPlan shared = Plan(Network(new[] { 16, 28, 28 }, layers));
        Assert.DoesNotContain(shared.Steps, s => s is PointwiseDepthwiseStep);
        Assert.Contains(shared.Steps, s => s is ConvolutionStep { Algorithm: ConvAlgorithm.Pointwise, Fusion.Activation.Name: "ReLU6" });
    }

    [Fact]
    public void ActivationArgumentsAndVariantComeFromTheCatalog()
    {
        ExecutionPlan plan = Plan(Network(new[] { 3, 8, 8 },
            Layer(LayerKind.Conv2d, ("OutChannels", 4), ("KernelSize", 3)), Activation("LeakyReLU", ("NegativeSlope", 0.2)),
            Layer(LayerKind.Conv2d, ("OutChannels", 4), ("KernelSize", 1)), Activation("GELU", ("Approximate", "tanh")),
            Layer(LayerKind.MaxPool2d, ("KernelSize", 2)), Activation("LeakyReLU")));
        Assert.Equal(new ActivationUse("LeakyReLU", "LeakyReLU", EquatableArray.Create(0.2)), ((ConvolutionStep)plan.Steps[0]).Fusion.Activation);
        Assert.Equal(new ActivationUse("GELU", "GELUTanh", EquatableArray<double>.Empty), ((ConvolutionStep)plan.Steps[1]).Fusion.Activation);
        // PyTorch's default slope, 0.01, when the declaration gives none.
        Assert.Equal(new ActivationUse("LeakyReLU", "LeakyReLU", EquatableArray.Create(0.01)), Assert.IsType<ActivationStep>(plan.Steps[3]).Activation);
    }

    [Fact]
    public void PlansAreEquatable()
    {
        NetworkDeclaration declaration = Network(new[] { 3, 8, 8 },
            Layer(LayerKind.Conv2d, ("OutChannels", 4), ("KernelSize", 3), ("Padding", 1)), Layer(LayerKind.BatchNorm2d), Activation("ReLU"),
            Layer(LayerKind.Flatten), Layer(LayerKind.Linear, ("OutFeatures", 5)));
        Assert.Equal(Plan(declaration), Plan(declaration));
        Assert.NotEqual(Plan(declaration), Plan(Network(new[] { 3, 8, 8 },
            Layer(LayerKind.Conv2d, ("OutChannels", 4), ("KernelSize", 3), ("Padding", 1)), Layer(LayerKind.BatchNorm2d), Activation("ReLU6"),
            Layer(LayerKind.Flatten), Layer(LayerKind.Linear, ("OutFeatures", 5)))));
    }

    [Theory]
    // Output channels that fill at most half a block: CHW, positions on the lanes.
    [InlineData(8, 1, 1, 0, 1, "PointwisePlanes", "Chw")]
    [InlineData(8, 3, 1, 1, 1, "ShiftedGemm", "Chw")]
    [InlineData(8, 3, 2, 1, 8, "DepthwisePlanes", "Chw")]
    [InlineData(8, 1, 2, 0, 1, "Im2ColGemm", "Chw")]
    // Channels that fill their blocks: blocked output, channels on the lanes, read from the CHW input as it is.
    [InlineData(16, 3, 1, 1, 1, "Direct", "Blocked16")]
    [InlineData(256, 5, 1, 2, 1, "Direct", "Blocked16")]
    [InlineData(24, 1, 1, 0, 1, "Pointwise", "Blocked16")]
    [InlineData(32, 1, 2, 0, 1, "Direct", "Blocked16")]
    public void AlgorithmAndLayoutChoice(int outChannels, int kernel, int stride, int padding, int groups, string algorithm, string layout)
    {
        ExecutionPlan plan = Plan(Network(new[] { 8, 8, 8 },
            Layer(LayerKind.Conv2d, ("OutChannels", outChannels), ("KernelSize", kernel), ("Stride", stride), ("Padding", padding), ("Groups", groups))));
        ConvolutionStep step = Assert.IsType<ConvolutionStep>(plan.Steps[0]);
        var expected = Enum.Parse<ConvAlgorithm>(algorithm);
        Assert.Equal(expected, step.Algorithm);
        Assert.Equal(Enum.Parse<TensorLayout>(layout), step.Output.Layout);
        Assert.Equal(TensorLayout.Chw, step.Inputs[0].Layout);
        // Each kernel gets exactly the scratch its runtime entry point asks for, and the tile the shared rule picks.
        int workspace = step.Workspace?.Length ?? 0;
        var g = new ConvGen.Runtime.Kernels.Conv2dGeometry(8, 8, 8, outChannels, step.Geometry.OutHeight, step.Geometry.OutWidth, kernel, kernel,
            stride, stride, padding, padding, 1, 1, groups);
        switch (expected)
        {
            case ConvAlgorithm.Im2ColGemm: Assert.Equal(ConvGen.Runtime.Kernels.Conv2d.Im2ColWorkspaceLength(g), workspace); break;
            case ConvAlgorithm.ShiftedGemm: Assert.Equal(ConvGen.Runtime.Kernels.Conv2d.ShiftedWorkspaceLength(g), workspace); break;
            case ConvAlgorithm.Direct:
                Assert.Equal(ConvGen.Runtime.Kernels.DirectConv2d.WorkspaceLength(g, ConvGen.Runtime.Kernels.TensorLayout.Chw), workspace);
                Assert.Equal(ConvGen.Runtime.Kernels.DirectConv2d.ChooseTile(g).ToString(), step.Tile.ToString());
                break;
            case ConvAlgorithm.Pointwise:
                Assert.Equal(0, workspace);
                Assert.Equal(ConvGen.Runtime.Kernels.PointwiseConv2d.ChooseTile(g).ToString(), step.Tile.ToString());
                break;
        }
        // A blocked result is reordered into the caller's CHW output span, once.
        if (step.Output.Layout == TensorLayout.Blocked16)
        {
            ReorderStep reorder = Assert.IsType<ReorderStep>(Assert.Single(plan.Steps.Skip(1)));
            Assert.Equal((TensorLayout.Blocked16, TensorLayout.Chw, outChannels), (reorder.From, reorder.To, reorder.Channels));
            Assert.Equal(StorageKind.Output, reorder.Output.Buffer.Storage);
            Assert.Equal((outChannels + 15) / 16 * 16 * reorder.Positions, step.Output.Buffer.Length);
        }
    }

    [Theory]
    // 6 channels, 28 wide: the direct tile with positions on the lanes (3 channels × 2 rows × 32 columns, 7/8 used).
    [InlineData(6, 28, 28, 5, 2, "DirectPlanes")]
    [InlineData(9, 30, 60, 3, 1, "DirectPlanes")]
    // Rows of 16 use half of the two-vector chunk; 4 channels two thirds of the channel slots: the GEMM on shifted views.
    [InlineData(6, 16, 16, 3, 1, "ShiftedGemm")]
    [InlineData(4, 28, 28, 5, 2, "ShiftedGemm")]
    public void DirectPlanesWhereItsTileIsUsed(int outChannels, int height, int width, int kernel, int padding, string algorithm)
    {
        ExecutionPlan plan = Plan(Network(new[] { 1, height, width },
            Layer(LayerKind.Conv2d, ("OutChannels", outChannels), ("KernelSize", kernel), ("Padding", padding)), Activation("ReLU")));
        ConvolutionStep step = Assert.IsType<ConvolutionStep>(Assert.Single(plan.Steps));
        Assert.Equal(Enum.Parse<ConvAlgorithm>(algorithm), step.Algorithm);
        Assert.Equal(TensorLayout.Chw, step.Output.Layout);
        Assert.Null(step.Tile);
        var g = new ConvGen.Runtime.Kernels.Conv2dGeometry(1, height, width, outChannels, step.Geometry.OutHeight, step.Geometry.OutWidth,
            kernel, kernel, 1, 1, padding, padding, 1, 1, 1);
        int expected = step.Algorithm == ConvAlgorithm.DirectPlanes
            ? ConvGen.Runtime.Kernels.PlaneConv2d.WorkspaceLength(g)
            : ConvGen.Runtime.Kernels.Conv2d.ShiftedWorkspaceLength(g);
        Assert.Equal(expected, step.Workspace?.Length ?? 0);
    }

    [Theory]
    // 8 channels fill half a block: CHW. Stride 1, rows at least 16 wide: the depthwise register tile.
    [InlineData(8, 48, 1, "PlaneDepthwise")]
    [InlineData(4, 32, 1, "PlaneDepthwise")]
    [InlineData(8, 20, 1, "PlaneDepthwise")]
    // Rows narrower than 16, or stride 2: the runtime-picked forms.
    [InlineData(8, 12, 1, "DepthwisePlanes")]
    [InlineData(8, 48, 2, "DepthwisePlanes")]
    // 16 channels fill their block: blocked.
    [InlineData(16, 48, 1, "Depthwise")]
    public void DepthwiseRegisterTileWhereItsVectorsAreUsed(int channels, int width, int stride, string algorithm)
    {
        ExecutionPlan plan = Plan(Network(new[] { channels, 48, width },
            Layer(LayerKind.Conv2d, ("OutChannels", channels), ("KernelSize", 3), ("Padding", 1), ("Stride", stride), ("Groups", channels)), Activation("ReLU")));
        ConvolutionStep step = Assert.Single(plan.Steps.OfType<ConvolutionStep>());
        Assert.Equal(Enum.Parse<ConvAlgorithm>(algorithm), step.Algorithm);
        Assert.Equal("ReLU", step.Fusion.Activation?.Name);
        if (step.Algorithm != ConvAlgorithm.PlaneDepthwise) return;
        Assert.Single(plan.Steps);
        Assert.Equal(TensorLayout.Chw, step.Inputs[0].Layout);
        Assert.Equal(TensorLayout.Chw, step.Output.Layout);
        var g = new ConvGen.Runtime.Kernels.Conv2dGeometry(channels, 48, width, channels, 48, width, 3, 3, 1, 1, 1, 1, 1, 1, channels);
        Assert.Equal(ConvGen.Runtime.Kernels.PlaneDepthwiseConv2d.WorkspaceLength(g), step.Workspace?.Length ?? 0);
    }

    [Theory]
    // Even output, the direct-planes kernel: the pool is fused into its store.
    [InlineData(6, 28, 5, 2, true)]
    // Odd output (27 rows): conv, then the pool.
    [InlineData(6, 27, 5, 2, false)]
    // A kernel that cannot pool (the GEMM on shifted views): conv, then the pool.
    [InlineData(4, 28, 5, 2, false)]
    public void MaxPool2x2FusesIntoTheDirectPlanesStore(int outChannels, int height, int kernel, int padding, bool fused)
    {
        ExecutionPlan plan = Plan(Network(new[] { 1, height, 28 },
            Layer(LayerKind.Conv2d, ("OutChannels", outChannels), ("KernelSize", kernel), ("Padding", padding)), Activation("ReLU"),
            Layer(LayerKind.MaxPool2d, ("KernelSize", 2))));
        ConvolutionStep conv = Assert.IsType<ConvolutionStep>(plan.Steps[0]);
        Assert.Equal(fused, conv.PoolsMax2x2);
        Assert.Equal("ReLU", conv.Fusion.Activation?.Name);
        if (fused)
        {
            Assert.Single(plan.Steps);
            Assert.Equal(new[] { 0, 1, 2 }, conv.Layers.Select(l => l.Index));
            Assert.Equal(outChannels * (height / 2) * 14, conv.Output.Buffer.Length);
            Assert.Equal(StorageKind.Output, conv.Output.Buffer.Storage);
        }
        else
        {
            Assert.Equal(2, plan.Steps.Count);
            Assert.IsType<PoolStep>(plan.Steps[1]);
            Assert.Equal(new[] { 0, 1 }, conv.Layers.Select(l => l.Index));
        }
    }

    [Fact]
    public void ResidualAddAndItsActivationFuseIntoABlockedConvolution()
    {
        ExecutionPlan plan = Plan(Network(new[] { 16, 8, 8 },
            Layer(LayerKind.Conv2d, ("OutChannels", 16), ("KernelSize", 3), ("Padding", 1)), Activation("ReLU", ("Name", "a")),
            Layer(LayerKind.Conv2d, ("OutChannels", 16), ("KernelSize", 3), ("Padding", 1)), Activation("ReLU"),
            Layer(LayerKind.Conv2d, ("OutChannels", 16), ("KernelSize", 3), ("Padding", 1)), Layer(LayerKind.BatchNorm2d),
            Layer(LayerKind.Add, ("Inputs", new[] { "a" })), Activation("ReLU")));
        ConvolutionStep third = Assert.IsType<ConvolutionStep>(plan.Steps[2]);
        Assert.True(third.Residual);
        Assert.Equal(new[] { 4, 5, 6, 7 }, third.Layers.Select(l => l.Index));
        Assert.Equal("ReLU", third.Fusion.Activation?.Name);
        Assert.Equal(plan.Steps[0].Output.Buffer, third.Inputs[1].Buffer);
        // The residual dies here, so the store overwrites it in place.
        Assert.Equal(third.Inputs[1].Buffer, third.Output.Buffer);
        AssertNoLiveOverlap(plan);
    }

    [Fact]
    public void AResidualThatIsAlsoTheConvolutionsInputIsNotOverwritten()
    {
        // y = x + conv(x): the store may not overwrite x while the convolution still reads it.
        ExecutionPlan plan = Plan(Network(new[] { 16, 8, 8 },
            Layer(LayerKind.Conv2d, ("OutChannels", 16), ("KernelSize", 1), ("Name", "x")),
            Layer(LayerKind.Conv2d, ("OutChannels", 16), ("KernelSize", 3), ("Padding", 1)),
            Layer(LayerKind.Add, ("Inputs", new[] { "x" })), Layer(LayerKind.Flatten)));
        ConvolutionStep second = Assert.IsType<ConvolutionStep>(plan.Steps[1]);
        Assert.True(second.Residual);
        Assert.Equal(second.Inputs[0].Buffer, second.Inputs[1].Buffer);
        Assert.NotEqual(second.Inputs[0].Buffer, second.Output.Buffer);
        AssertNoLiveOverlap(plan);
    }

    [Fact]
    public void FlatTensorsAreChwEvenWhenTheirMapsAreBlocked()
    {
        // Two blocked maps flattened and added: the sum is a flat vector of features, CHW.
        ExecutionPlan plan = Plan(Network(new[] { 16, 4, 4 },
            Layer(LayerKind.Conv2d, ("OutChannels", 16), ("KernelSize", 1), ("Name", "a")), Layer(LayerKind.Flatten, ("Name", "fa")),
            Layer(LayerKind.Conv2d, ("OutChannels", 16), ("KernelSize", 1), ("From", "a")), Layer(LayerKind.Flatten),
            Layer(LayerKind.Add, ("Inputs", new[] { "fa" }))));
        ArithmeticStep add = Assert.IsType<ArithmeticStep>(plan.Steps.Last(s => s is ArithmeticStep));
        Assert.False(add.General);
        Assert.All(add.Operands, o => Assert.Equal(OperandForm.Full, o.Form));
        Assert.Equal(TensorLayout.Chw, add.Output.Layout);
        Assert.All(add.Inputs, i => Assert.Equal(TensorLayout.Chw, i.Layout));
        Assert.Equal(256, add.Output.Buffer.Length);
    }

    [Fact]
    public void ResidualAddSplitsOffWhenTheConvolutionRunsChw()
    {
        // 4 output channels: CHW kernels, which add no residual; the Add (with its ReLU) becomes its own step.
        ExecutionPlan plan = Plan(Network(new[] { 4, 8, 8 },
            Layer(LayerKind.Conv2d, ("OutChannels", 4), ("KernelSize", 3), ("Padding", 1)), Layer(LayerKind.BatchNorm2d),
            Layer(LayerKind.Add, ("Inputs", new[] { "input" })), Activation("ReLU")));
        Assert.Equal(2, plan.Steps.Count);
        ConvolutionStep conv = Assert.IsType<ConvolutionStep>(plan.Steps[0]);
        Assert.False(conv.Residual);
        Assert.Null(conv.Fusion.Activation);
        Assert.Equal(new[] { 0, 1 }, conv.Layers.Select(l => l.Index));
        ArithmeticStep add = Assert.IsType<ArithmeticStep>(plan.Steps[1]);
        Assert.Equal(BinaryOperation.Add, add.Operation);
        Assert.Equal(new[] { 2, 3 }, add.Layers.Select(l => l.Index));
        Assert.Equal("ReLU", add.Activation?.Name);
    }

    [Fact]
    public void ArenaReusesMemoryOfDeadTensors()
    {
        // A chain of same-size convs: only two activations are ever alive, plus one im2col workspace.
        var layers = Enumerable.Range(0, 6).Select(_ => Layer(LayerKind.Conv2d, ("OutChannels", 8), ("KernelSize", 3), ("Padding", 1))).ToArray();
        ExecutionPlan plan = Plan(Network(new[] { 8, 16, 16 }, layers));
        int tensor = 8 * 16 * 16, workspace = 8 * 9 * 16 * 16;
        Assert.True(plan.ArenaLength <= 2 * tensor + workspace + 2 * Planner.Alignment, $"arena {plan.ArenaLength}");
        AssertNoLiveOverlap(plan);
    }

    [Fact]
    public void UNetSkipConnectionsStayAliveAndNothingOverlaps()
    {
        ExecutionPlan plan = Plan(Network(new[] { 4, 16, 16 },
            Layer(LayerKind.Conv2d, ("OutChannels", 8), ("KernelSize", 3), ("Padding", 1), ("Name", "e1")),
            Layer(LayerKind.MaxPool2d, ("KernelSize", 2)),
            Layer(LayerKind.Conv2d, ("OutChannels", 16), ("KernelSize", 3), ("Padding", 1), ("Name", "e2")),
            Layer(LayerKind.MaxPool2d, ("KernelSize", 2)),
            Layer(LayerKind.Conv2d, ("OutChannels", 16), ("KernelSize", 1)),
            Layer(LayerKind.AdaptiveAvgPool2d, ("OutputSize", 8)),
            Layer(LayerKind.Concat, ("Inputs", new[] { "e2" })),
            Layer(LayerKind.Conv2d, ("OutChannels", 8), ("KernelSize", 1)),
            Layer(LayerKind.AdaptiveMaxPool2d, ("OutputSize", 16)),
            Layer(LayerKind.Concat, ("Inputs", new[] { "e1" })),
            Layer(LayerKind.Conv2d, ("OutChannels", 1), ("KernelSize", 1))));
        AssertNoLiveOverlap(plan);
        // Scratch never exceeds the largest set of simultaneously live tensors (plus alignment).
        Assert.True(plan.ArenaLength <= PeakLive(plan) + 16 * Planner.Alignment, $"arena {plan.ArenaLength} vs peak {PeakLive(plan)}");
    }

    /// <summary>For every step, the arena slices it touches must not overlap slices of tensors alive at that step.</summary>
    [Fact]
    public void UnpoolIndicesStayAliveInTheBlockedLayoutUntilTheirUnpool()
    {
        // Two SegNet levels on 28 channels (blocked): each pool writes its indices beside its values; the decoder reads
        // them in reverse order, so pool1's indices outlive every tensor of the inner level.
        ExecutionPlan plan = Plan(Network(new[] { 3, 12, 8 },
            Layer(LayerKind.Conv2d, ("OutChannels", 28), ("KernelSize", 3), ("Padding", 1)), Activation("ReLU"),
            Layer(LayerKind.MaxPool2d, ("KernelSize", 2), ("ReturnIndices", true), ("Name", "pool1")),
            Layer(LayerKind.Conv2d, ("OutChannels", 28), ("KernelSize", 3), ("Padding", 1)), Activation("ReLU"),
            Layer(LayerKind.MaxPool2d, ("KernelSize", 2), ("ReturnIndices", true), ("Name", "pool2")),
            Layer(LayerKind.Conv2d, ("OutChannels", 28), ("KernelSize", 3), ("Padding", 1)),
            Layer(LayerKind.MaxUnpool2d, ("KernelSize", 2), ("Indices", "pool2")),
            Layer(LayerKind.Conv2d, ("OutChannels", 28), ("KernelSize", 3), ("Padding", 1)),
            Layer(LayerKind.MaxUnpool2d, ("KernelSize", 2), ("Indices", "pool1")),
            Layer(LayerKind.Conv2d, ("OutChannels", 3), ("KernelSize", 3), ("Padding", 1))));
        var pools = plan.Steps.OfType<MaxPoolIndicesStep>().ToList();
        var unpools = plan.Steps.OfType<MaxUnpoolStep>().ToList();
        Assert.Equal(2, pools.Count);
        Assert.Equal(2, unpools.Count);
        Assert.All(pools, p => Assert.Equal((TensorLayout.Blocked16, TensorLayout.Blocked16), (p.Output.Layout, p.Indices.Layout)));
        Assert.All(unpools, u => Assert.Equal(TensorLayout.Blocked16, u.Output.Layout));
        // Each unpool reads the indices its pool wrote, as they are (no reorder of indices).
        Assert.Equal(pools[1].Indices, unpools[0].Inputs[1]);
        Assert.Equal(pools[0].Indices, unpools[1].Inputs[1]);
        Assert.Equal((28, 6 * 4, 12 * 8), (unpools[1].Channels, unpools[1].InPositions, unpools[1].OutPositions));
        AssertNoLiveOverlap(plan);
    }

    [Fact]
    public void UnpoolOfValuesInAnotherLayoutReordersTheValuesNotTheIndices()
    {
        // The pool reads the CHW network input; its values go through a blocked 16-channel convolution, and the unpool runs
        // in the indices' layout (CHW), reading the values reordered.
        ExecutionPlan plan = Plan(Network(new[] { 16, 8, 8 },
            Layer(LayerKind.MaxPool2d, ("KernelSize", 2), ("ReturnIndices", true), ("Name", "p")),
            Layer(LayerKind.Conv2d, ("OutChannels", 16), ("KernelSize", 3), ("Padding", 1)),
            Layer(LayerKind.MaxUnpool2d, ("KernelSize", 2), ("Indices", "p"))));
        MaxPoolIndicesStep pool = Assert.Single(plan.Steps.OfType<MaxPoolIndicesStep>());
        MaxUnpoolStep unpool = Assert.Single(plan.Steps.OfType<MaxUnpoolStep>());
        Assert.Equal(pool.Indices.Layout, unpool.Output.Layout);
        Assert.Equal(unpool.Output.Layout, unpool.Inputs[0].Layout);
        Assert.Equal(pool.Indices, unpool.Inputs[1]);
        Assert.DoesNotContain(plan.Steps.OfType<ReorderStep>(), r => r.Inputs[0] == pool.Indices);
        AssertNoLiveOverlap(plan);
    }

    [Fact]
    public void ReturnIndicesThatNothingReadsIsAPlainPool()
    {
        ExecutionPlan plan = Plan(Network(new[] { 3, 8, 8 },
            Layer(LayerKind.MaxPool2d, ("KernelSize", 2), ("ReturnIndices", true), ("Name", "p")), Activation("ReLU")));
        Assert.True(Assert.IsType<PoolStep>(plan.Steps[0]).Max);
        Assert.DoesNotContain(plan.Steps, s => s.SecondOutput is not null);
    }

    private static void AssertNoLiveOverlap(ExecutionPlan plan)
    {
        var intervals = Intervals(plan);
        foreach (var a in intervals)
            foreach (var b in intervals)
            {
                if (ReferenceEquals(a, b)) continue;
                bool timeOverlap = a.From <= b.To && b.From <= a.To;
                bool spaceOverlap = a.Slice.Offset < b.Slice.Offset + b.Slice.Length && b.Slice.Offset < a.Slice.Offset + a.Slice.Length;
                Assert.False(timeOverlap && spaceOverlap, $"{a} overlaps {b}");
            }
    }

    private sealed record Interval(BufferSlice Slice, int From, int To);

    /// <summary>
    /// Each tensor's lifetime: from the step that writes it to the last step that reads it (an in-place step continues
    /// it); each workspace lives during its own step only.
    /// </summary>
    private static List<Interval> Intervals(ExecutionPlan plan)
    {
        var done = new List<Interval>();
        var open = new Dictionary<BufferSlice, Interval>();
        foreach (PlanStep step in plan.Steps)
        {
            foreach (BufferSlice input in step.Inputs.Select(i => i.Buffer).Where(i => i.Storage == StorageKind.Arena))
                open[input] = open[input] with { To = step.Number };
            if (step.Workspace is { } w) done.Add(new Interval(w, step.Number, step.Number));
            // A second output (MaxPool2d's indices) is a tensor of its own, written here.
            if (step.SecondOutput is { Buffer: { Storage: StorageKind.Arena } second })
            {
                if (open.Remove(second, out Interval? previous)) done.Add(previous);
                open[second] = new Interval(second, step.Number, step.Number);
            }
            BufferSlice output = step.Output.Buffer;
            if (output.Storage != StorageKind.Arena || step.Inputs.Any(i => i.Buffer == output)) continue;
            if (open.Remove(output, out Interval? finished)) done.Add(finished);
            open[output] = new Interval(output, step.Number, step.Number);
        }
        return done.Concat(open.Values).ToList();
    }

    private static long PeakLive(ExecutionPlan plan)
    {
        var intervals = Intervals(plan);
        return plan.Steps.Max(step => intervals.Where(i => i.From <= step.Number && step.Number <= i.To).Sum(i => (long)i.Slice.Length));
    }
}
