using ConvGen.Generator.Analysis;
using ConvGen.Generator.Model;
using static ConvGen.Tests.Analysis.Declarations;

namespace ConvGen.Tests.Analysis;

/// <summary>
/// Shape inference of the contract's 2026-12 layers as plain functions over the declaration model: the geometry the
/// planner will read (slices, permutations, normalised extents, broadcast operands) and the hover table's receptive
/// fields. Shapes, parameters and state_dict keys against PyTorch are in ModelGoldenAnalysisTests.
/// </summary>
public class ModelFamilyShapeTests
{
    private static AnalyzedNetwork Analyze(NetworkDeclaration declaration)
    {
        AnalysisResult result = NetworkAnalyzer.Analyze(declaration);
        Assert.True(result.Network is not null, string.Join("\n", result.Diagnostics));
        return result.Network!;
    }

    private static LayerDeclaration Named(LayerDeclaration layer, string name) =>
        layer with { Arguments = layer.Arguments.Append(new Argument("Name", ArgValue.FromString(name), SourceSpan.None)).ToEquatableArray() };

    [Fact]
    public void ConvNeXtBlockKeepsAPerPixelReceptiveFieldThroughChannelsLast()
    {
        AnalyzedNetwork net = Analyze(Network(new[] { 8, 9, 9 },
            Layer(LayerKind.Conv2d, ("OutChannels", 8), ("KernelSize", 7), ("Padding", 3), ("Groups", 8)),
            Layer(LayerKind.Permute, ("Dims", new[] { 0, 2, 3, 1 })),
            Layer(LayerKind.LayerNorm, ("NormalizedShape", new[] { 8 }), ("Eps", 1e-6)),
            Layer(LayerKind.Linear, ("OutFeatures", 32)), Activation("GELU"), Layer(LayerKind.Linear, ("OutFeatures", 8)),
            Named(Layer(LayerKind.Permute, ("Dims", new[] { 0, 3, 1, 2 })), "branch"),
            Layer(LayerKind.Parameter, ("Shape", new[] { 8, 1, 1 })),
            Layer(LayerKind.Multiply, ("Inputs", new[] { "branch" })),
            Layer(LayerKind.StochasticDepth, ("P", 0.1), ("Mode", "row")),
            Layer(LayerKind.Add, ("Inputs", new[] { "input" }))));

        Assert.Equal(new[] { "8×9×9", "9×9×8", "9×9×8", "9×9×32", "9×9×32", "9×9×8", "8×9×9", "8×1×1", "8×9×9", "8×9×9", "8×9×9" },
            net.Layers.Select(l => l.OutputShape.ToString()));
        // The LayerNorm and the Linears work on the channels moved last: they mix no positions.
        Assert.Equal(new[] { "7×7", "7×7", "7×7", "7×7", "7×7", "7×7", "7×7", "none", "7×7", "7×7", "7×7" }, net.Layers.Select(l => l.ReceptiveField));
        Assert.Equal(new[] { 1, 2, 0 }, net.Layers[1].Geometry.Dims);
        Assert.Equal(new[] { 2, 0, 1 }, net.Layers[6].Geometry.Dims);
        LayerGeometry norm = net.Layers[2].Geometry;
        Assert.Equal((81, 8, 1, 1e-6), (norm.Outer, norm.Axis, norm.Inner, norm.Eps));
        // depthwise 8*49+8, LayerNorm 16, Linear 8*32+32 and 32*8+8, layer scale 8: torchvision's CNBlock(8).
        Assert.Equal(400 + 16 + 288 + 264 + 8, net.Parameters);
        Assert.Equal(new[] { 7, 6 }, net.Layers[8].Inputs);
        Assert.Equal(new[] { 9, -1 }, net.Layers[10].Inputs);
    }

    [Fact]
    public void LayerNormOverASpatialAxisSeesTheWholeRow()
    {
        AnalyzedNetwork net = Analyze(Network(new[] { 3, 5, 6 },
            Layer(LayerKind.Conv2d, ("OutChannels", 4), ("KernelSize", 3), ("Padding", 1)),
            Layer(LayerKind.LayerNorm, ("NormalizedShape", new[] { 6 })),
            Layer(LayerKind.LayerNorm2d)));
        Assert.Equal(new[] { "3×3", "all", "all" }, net.Layers.Select(l => l.ReceptiveField));
        LayerGeometry g = net.Layers[2].Geometry;
        Assert.Equal((1, 4, 30), (g.Outer, g.Axis, g.Inner));
    }

