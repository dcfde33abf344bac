using ConvGen.Generator.Analysis;
using ConvGen.Generator.Model;
using static ConvGen.Tests.Analysis.Declarations;

namespace ConvGen.Tests.Analysis;

/// <summary>Shape inference and validation as plain functions over the declaration model.</summary>
public class ShapeInferenceTests
{
    private static AnalyzedNetwork Analyze(NetworkDeclaration declaration)
    {
        AnalysisResult result = NetworkAnalyzer.Analyze(declaration);
        Assert.True(result.Network is not null, string.Join("\n", result.Diagnostics));
        return result.Network!;
    }

    [Fact]
    public void LeNet5ShapesParametersAndMacsMatchPyTorch()
    {
        AnalyzedNetwork net = Analyze(Network(new[] { 1, 28, 28 },
            Layer(LayerKind.Conv2d, ("OutChannels", 6), ("KernelSize", 5), ("Padding", 2)), Activation("ReLU"), Layer(LayerKind.MaxPool2d, ("KernelSize", 2)),
            Layer(LayerKind.Conv2d, ("OutChannels", 16), ("KernelSize", 5)), Activation("ReLU"), Layer(LayerKind.MaxPool2d, ("KernelSize", 2)),
            Layer(LayerKind.Flatten), Layer(LayerKind.Linear, ("OutFeatures", 120)), Activation("ReLU"),
            Layer(LayerKind.Linear, ("OutFeatures", 84)), Activation("ReLU"), Layer(LayerKind.Linear, ("OutFeatures", 10))));

        Assert.Equal(new[] { "6×28×28", "6×28×28", "6×14×14", "16×10×10", "16×10×10", "16×5×5", "400", "120", "120", "84", "84", "10" },
            net.Layers.Select(l => l.OutputShape.ToString()));
        // The figures of ../shared/peers/artifacts/lenet5/meta.json.
        Assert.Equal(61_706, net.Parameters);
        Assert.Equal(416_520, net.MultiplyAccumulates);
        Assert.Equal(new[] { "5×5", "5×5", "6×6", "14×14", "14×14", "16×16", "16×16" }, net.Layers.Take(7).Select(l => l.ReceptiveField));
    }

    // Expected sizes computed with torch 1.13 (nn.MaxPool2d / nn.AvgPool2d on the given input size).
    [Theory]
    [InlineData(5, 3, 3, 1, 1, true, 2)]   // the third window would start in the right padding: dropped
    [InlineData(6, 3, 2, 1, 1, true, 4)]
    [InlineData(6, 3, 2, 1, 1, false, 3)]
    [InlineData(7, 2, 2, 0, 1, true, 4)]
    [InlineData(7, 2, 2, 0, 1, false, 3)]
    [InlineData(10, 3, 1, 0, 2, false, 6)] // dilation 2
    [InlineData(8, 3, 3, 0, 1, true, 3)]
    [InlineData(1, 2, 2, 0, 1, true, 1)]
    public void PoolOutputSizeFollowsATen(int input, int kernel, int stride, int pad, int dilation, bool ceil, int expected) =>
        Assert.Equal(expected, LayerRules.PoolOutputSize(input, kernel, stride, pad, dilation, ceil));

    [Theory]
    [InlineData(3, 1, 1, 1)]
    [InlineData(4, 1, 1, 2)]  // even kernel: PyTorch pads the extra at the end
    [InlineData(4, 2, 3, 3)]  // kernel 4, dilation 2: total 6
    [InlineData(2, 3, 1, 2)]  // kernel 2, dilation 3: total 3
    public void SamePaddingSplitsLikePyTorch(int kernel, int dilation, int before, int after)
    {
        AnalyzedNetwork net = Analyze(Network(new[] { 2, 9, 9 },
            Layer(LayerKind.Conv2d, ("OutChannels", 3), ("KernelSize", kernel), ("Padding", "same"), ("Dilation", dilation))));
        LayerGeometry g = net.Layers[0].Geometry;
        Assert.Equal((before, after, before, after), (g.PadTop, g.PadBottom, g.PadLeft, g.PadRight));
        Assert.Equal("3×9×9", net.OutputShape.ToString());
    }

