using ConvGen;
using ConvGen.Samples;

namespace GatedConvSample;

// A gated convolution: y = sigmoid(gate(x)) * feat(x). Both convolutions read the network's input (the gate says
// From = "input"); Multiply("feat") multiplies the current output, the sigmoid of the gate, by the named one.
[Network(3, 16, 16)]
[Conv2d(8, 3, Padding = 1, Name = "feat")]
[Conv2d(8, 3, Padding = 1, From = "input", Name = "gate"), Sigmoid, Multiply("feat")]
public partial class GatedConv;

// The same layers and weights with the two halves side by side instead of multiplied, to look inside: the output's
// first 8 channels are the gate values sigmoid(gate(x)), the next 8 the features feat(x).
[Network(3, 16, 16)]
[Conv2d(8, 3, Padding = 1, Name = "feat")]
[Conv2d(8, 3, Padding = 1, From = "input", Name = "gate"), Sigmoid, Concat("feat")]
public partial class GatedConvProbe;

/// <summary>The sample's data files and its check against PyTorch (also run by the test suite).</summary>
public static class GatedConvData
{
    public const string WeightsFile = "gated_conv.safetensors";
    public const string ReferenceFile = "gated_conv.reference.safetensors";

    /// <summary>Runs the gated convolution on the inputs make_gated_conv.py saved and compares with PyTorch's outputs.</summary>
    public static ParityResult CheckAgainstPyTorch(string directory)
    {
        GatedConv net = GatedConv.Load(Path.Combine(directory, WeightsFile));
        return ParityResult.Check(Path.Combine(directory, ReferenceFile), GatedConv.InputLength, GatedConv.OutputLength, (x, y) => net.Run(x, y));
    }

    /// <summary>The largest |GatedConv(x) - gate * feat| with gate and feat from <see cref="GatedConvProbe"/>: the two networks agree.</summary>
    public static double ProbeDisagreement(GatedConv net, GatedConvProbe probe, ReadOnlySpan<float> input)
    {
        float[] y = new float[GatedConv.OutputLength], halves = new float[GatedConvProbe.OutputLength];
        net.Run(input, y);
        probe.Run(input, halves);
        float[] product = new float[y.Length];
        for (int i = 0; i < y.Length; i++) product[i] = halves[i] * halves[y.Length + i];
        return Parity.MaxAbsError(y, product);
    }
}