    [Theory]
    [InlineData(true, 7, 3, 2, 6, 1)]     // chunk: pieces 3, 3, 1
    [InlineData(true, 5, 4, -2, 2, 2)]    // chunk: pieces 2, 2, 1 (only three)
    [InlineData(true, 12, 5, 3, 9, 3)]    // chunk: pieces 3, 3, 3, 3 (only four)
    [InlineData(false, 7, 3, 2, 6, 1)]    // split_size 3: 3, 3, 1
    public void SliceKeepsThePiecePyTorchReturns(bool chunk, int channels, int count, int index, int start, int length)
    {
        LayerKind kind = chunk ? LayerKind.Chunk : LayerKind.Split;
        string argument = kind == LayerKind.Chunk ? "Chunks" : "SplitSizeOrSections";
        AnalyzedNetwork net = Analyze(Network(new[] { channels, 4, 5 }, Layer(kind, (argument, count), ("Index", index))));
        LayerGeometry g = net.Layers[0].Geometry;
        Assert.Equal((1, channels, 20, start, length), (g.Outer, g.Axis, g.Inner, g.Start, g.Length));
        Assert.Equal($"{length}×4×5", net.OutputShape.ToString());
    }

    [Fact]
    public void SplitAlongTheLastDimension()
    {
        AnalyzedNetwork net = Analyze(Network(new[] { 3, 4, 7 }, Layer(LayerKind.Split, ("SplitSizeOrSections", new[] { 2, 5 }), ("Index", 1), ("Dim", -1))));
        LayerGeometry g = net.Layers[0].Geometry;
        Assert.Equal((12, 7, 1, 2, 5), (g.Outer, g.Axis, g.Inner, g.Start, g.Length));
        Assert.Equal("3×4×5", net.OutputShape.ToString());
    }

    [Fact]
    public void BroadcastOperandsAndNumbers()
    {
        AnalyzedNetwork net = Analyze(Network(new[] { 3, 6, 5 },
            Named(Layer(LayerKind.AdaptiveAvgPool2d, ("OutputSize", new[] { 6, 1 })), "h"),
            Named(Layer(LayerKind.AdaptiveAvgPool2d, ("OutputSize", new[] { 1, 5 }), ("From", "input")), "w"),
            Layer(LayerKind.Multiply, ("Inputs", new[] { "h", "w" })),
            Layer(LayerKind.Add, ("Other", 0.5)),
            Named(Activation("Sigmoid"), "t"),
            Layer(LayerKind.Subtract, ("Minuend", 1.0), ("Subtrahend", "t")),
            Layer(LayerKind.Parameter),
            Layer(LayerKind.Multiply, ("Inputs", new[] { "t" }))));
        Assert.Equal("3×6×5", net.Layers[2].OutputShape.ToString());
        Assert.Equal((0.5, false), (net.Layers[3].Geometry.Scalar, net.Layers[3].Geometry.ScalarFirst));
        Assert.Equal((1.0, true), (net.Layers[5].Geometry.Scalar, net.Layers[5].Geometry.ScalarFirst));
        Assert.Equal(new[] { 4 }, net.Layers[5].Inputs);
        Assert.Equal("scalar", net.Layers[6].OutputShape.ToString());
        Assert.Equal(1, net.Layers[6].Parameters);
        Assert.Equal("3×6×5", net.OutputShape.ToString());
    }

    [Fact]
    public void UnpoolReadsItsPoolAndGrowsTheFieldLikeATransposedConvolution()
    {
        AnalyzedNetwork net = Analyze(Network(new[] { 2, 9, 7 },
            Named(Layer(LayerKind.MaxPool2d, ("KernelSize", 2), ("ReturnIndices", true)), "pool"),
            Layer(LayerKind.Conv2d, ("OutChannels", 2), ("KernelSize", 3), ("Padding", 1)),
            Layer(LayerKind.MaxUnpool2d, ("KernelSize", 2), ("Indices", "pool"), ("OutputSize", new[] { 9, 7 }))));
        Assert.True(net.Layers[0].Geometry.ReturnIndices);
        Assert.Equal(new[] { 1, 0 }, net.Layers[2].Inputs);
        Assert.Equal("2×9×7", net.OutputShape.ToString());
        // pool: 2; conv 3x3 at stride 2: 2 + 2*2 = 6; unpool: 6 + (2 - 1) * 2 / 2 = 7.
        Assert.Equal(new[] { "2×2", "6×6", "7×7" }, net.Layers.Select(l => l.ReceptiveField));
    }

    [Fact]
    public void LearnedTensorsInTheManifest()
    {
        AnalyzedNetwork net = Analyze(Network(new[] { 4, 5, 6 },
            Named(Layer(LayerKind.PReLU, ("NumParameters", 4)), "act"),
            Named(Layer(LayerKind.LayerNorm, ("NormalizedShape", new[] { 5, 6 }), ("Bias", false)), "ln"),
            Named(Layer(LayerKind.LayerNorm2d), "ln2"),
            Named(Layer(LayerKind.Parameter, ("Shape", new[] { 4, 1, 1 })), "blocks.0.gamma"),
            Layer(LayerKind.Multiply, ("Inputs", new[] { "ln2" }))));
        Assert.Equal(new[] { "act.weight [4]", "ln.weight [5, 6]", "ln2.weight [4]", "ln2.bias [4]", "blocks.0.gamma [4, 1, 1]" },
            WeightsManifest.Of(net).Select(t => $"{t.Key} [{string.Join(", ", t.Shape)}]"));
        Assert.Equal(4 + 30 + 8 + 4, net.Parameters);
    }
}
