using ConvGen;
using ConvGen.Samples;

namespace UnpoolSample;

// The SegNetAutoencoder of train_unpool.py, layer for layer, with its state_dict names. Each MaxPool2d keeps its
// indices (ReturnIndices = true, as return_indices=True) under its name, and each MaxUnpool2d puts the decoder's values
// back at those positions: MaxUnpool2d(2, Indices = "pool2") is self.unpool(m, i2). The pools are unnamed modules in
// PyTorch (one nn.MaxPool2d object used twice), so their names here are only for the wiring.
[Network(1, 32, 32)]
[Conv2d(16, 3, Padding = 1, Name = "enc1"), ReLU, MaxPool2d(2, ReturnIndices = true, Name = "pool1")]
[Conv2d(32, 3, Padding = 1, Name = "enc2"), ReLU, MaxPool2d(2, ReturnIndices = true, Name = "pool2")]
[Conv2d(32, 3, Padding = 1, Name = "mid"), ReLU]
[MaxUnpool2d(2, Indices = "pool2"), Conv2d(16, 3, Padding = 1, Name = "dec2"), ReLU]
[MaxUnpool2d(2, Indices = "pool1"), Conv2d(1, 3, Padding = 1, Name = "dec1")]
public partial class SegNetAutoencoder;

/// <summary>The sample's data files, its check against PyTorch and its denoising measurement (also run by the test suite).</summary>
public static class SegNetAutoencoderData
{
    public const string WeightsFile = "unpool.safetensors";
    public const string ReferenceFile = "unpool.reference.safetensors";

    /// <summary>Runs the network on the held-out images train_unpool.py saved and compares with PyTorch's outputs.</summary>
    public static ParityResult CheckAgainstPyTorch(string directory)
    {
        SegNetAutoencoder net = SegNetAutoencoder.Load(Path.Combine(directory, WeightsFile));
        return ParityResult.Check(Path.Combine(directory, ReferenceFile), SegNetAutoencoder.InputLength, SegNetAutoencoder.OutputLength, (x, y) => net.Run(x, y));
    }

    /// <summary>
    /// Mean squared error to the clean images over <paramref name="count"/> fresh noisy ones: of the network's
    /// reconstruction, of a 3×3 box blur, and of the noisy input itself.
    /// </summary>
    public static (double Network, double Blur, double Noisy) MeasureDenoising(SegNetAutoencoder net, int count, int seed)
    {
        var rng = new Random(seed);
        float[] noisy = new float[SegNetAutoencoder.InputLength], clean = new float[noisy.Length];
        float[] restored = new float[SegNetAutoencoder.OutputLength], blurred = new float[noisy.Length];
        double network = 0, blur = 0, input = 0;
        for (int n = 0; n < count; n++)
        {
            NoisyShapes.Generate(rng, noisy, clean);
            net.Run(noisy, restored);
            NoisyShapes.BoxBlur(noisy, blurred);
            network += NoisyShapes.MeanSquaredError(restored, clean);
            blur += NoisyShapes.MeanSquaredError(blurred, clean);
            input += NoisyShapes.MeanSquaredError(noisy, clean);
        }
        return (network / count, blur / count, input / count);
    }
}
