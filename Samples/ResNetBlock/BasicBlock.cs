using ConvGen;
using ConvGen.Samples;

namespace ResNetBlockSample;

// torchvision's BasicBlock at the start of a ResNet stage: the main path halves the resolution and doubles the
// channels (conv-bn-relu-conv-bn), the shortcut matches it with a 1x1 stride-2 convolution and BatchNorm, and the two
// meet in Add then ReLU. The names are the PyTorch module's attribute names, so Load finds "conv1.weight",
// "shortcut.0.weight", ... in the state_dict; every BatchNorm is folded into the convolution before it at load.
[Network(8, 16, 16)]
[Conv2d(16, 3, Stride = 2, Padding = 1, Bias = false, Name = "conv1"), BatchNorm2d(Name = "bn1"), ReLU]
[Conv2d(16, 3, Padding = 1, Bias = false, Name = "conv2"), BatchNorm2d(Name = "bn2")]
[Conv2d(16, 1, Stride = 2, Bias = false, From = "input", Name = "shortcut.0"), BatchNorm2d(Name = "shortcut.1")]
[Add("bn2"), ReLU]
public partial class BasicBlock;

/// <summary>The sample's data files and its check against PyTorch (also run by the test suite).</summary>
public static class BasicBlockData
{
    public const string WeightsFile = "resnet_block.safetensors";
    public const string ReferenceFile = "resnet_block.reference.safetensors";

    /// <summary>Runs the block on the inputs make_resnet_block.py saved and compares with PyTorch's outputs.</summary>
    public static ParityResult CheckAgainstPyTorch(string directory)
    {
        BasicBlock block = BasicBlock.Load(Path.Combine(directory, WeightsFile));
        return ParityResult.Check(Path.Combine(directory, ReferenceFile), BasicBlock.InputLength, BasicBlock.OutputLength, (x, y) => block.Run(x, y));
    }

    /// <summary>The per-layer table of the declaration (what the IDE shows on hover).</summary>
    public static LayerTable Table()
    {
        var t = new LayerTable();
        int[] x = [8, 16, 16];
        int[] a = t.Conv2d("conv1", "Conv2d(16, 3, Stride = 2, Padding = 1, Bias = false)", x, 16, 3, stride: 2, padding: 1, bias: false);
        a = t.BatchNorm("bn1", "BatchNorm2d", a);
        a = t.Row("2", "ReLU", a);
        a = t.Conv2d("conv2", "Conv2d(16, 3, Padding = 1, Bias = false)", a, 16, 3, padding: 1, bias: false);
        a = t.BatchNorm("bn2", "BatchNorm2d", a);
        int[] s = t.Conv2d("shortcut.0", "Conv2d(16, 1, Stride = 2, Bias = false, From = \"input\")", x, 16, 1, stride: 2, bias: false);
        s = t.BatchNorm("shortcut.1", "BatchNorm2d", s);
        t.Row("7", "Add(\"bn2\")  (shortcut.1 + bn2)", s);
        t.Row("8", "ReLU", s);
        return t;
    }
}
