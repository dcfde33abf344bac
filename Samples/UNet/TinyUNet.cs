using ConvGen;
using ConvGen.Samples;

namespace UNetSample;

// A two-level U-Net, layer for layer the TinyUNet of train_unet.py, with its state_dict names. The encoder outputs
// are named ("e1", "e2") so the decoder can concatenate them after each bilinear upsampling brings the resolution
// back up: Concat("e2") is torch.cat([up(m), e2], 1), the current output first.
[Network(1, 32, 32)]
[Conv2d(8, 3, Padding = 1, Bias = false, Name = "enc1.0"), BatchNorm2d(Name = "enc1.1"), ReLU(Name = "e1")]
[MaxPool2d(2), Conv2d(16, 3, Padding = 1, Bias = false, Name = "enc2.0"), BatchNorm2d(Name = "enc2.1"), ReLU(Name = "e2")]
[MaxPool2d(2), Conv2d(32, 3, Padding = 1, Bias = false, Name = "mid.0"), BatchNorm2d(Name = "mid.1"), ReLU]
[Upsample(ScaleFactor = 2, Mode = "bilinear"), Concat("e2")]
[Conv2d(16, 3, Padding = 1, Bias = false, Name = "dec2.0"), BatchNorm2d(Name = "dec2.1"), ReLU]
[Upsample(ScaleFactor = 2, Mode = "bilinear"), Concat("e1")]
[Conv2d(8, 3, Padding = 1, Bias = false, Name = "dec1.0"), BatchNorm2d(Name = "dec1.1"), ReLU]
[Conv2d(1, 1, Name = "head"), Sigmoid]
public partial class TinyUNet;

/// <summary>The sample's data files, its check against PyTorch and its IoU measurement (also run by the test suite).</summary>
public static class TinyUNetData
{
    public const string WeightsFile = "unet.safetensors";
    public const string ReferenceFile = "unet.reference.safetensors";

    /// <summary>Runs the network on the held-out images train_unet.py saved and compares with PyTorch's outputs.</summary>
    public static ParityResult CheckAgainstPyTorch(string directory)
    {
        TinyUNet net = TinyUNet.Load(Path.Combine(directory, WeightsFile));
        return ParityResult.Check(Path.Combine(directory, ReferenceFile), TinyUNet.InputLength, TinyUNet.OutputLength, (x, y) => net.Run(x, y));
    }

    /// <summary>
    /// Segments <paramref name="count"/> fresh synthetic images (p &gt; 0.5) and returns the IoU with the true masks,
    /// pooled over all pixels, and that of a plain threshold on the raw image (0.55, the best one on PyTorch's
    /// held-out set) for comparison.
    /// </summary>
    public static (double Network, double Threshold) MeasureIoU(TinyUNet net, int count, int seed)
    {
        var rng = new Random(seed);
        float[] image = new float[TinyUNet.InputLength], probability = new float[TinyUNet.OutputLength];
        bool[] truth = new bool[image.Length], predicted = new bool[image.Length], thresholded = new bool[image.Length];
        long netIntersection = 0, netUnion = 0, rawIntersection = 0, rawUnion = 0;
        for (int n = 0; n < count; n++)
        {
            Shapes.Generate(rng, image, truth);
            net.Run(image, probability);
            for (int i = 0; i < image.Length; i++) { predicted[i] = probability[i] > 0.5f; thresholded[i] = image[i] > 0.55f; }
            (int a, int b) = Shapes.Overlap(predicted, truth);
            netIntersection += a; netUnion += b;
            (a, b) = Shapes.Overlap(thresholded, truth);
            rawIntersection += a; rawUnion += b;
        }
        return ((double)netIntersection / netUnion, (double)rawIntersection / rawUnion);
    }
}
