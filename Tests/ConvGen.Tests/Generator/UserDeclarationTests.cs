namespace ConvGen.Tests.Generator;
/// <summary>Declarations as a PyTorch user would first write them (torchvision stems, the PyTorch MNIST example, 1-D, upsampling, transposed): no diagnostic, code that compiles.</summary>
public class UserDeclarationTests
{
    [Theory]
    [InlineData("[Network(3, 224, 224)] [Conv2d(64, 7, Stride = 2, Padding = 3, Bias = false), BatchNorm2d, ReLU, MaxPool2d(3, Stride = 2, Padding = 1)] [AdaptiveAvgPool2d(new[] { 1, 1 }), Flatten, Linear(1000)] public partial class R;")]
    [InlineData("[Network(1, 28, 28)] [Conv2d(1, 32, 3), ReLU, Conv2d(32, 64, 3), ReLU, MaxPool2d(2), Dropout(0.25), Flatten, Linear(9216, 128), ReLU, Dropout(0.5), Linear(128, 10), LogSoftmax(Dim = 1)] public partial class MnistExample;")]
    [InlineData("[Network(16, 100)] [Conv1d(32, 3, Padding = 1), BatchNorm1d(32), ReLU, MaxPool1d(2), Conv1d(64, 3, Padding = \"same\"), ReLU, AdaptiveAvgPool1d(1), Flatten, Linear(5)] public partial class Seq;")]
    [InlineData("[Network(3, 32, 32)] [Conv2d(16, kernelSize: 3, Padding = 1), ReLU, Upsample(ScaleFactor = 2, Mode = \"bilinear\", AlignCorners = true), Conv2d(3, 1), Tanh] public partial class Up;")]
    [InlineData("[Network(4, 8, 8)] [ConvTranspose2d(4, 2, 4, Stride = 2, Padding = 1), GELU, ChannelShuffle(2), Hardswish, SiLU] public partial class T;")]
    public void UserDeclarationsCompileCleanly(string declaration)
    {
        var r = GeneratorHarness.Run("using ConvGen;\n" + declaration);
        Assert.True(r.GeneratedText is not null, string.Join("\n", r.Reported("")));
        Assert.Empty(r.Reported(""));
    }
}
