using ConvGen.Samples;
using GatedConvSample;
using InceptionSample;
using MobileNetSample;
using ResNetBlockSample;
using SobelSample;
using TextCnnSample;
using UNetSample;
using UnpoolSample;

namespace ConvGen.Tests.Samples;

/// <summary>
/// The samples' networks (Samples/*/, compiled into this project with their data) against the PyTorch outputs they
/// ship with, and their layer tables, IoU and accuracy: what each sample's Main checks, without the console output.
/// </summary>
public sealed class SampleTests
{
    private static string Folder(string sample) => Path.Combine(AppContext.BaseDirectory, "Samples", sample);

    [Fact]
    public void ResNetBlockMatchesPyTorchAndItsTable()
    {
        ParityResult parity = BasicBlockData.CheckAgainstPyTorch(Folder("ResNetBlock"));
        Assert.True(parity.Passed && parity.Samples == 2, parity.ToString());
        (bool ok, string message) = BasicBlockData.Table().Verify(BasicBlock.OutputShape, BasicBlock.ParameterCount, BasicBlock.MultiplyAccumulates);
        Assert.True(ok, message);
    }

    [Fact]
    public void InceptionMatchesPyTorchAndItsTable()
    {
        ParityResult parity = InceptionData.CheckAgainstPyTorch(Folder("Inception"));
        Assert.True(parity.Passed && parity.Samples == 2, parity.ToString());
        (bool ok, string message) = InceptionData.Table().Verify(InceptionModule.OutputShape, InceptionModule.ParameterCount, InceptionModule.MultiplyAccumulates);
        Assert.True(ok, message);
        Assert.Equal(InceptionModule.OutputShape[0], InceptionData.Branches.Sum(b => b.Channels));
    }

    [Fact]
    public void MobileNetMatchesPyTorchAndItsTable()
    {
        ParityResult parity = MobileNetData.CheckAgainstPyTorch(Folder("MobileNet"));
        Assert.True(parity.Passed && parity.Samples == 2, parity.ToString());
        (bool ok, string message) = MobileNetData.Table().Verify(MobileNetTiny.OutputShape, MobileNetTiny.ParameterCount, MobileNetTiny.MultiplyAccumulates);
        Assert.True(ok, message);
    }

    [Fact]
    public void GatedConvMatchesPyTorchAndTheProductOfItsHalves()
    {
        ParityResult parity = GatedConvData.CheckAgainstPyTorch(Folder("GatedConv"));
        Assert.True(parity.Passed && parity.Samples == 2, parity.ToString());
        string weights = Path.Combine(Folder("GatedConv"), GatedConvData.WeightsFile);
        float[] input = SafeTensors.Read(Path.Combine(Folder("GatedConv"), GatedConvData.ReferenceFile))["inputs"].Slice(1).ToArray();
        double difference = GatedConvData.ProbeDisagreement(GatedConv.Load(weights), GatedConvProbe.Load(weights), input);
        Assert.True(difference <= 1e-6, $"GatedConv differs from sigmoid(gate) * feat of the probe network by {difference}");
    }

    [Fact]
    public void UNetMatchesPyTorchAndSegmentsFreshImages()
    {
        ParityResult parity = TinyUNetData.CheckAgainstPyTorch(Folder("UNet"));
        Assert.True(parity.Passed && parity.Samples == 2, parity.ToString());
        (double iou, double thresholdIoU) = TinyUNetData.MeasureIoU(TinyUNet.Load(Path.Combine(Folder("UNet"), TinyUNetData.WeightsFile)), 100, seed: 11);
        Assert.True(iou > 0.9, $"IoU {iou:F3} on 100 fresh images (PyTorch's held-out IoU is 0.948)");
        Assert.True(thresholdIoU < 0.7, $"a plain threshold reaches IoU {thresholdIoU:F3}: the task would not need a network");
    }

    [Fact]
    public void UnpoolAutoencoderMatchesPyTorchAndDenoisesFreshImages()
    {
        ParityResult parity = SegNetAutoencoderData.CheckAgainstPyTorch(Folder("Unpool"));
        Assert.True(parity.Passed && parity.Samples == 2, parity.ToString());
        var net = SegNetAutoencoder.Load(Path.Combine(Folder("Unpool"), SegNetAutoencoderData.WeightsFile));
        (double network, double blur, double noisy) = SegNetAutoencoderData.MeasureDenoising(net, 100, seed: 11);
        // PyTorch's held-out MSE is 0.0078; a 3x3 box blur leaves about 0.022, the noise itself 0.12.
        Assert.True(network < 0.012, $"reconstruction MSE {network:F4} on 100 fresh images");
        Assert.True(network < blur / 2 && blur < noisy, $"reconstruction {network:F4}, box blur {blur:F4}, noisy input {noisy:F4}");
    }

    [Fact]
    public void TextCnnMatchesPyTorchAndClassifiesFreshStrings()
    {
        var (parity, strings, probabilities, _) = TextCnnData.CheckAgainstPyTorch(Folder("TextCnn"));
        Assert.True(parity.Passed && parity.Samples == strings.Length && strings.Length >= 10, parity.ToString());
        Assert.All(probabilities, p => Assert.InRange(p.Sum(), 0.9999f, 1.0001f));
        (double accuracy, _) = TextCnnData.MeasureAccuracy(TextCnn.Load(Path.Combine(Folder("TextCnn"), TextCnnData.WeightsFile)), 600, seed: 3);
        Assert.True(accuracy > 0.95, $"accuracy {accuracy:P2} on 600 fresh strings");
    }

    [Fact]
    public void TextCnnEncodingIsOneHotAndCutsAt32()
    {
        float[] input = new float[TextCnn.InputLength];
        TextCnnData.Encode("A@" + new string('x', 40) + "é", input);
        Assert.Equal(1f, input[TextCnnData.Alphabet.IndexOf('a') * TextCnnData.Length + 0]);   // lower-cased
        Assert.Equal(1f, input[TextCnnData.Alphabet.IndexOf('@') * TextCnnData.Length + 1]);
        Assert.Equal(TextCnnData.Length, input.Sum());                                           // one per position, cut at 32
        TextCnnData.Encode("é!", input);
        Assert.Equal(0f, input.Sum());                                                            // outside the alphabet: zeros
    }

    [Fact]
    public void SobelSeparableEqualsFullAndTheNaiveLoop()
    {
        (double separableVsFull, double vsNaive, float[] gx, _) = Sobel.Compute(Sobel.Image());
        Assert.True(separableVsFull <= 1e-5, $"separable vs full: {separableVsFull}");
        Assert.True(vsNaive <= 1e-5, $"networks vs the naive loop: {vsNaive}");
        Assert.True(gx.Max() > 3f && gx.Min() < -3f, "the square's left and right edges give strong Gx of both signs");
        Assert.Equal(5148, SobelSeparable.MultiplyAccumulates);   // 3 x (22 x 40) + 3 x (22 x 38)
        Assert.Equal(7524, SobelFull.MultiplyAccumulates);        // 9 x (22 x 38)
    }
}
