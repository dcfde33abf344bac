using ConvGen;
using ConvGen.Samples;

namespace MobileNetSample;

// A small MobileNet (v1): a stride-2 stem, then depthwise-separable blocks, each a 3x3 depthwise convolution
// (Groups = channels: one filter per channel) and a 1x1 pointwise convolution that mixes the channels, each followed
// by BatchNorm (folded into the convolution at load) and ReLU6 (applied as the convolution stores its output).
// No names: the weights are keyed by nn.Sequential position, as make_mobilenet.py saves them ("0.weight",
// "1.running_mean", ..., "30.weight"); the ReLU6, pooling, Flatten and Dropout layers count.
[Network(3, 32, 32)]
[Conv2d(16, 3, Stride = 2, Padding = 1, Bias = false), BatchNorm2d, ReLU6]                 // 0..2    stem
[Conv2d(16, 3, Padding = 1, Groups = 16, Bias = false), BatchNorm2d, ReLU6]                // 3..5    depthwise
[Conv2d(24, 1, Bias = false), BatchNorm2d, ReLU6]                                          // 6..8    pointwise
[Conv2d(24, 3, Stride = 2, Padding = 1, Groups = 24, Bias = false), BatchNorm2d, ReLU6]    // 9..11
[Conv2d(48, 1, Bias = false), BatchNorm2d, ReLU6]                                          // 12..14
[Conv2d(48, 3, Padding = 1, Groups = 48, Bias = false), BatchNorm2d, ReLU6]                // 15..17
[Conv2d(48, 1, Bias = false), BatchNorm2d, ReLU6]                                          // 18..20
[Conv2d(48, 3, Stride = 2, Padding = 1, Groups = 48, Bias = false), BatchNorm2d, ReLU6]    // 21..23
[Conv2d(96, 1, Bias = false), BatchNorm2d, ReLU6]                                          // 24..26
[AdaptiveAvgPool2d(1), Flatten, Dropout(0.2), Linear(10)]                                   // 27..30  head
public partial class MobileNetTiny;

/// <summary>The sample's data files and its check against PyTorch (also run by the test suite).</summary>
public static class MobileNetData
{
    public const string WeightsFile = "mobilenet.safetensors";
    public const string ReferenceFile = "mobilenet.reference.safetensors";

    /// <summary>The depthwise-separable blocks: input channels, output channels, depthwise stride.</summary>
    public static readonly (int In, int Out, int Stride)[] Blocks = [(16, 24, 1), (24, 48, 2), (48, 48, 1), (48, 96, 2)];

    /// <summary>Runs the network on the inputs make_mobilenet.py saved and compares with PyTorch's outputs.</summary>
    public static ParityResult CheckAgainstPyTorch(string directory)
    {
        MobileNetTiny net = MobileNetTiny.Load(Path.Combine(directory, WeightsFile));
        return ParityResult.Check(Path.Combine(directory, ReferenceFile), MobileNetTiny.InputLength, MobileNetTiny.OutputLength, (x, y) => net.Run(x, y));
    }

    /// <summary>The per-layer table of the declaration (what the IDE shows on hover), ReLU6 rows left out.</summary>
    public static LayerTable Table()
    {
        var t = new LayerTable();
        int[] x = t.Conv2d("0", "Conv2d(16, 3, Stride = 2, Padding = 1, Bias = false)", [3, 32, 32], 16, 3, stride: 2, padding: 1, bias: false);
        x = t.BatchNorm("1", "BatchNorm2d + ReLU6", x);
        int position = 3;
        foreach ((int cin, int cout, int stride) in Blocks)
        {
            string strideText = stride > 1 ? $", Stride = {stride}" : "";
            x = t.Conv2d($"{position}", $"Conv2d({cin}, 3{strideText}, Padding = 1, Groups = {cin}, Bias = false)", x, cin, 3, stride, 1, groups: cin, bias: false);
            x = t.BatchNorm($"{position + 1}", "BatchNorm2d + ReLU6", x);
            x = t.Conv2d($"{position + 3}", $"Conv2d({cout}, 1, Bias = false)", x, cout, 1, bias: false);
            x = t.BatchNorm($"{position + 4}", "BatchNorm2d + ReLU6", x);
            position += 6;
        }
        x = t.Row($"{position}", "AdaptiveAvgPool2d(1), Flatten, Dropout(0.2)", [x[0]]);
        t.Linear($"{position + 3}", "Linear(10)", x[0], 10);
        return t;
    }
}
