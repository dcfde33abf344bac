using ConvGen;
using ConvGen.Samples;

namespace InceptionSample;

// GoogLeNet's Inception module: four branches read the same input (From = "input") and Concat joins their outputs
// along the channels, in the order named. Each convolution is torchvision's BasicConv2d: a conv without bias, a
// BatchNorm with eps 0.001 (folded into the conv at load), a ReLU. Names are the PyTorch module's state_dict keys;
// the last ReLU of each branch is named ("b1" .. "b4") so that Concat can refer to it.
[Network(16, 8, 8)]
[Conv2d(8, 1, Bias = false, Name = "branch1.conv"), BatchNorm2d(Eps = 0.001, Name = "branch1.bn"), ReLU(Name = "b1")]
[Conv2d(8, 1, Bias = false, From = "input", Name = "branch2.0.conv"), BatchNorm2d(Eps = 0.001, Name = "branch2.0.bn"), ReLU]
[Conv2d(12, 3, Padding = 1, Bias = false, Name = "branch2.1.conv"), BatchNorm2d(Eps = 0.001, Name = "branch2.1.bn"), ReLU(Name = "b2")]
[Conv2d(4, 1, Bias = false, From = "input", Name = "branch3.0.conv"), BatchNorm2d(Eps = 0.001, Name = "branch3.0.bn"), ReLU]
[Conv2d(6, 5, Padding = 2, Bias = false, Name = "branch3.1.conv"), BatchNorm2d(Eps = 0.001, Name = "branch3.1.bn"), ReLU(Name = "b3")]
[MaxPool2d(3, Stride = 1, Padding = 1, CeilMode = true, From = "input")]
[Conv2d(6, 1, Bias = false, Name = "branch4.1.conv"), BatchNorm2d(Eps = 0.001, Name = "branch4.1.bn"), ReLU(Name = "b4")]
[Concat("b1", "b2", "b3", "b4")]
public partial class InceptionModule;

/// <summary>The sample's data files and its check against PyTorch (also run by the test suite).</summary>
public static class InceptionData
{
    public const string WeightsFile = "inception.safetensors";
    public const string ReferenceFile = "inception.reference.safetensors";

    /// <summary>The branches in Concat order: name, output channels, what it computes, receptive field in input pixels.</summary>
    public static readonly (string Name, int Channels, string What, int Field)[] Branches =
    [
        ("b1", 8, "1×1", 1),
        ("b2", 12, "1×1 → 3×3", 3),
        ("b3", 6, "1×1 → 5×5", 5),
        ("b4", 6, "3×3 max-pool → 1×1", 3),
    ];

    /// <summary>Runs the module on the inputs make_inception.py saved and compares with PyTorch's outputs.</summary>
    public static ParityResult CheckAgainstPyTorch(string directory)
    {
        InceptionModule module = InceptionModule.Load(Path.Combine(directory, WeightsFile));
        return ParityResult.Check(Path.Combine(directory, ReferenceFile), InceptionModule.InputLength, InceptionModule.OutputLength, (x, y) => module.Run(x, y));
    }

    /// <summary>The per-layer table of the declaration (what the IDE shows on hover).</summary>
    public static LayerTable Table()
    {
        var t = new LayerTable();
        int[] x = [16, 8, 8];
        int position = 0;
        int[] Basic(string prefix, int[] input, int outChannels, int kernel, int padding, string from = "")
        {
            int[] y = t.Conv2d($"{prefix}.conv", $"Conv2d({outChannels}, {kernel}{(padding > 0 ? $", Padding = {padding}" : "")}, Bias = false{from})", input, outChannels, kernel, padding: padding, bias: false);
            y = t.BatchNorm($"{prefix}.bn", "BatchNorm2d(Eps = 0.001)", y);
            position += 3;
            return t.Row($"{position - 1}", "ReLU", y);
        }
        Basic("branch1", x, 8, 1, 0);
        Basic("branch2.1", Basic("branch2.0", x, 8, 1, 0, ", From = \"input\""), 12, 3, 1);
        Basic("branch3.1", Basic("branch3.0", x, 4, 1, 0, ", From = \"input\""), 6, 5, 2);
        int[] pooled = t.Row($"{position++}", "MaxPool2d(3, Stride = 1, Padding = 1, CeilMode = true, From = \"input\")", x);
        Basic("branch4.1", pooled, 6, 1, 0);
        t.Row($"{position}", "Concat(\"b1\", \"b2\", \"b3\", \"b4\")", [32, 8, 8]);
        return t;
    }
}