    [Fact]
    public void NonSquareTuplesAreReadPerAxis()
    {
        AnalyzedNetwork net = Analyze(Network(new[] { 3, 10, 12 },
            Layer(LayerKind.Conv2d, ("OutChannels", 4), ("KernelSize", new[] { 3, 5 }), ("Stride", new[] { 2, 1 }), ("Padding", new[] { 1, 2 }))));
        Assert.Equal("4×5×12", net.OutputShape.ToString());
        Assert.Equal(4L * 3 * 3 * 5 + 4, net.Parameters);
    }

    [Fact]
    public void DepthwiseWithMultiplierCountsParameters()
    {
        AnalyzedNetwork net = Analyze(Network(new[] { 4, 8, 8 },
            Layer(LayerKind.Conv2d, ("OutChannels", 8), ("KernelSize", 3), ("Groups", 4), ("Padding", 1))));
        Assert.Equal(8L * 1 * 9 + 8, net.Parameters);
        Assert.Equal(8L * 64 * 9, net.MultiplyAccumulates);
    }

    [Fact]
    public void LinearWorksOnTheLastDimensionLikePyTorch()
    {
        AnalyzedNetwork net = Analyze(Network(new[] { 2, 3, 5 }, Layer(LayerKind.Linear, ("OutFeatures", 7))));
        Assert.Equal("2×3×7", net.OutputShape.ToString());
        Assert.Equal(6, net.Layers[0].Geometry.Outer);
        Assert.Equal(6L * 5 * 7, net.MultiplyAccumulates);
    }

    [Fact]
    public void BatchNormCountsAffineParametersOnly()
    {
        AnalyzedNetwork net = Analyze(Network(new[] { 3, 4, 4 }, Layer(LayerKind.BatchNorm2d), Layer(LayerKind.BatchNorm2d, ("Affine", false))));
        Assert.Equal(6, net.Parameters);
    }

    [Fact]
    public void GraphMergesInferShapes()
    {
        AnalyzedNetwork net = Analyze(Network(new[] { 3, 8, 8 },
            Layer(LayerKind.Conv2d, ("OutChannels", 4), ("KernelSize", 3), ("Padding", 1), ("Name", "a")),
            Layer(LayerKind.Conv2d, ("OutChannels", 4), ("KernelSize", 1)),
            Layer(LayerKind.Add, ("Inputs", new[] { "a" })),
            Layer(LayerKind.Concat, ("Inputs", new[] { "a", "input" })),
            Layer(LayerKind.Multiply, ("Inputs", new[] { "a", "a" }), ("From", "a"))));
        Assert.Equal(new[] { 1, 0 }, net.Layers[2].Inputs);
        Assert.Equal("7×8×8", net.Layers[3].OutputShape.ToString());
        Assert.Equal(new[] { 0, 0 }, net.Layers[4].Inputs);
    }

    [Fact]
    public void ErrorsDoNotCascadeFromAnUnknownShape()
    {
        AnalysisResult result = NetworkAnalyzer.Analyze(Network(new[] { 1, 4, 4 },
            Layer(LayerKind.Conv2d, ("OutChannels", 8), ("KernelSize", 5)), Layer(LayerKind.Conv2d, ("OutChannels", 8), ("KernelSize", 9))));
        Assert.Null(result.Network);
        Assert.Single(result.Diagnostics); // only the first layer; the second's input is unknown
        Assert.Equal("CG0001", result.Diagnostics[0].Id);
    }

    [Fact]
    public void FlattenRangeAndSoftmaxDimCountTheBatch()
    {
        AnalyzedNetwork net = Analyze(Network(new[] { 2, 3, 4 },
            Layer(LayerKind.Flatten, ("StartDim", 2)), Layer(LayerKind.Softmax, ("Dim", -1))));
        Assert.Equal("2×12", net.OutputShape.ToString());
        LayerGeometry g = net.Layers[1].Geometry;
        Assert.Equal((2, 12, 1), (g.Outer, g.Axis, g.Inner));
    }
}
