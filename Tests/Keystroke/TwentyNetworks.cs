namespace ConvGen.Keystroke;

/// <summary>
/// A file of 20 realistic networks (classifiers, residual and inception blocks, U-Net, 1-D, depthwise), as one user
/// file: the workload of the keystroke benchmark and of the test that counts what re-runs on an edit.
/// </summary>
internal static class TwentyNetworks
{
    /// <summary>Network 7's second convolution, which the "network" edit changes (kernel 3 ↔ 5).</summary>
    public const string EditedLayer = "Conv2d(32, 3, Padding = 1, Name = \"vgg2\")";
    public const string EditedLayerAfter = "Conv2d(32, 5, Padding = 2, Name = \"vgg2\")";

    /// <summary>A line in a method of a plain class at the end of the file, which the "elsewhere" edit changes.</summary>
    public const string EditedStatement = "int total = 0;";
    public const string EditedStatementAfter = "int total = 1;";

    public const string Source = """
        using ConvGen;

        namespace Models;

        [Network(1, 28, 28)]
        [Conv2d(6, 5, Padding = 2), ReLU, MaxPool2d(2)]
        [Conv2d(16, 5), ReLU, MaxPool2d(2)]
        [Flatten, Linear(120), ReLU, Linear(84), ReLU, Linear(10)]
        public partial class LeNet5;

        [Network(1, 28, 28)]
        [Conv2d(1, 32, 3), ReLU, Conv2d(32, 64, 3), ReLU, MaxPool2d(2), Dropout(0.25)]
        [Flatten, Linear(9216, 128), ReLU, Dropout(0.5), Linear(128, 10), LogSoftmax(Dim = 1)]
        public partial class MnistExample;

        [Network(16, 32, 32)]
        [Conv2d(32, 3, Stride = 2, Padding = 1, Bias = false, Name = "conv1"), BatchNorm2d(Name = "bn1"), ReLU]
        [Conv2d(32, 3, Padding = 1, Bias = false, Name = "conv2"), BatchNorm2d(Name = "bn2")]
        [Conv2d(32, 1, Stride = 2, Bias = false, From = "input", Name = "downsample.0"), BatchNorm2d(Name = "downsample.1")]
        [Add("bn2"), ReLU]
        public partial class ResNetBlock;

        [Network(3, 64, 64)]
        [Conv2d(16, 3, Stride = 2, Padding = 1, Bias = false), BatchNorm2d, ReLU6]
        [Conv2d(16, 3, Padding = 1, Groups = 16, Bias = false), BatchNorm2d, ReLU6, Conv2d(32, 1, Bias = false), BatchNorm2d, ReLU6]
        [Conv2d(32, 3, Stride = 2, Padding = 1, Groups = 32, Bias = false), BatchNorm2d, ReLU6, Conv2d(64, 1, Bias = false), BatchNorm2d, ReLU6]
        [AdaptiveAvgPool2d(1), Flatten, Dropout(0.2), Linear(10)]
        public partial class MobileNetTiny;

        [Network(64, 28, 28)]
        [Conv2d(16, 1, Name = "squeeze"), ReLU(Name = "s")]
        [Conv2d(32, 1, From = "s", Name = "expand1x1"), ReLU(Name = "e1")]
        [Conv2d(32, 3, Padding = 1, From = "s", Name = "expand3x3"), ReLU(Name = "e3")]
        [Concat("e1", "e3")]
        public partial class Fire;

        [Network(64, 28, 28)]
        [Conv2d(16, 1, Name = "b1")]
        [Conv2d(24, 1, From = "input", Name = "b2_reduce"), ReLU, Conv2d(32, 3, Padding = 1, Name = "b2")]
        [Conv2d(4, 1, From = "input", Name = "b3_reduce"), ReLU, Conv2d(8, 5, Padding = 2, Name = "b3")]
        [MaxPool2d(3, Stride = 1, Padding = 1, From = "input"), Conv2d(8, 1, Name = "b4")]
        [Concat("b1", "b2", "b3", "b4"), ReLU]
        public partial class Inception;

        [Network(3, 32, 32)]
        [Conv2d(16, 3, Padding = 1, Name = "b1"), ReLU(Name = "x")]
        [Conv2d(32, 3, Padding = 1, Name = "vgg2"), ReLU, MaxPool2d(2), Conv2d(32, 3, Padding = 1), ReLU]
        [AdaptiveAvgPool2d(1), Flatten, Linear(10)]
        public partial class SmallVgg;

        [Network(1, 32, 32)]
        [Conv2d(8, 3, Padding = 1, Name = "enc1"), ReLU(Name = "e1"), MaxPool2d(2)]
        [Conv2d(16, 3, Padding = 1, Name = "enc2"), ReLU(Name = "e2"), MaxPool2d(2)]
        [Conv2d(32, 3, Padding = 1, Name = "mid"), ReLU]
        [ConvTranspose2d(16, 2, Stride = 2, Name = "up2"), Concat("e2"), Conv2d(16, 3, Padding = 1, Name = "dec2"), ReLU]
        [ConvTranspose2d(8, 2, Stride = 2, Name = "up1"), Concat("e1"), Conv2d(8, 3, Padding = 1, Name = "dec1"), ReLU]
        [Conv2d(1, 1, Name = "out"), Sigmoid]
        public partial class TinyUNet;

        [Network(1, 49, 10)]
        [Conv2d(64, new[] { 10, 4 }, Stride = 2, Padding = new[] { 5, 1 }, Bias = false), BatchNorm2d, ReLU]
        [Conv2d(64, 3, Padding = 1, Groups = 64, Bias = false), BatchNorm2d, ReLU, Conv2d(64, 1, Bias = false), BatchNorm2d, ReLU]
        [Conv2d(64, 3, Padding = 1, Groups = 64, Bias = false), BatchNorm2d, ReLU, Conv2d(64, 1, Bias = false), BatchNorm2d, ReLU]
        [AdaptiveAvgPool2d(1), Flatten, Linear(12)]
        public partial class DsCnn;

        [Network(70, 64)]
        [Conv1d(64, 3, Padding = 1), ReLU, Conv1d(64, 5, Padding = 2), ReLU, AdaptiveMaxPool1d(1)]
        [Flatten, Dropout(0.3), Linear(6), Softmax(Dim = 1)]
        public partial class TextCnn;

        [Network(40, 98)]
        [Conv1d(32, 5, Stride = 2, PaddingMode = "replicate", Padding = 2), BatchNorm1d, LeakyReLU(0.1)]
        [MaxPool1d(3, Stride = 2, CeilMode = true), Conv1d(32, 3, Padding = "same", Dilation = 2), Sigmoid]
        [AvgPool1d(2), Flatten, Linear(12), LogSoftmax(Dim = -1)]
        public partial class KeywordSpotting;

        [Network(1, 64, 64)]
        [Conv2d(1, new[] { 3, 1 }, Padding = new[] { 1, 0 }, Bias = false, Name = "smooth")]
        [Conv2d(1, new[] { 1, 3 }, Padding = new[] { 0, 1 }, Bias = false, Name = "diff")]
        public partial class Sobel;

        [Network(8, 24, 24)]
        [Conv2d(16, 3, Padding = 1, Name = "features"), ReLU(Name = "f")]
        [Conv2d(16, 3, Padding = 1, From = "input", Name = "gate"), Sigmoid, Multiply("f")]
        [Conv2d(4, 1, Name = "head")]
        public partial class GatedConv;

        [Network(1, 28, 28)]
        [Conv2d(16, 3, Stride = 2, Padding = 1), ReLU, Conv2d(32, 3, Stride = 2, Padding = 1), ReLU]
        [ConvTranspose2d(16, 4, Stride = 2, Padding = 1), ReLU, ConvTranspose2d(1, 4, Stride = 2, Padding = 1), Sigmoid]
        public partial class AutoEncoder;

        [Network(3, 96, 96)]
        [Conv2d(24, 3, Stride = 2, Padding = 1, Bias = false), BatchNorm2d, ReLU, MaxPool2d(3, Stride = 2, Padding = 1)]
        [Conv2d(24, 1, Bias = false), BatchNorm2d, ReLU, ChannelShuffle(2)]
        [Conv2d(24, 3, Padding = 1, Groups = 24, Bias = false), BatchNorm2d, Conv2d(48, 1, Bias = false), BatchNorm2d, ReLU]
        [AdaptiveAvgPool2d(1), Flatten, Linear(100)]
        public partial class ShuffleLike;

        [Network(3, 32, 32)]
        [Conv2d(16, 3, Padding = 1, Bias = false, Name = "stem"), BatchNorm2d(Name = "stem_bn"), ReLU(Name = "x0")]
        [Conv2d(16, 3, Padding = 1, Bias = false), BatchNorm2d, ReLU, Conv2d(16, 3, Padding = 1, Bias = false), BatchNorm2d, Add("x0"), ReLU(Name = "x1")]
        [Conv2d(16, 3, Padding = 1, Bias = false), BatchNorm2d, ReLU, Conv2d(16, 3, Padding = 1, Bias = false), BatchNorm2d, Add("x1"), ReLU]
        [AdaptiveAvgPool2d(1), Flatten, Linear(10)]
        public partial class ResNet8Like;

        [Network(3, 224, 224)]
        [Conv2d(64, 7, Stride = 2, Padding = 3, Bias = false), BatchNorm2d, ReLU, MaxPool2d(3, Stride = 2, Padding = 1)]
        [AdaptiveAvgPool2d(new[] { 1, 1 }), Flatten, Linear(1000)]
        public partial class ResNetStem;

        [Network(3, 32, 32)]
        [Conv2d(16, kernelSize: 3, Padding = 1), ReLU, Upsample(ScaleFactor = 2, Mode = "bilinear", AlignCorners = true), Conv2d(3, 1), Tanh]
        public partial class Upscaler;

        [Network(4, 8, 8)]
        [ConvTranspose2d(4, 2, 4, Stride = 2, Padding = 1), GELU, ChannelShuffle(2), Hardswish, SiLU]
        [ReflectionPad2d(1), Conv2d(8, 3), ZeroPad2d(new[] { 1, 1, 0, 0 }), AvgPool2d(2, CountIncludePad = false)]
        public partial class Mixed;

        [Network(3, 48, 48)]
        [Conv2d(32, 3, Padding = 1), ReLU, MaxPool2d(2), Conv2d(64, 3, Padding = 1), ReLU, MaxPool2d(2)]
        [Conv2d(128, 3, Padding = 1), ReLU, AdaptiveAvgPool2d(1), Flatten, Dropout(0.5), Linear(7)]
        public partial class FaceExpression;

        public static class Usage
        {
            public static int Count()
            {
                int total = 0;
                total += LeNet5.OutputLength + Inception.OutputLength + TinyUNet.OutputLength;
                return total;
            }
        }
        """;
}
