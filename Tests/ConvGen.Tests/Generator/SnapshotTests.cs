using Microsoft.CodeAnalysis;

namespace ConvGen.Tests.Generator;

/// <summary>
/// The generated code of six networks (one of them a graph), as golden text; each must compile with no diagnostic at all in a user
/// project (warnings included).
/// </summary>
public class SnapshotTests
{
    private static void VerifyNetwork(string name, string declaration)
    {
        GeneratorHarness.Result result = GeneratorHarness.Run("using ConvGen;\nnamespace Samples;\n" + declaration);
        Assert.Empty(result.Reported(""));
        Assert.NotNull(result.GeneratedText);
        Snapshot.Verify(name, result.GeneratedText!);
    }

    [Fact]
    public void LeNet5() => VerifyNetwork("LeNet5", """
        [Network(1, 28, 28)]
        [Conv2d(6, 5, Padding = 2), ReLU, MaxPool2d(2)]
        [Conv2d(16, 5), ReLU, MaxPool2d(2)]
        [Flatten, Linear(120), ReLU, Linear(84), ReLU, Linear(10)]
        public partial class LeNet5;
        """);

    [Fact]
    public void DepthwiseSeparableBlock() => VerifyNetwork("DepthwiseSeparable", """
        [Network(3, 32, 32)]
        [Conv2d(16, 3, Stride = 2, Padding = 1, Bias = false), BatchNorm2d, ReLU6]
        [Conv2d(16, 3, Padding = 1, Groups = 16, Bias = false), BatchNorm2d, ReLU6]
        [Conv2d(32, 1, Bias = false), BatchNorm2d, ReLU6]
        [AdaptiveAvgPool2d(1), Flatten, Dropout(0.2), Linear(10), Softmax]
        public partial class DepthwiseSeparable;
        """);

    // A MobileNetV2 block on a 56x56 map: the expansion and the depthwise after it run as one fused step.
    [Fact]
    public void InvertedResidualBlock() => VerifyNetwork("InvertedResidualBlock", """
        [Network(16, 56, 56)]
        [Conv2d(24, 3, Padding = 1, Bias = false), BatchNorm2d, ReLU6]
        [Conv2d(144, 1, Bias = false), BatchNorm2d, ReLU6, Conv2d(144, 3, Stride = 2, Padding = 1, Groups = 144, Bias = false), BatchNorm2d, ReLU6]
        [Conv2d(32, 1, Bias = false), BatchNorm2d, AdaptiveAvgPool2d(1), Flatten, Linear(10)]
        public partial class InvertedResidualBlock;
        """);

    [Fact]
    public void KeywordSpotting1d() => VerifyNetwork("KeywordSpotting", """
        public static partial class Models
        {
            [Network(40, 98)]
            [Conv1d(32, 5, Stride = 2, PaddingMode = "replicate", Padding = 2), BatchNorm1d, LeakyReLU(0.1)]
            [MaxPool1d(3, Stride = 2, CeilMode = true), Conv1d(32, 3, Padding = "same", Dilation = 2), Sigmoid]
            [AvgPool1d(2), Flatten, Linear(12), LogSoftmax(Dim = -1)]
            internal partial class KeywordSpotting { }
        }
        """);

    [Fact]
    public void LayersAddedIn2026_12() => VerifyNetwork("Layers2026", """
        [Network(16, 8, 8)]
        [Conv2d(32, 3, Padding = 1, Name = "x"), Hardswish(Name = "a")]
        [AdaptiveAvgPool2d(1), Conv2d(8, 1), ReLU, Conv2d(32, 1), Hardsigmoid, Multiply("a", Name = "se")]
        [Chunk(2, 0, Name = "left"), Chunk(2, 1, From = "se"), PReLU(16), Concat("left", Name = "cat"), Subtract(1.0, "cat")]
        [Permute(0, 2, 3, 1), LayerNorm(32, Eps = 1e-6), Permute(0, 3, 1, 2), LayerNorm2d(32, Name = "norm")]
        [Parameter(32, 1, 1, Name = "layer_scale"), Multiply("norm"), Add(0.5), Mish, ELU(0.5), Softplus(2.0, 10.0), Hardtanh(-1.0, 2.0)]
        public partial class Layers2026;
        """);

    [Fact]
    public void InceptionResidualGraph() => VerifyNetwork("InceptionResidual", """
        [Network(8, 12, 12)]
        [Conv2d(16, 3, Padding = 1, Name = "stem"), BatchNorm2d(Name = "stem_bn"), ReLU(Name = "x")]
        [Conv2d(4, 1, From = "x", Name = "b1")]
        [Conv2d(4, 1, From = "x", Name = "b2_reduce"), ReLU, Conv2d(4, 3, Padding = 1, Name = "b2")]
        [MaxPool2d(3, Stride = 1, Padding = 1, From = "x"), Conv2d(8, 1, Name = "b3")]
        [Concat("b1", "b2", "b3"), Add("x"), ReLU(Name = "y")]
        [Conv2d(16, 3, Padding = 1, From = "y", Name = "gate"), Sigmoid, Multiply("y")]
        [ConvTranspose2d(8, 2, Stride = 2, Name = "up"), AdaptiveAvgPool2d(1), Flatten, Linear(5, Name = "head")]
        public partial class InceptionResidual;
        """);

    [Fact]
    public void SegNetUnpooling() => VerifyNetwork("SegNetUnpooling", """
        [Network(3, 16, 16)]
        [Conv2d(16, 3, Padding = 1, Name = "enc"), ReLU, MaxPool2d(2, ReturnIndices = true, Name = "pool")]
        [Conv2d(16, 3, Padding = 1, Name = "mid"), ReLU, MaxUnpool2d(2, Indices = "pool"), Conv2d(3, 3, Padding = 1, Name = "dec")]
        [MaxPool2d(2, ReturnIndices = true, Name = "small"), MaxUnpool2d(2, Indices = "small")]
        public partial class SegNetUnpooling;
        """);
}
