using ConvGen.Networks;
using ConvGen.Runtime.Weights;

namespace ConvGen.Tests.Generated;

/// <summary>
/// Weights embedded at compile time through the real compiler (see the AdditionalFiles in this project): a small
/// file pasted into the generated source, a large one travelling as a manifest resource (build/ConvGen.targets).
/// </summary>
public partial class EmbeddedWeightsTests
{
    private static readonly string Data = Path.Combine(AppContext.BaseDirectory, "Golden", "data");

    [Network(3, 8, 8, Weights = "conv_basic.safetensors")]
    [Conv2d(4, 3)]
    public partial class ConvBasicEmbedded;

    [Network(3, 32, 32, Weights = "peer_resnet8.safetensors")]
    [Conv2d(16, 3, Padding = 1, Name = "stem"), BatchNorm2d(Eps = 1e-3, Name = "stem_bn"), ReLU(Name = "s0")]
    [Conv2d(16, 3, Padding = 1, Name = "stack1.conv1"), BatchNorm2d(Eps = 1e-3, Name = "stack1.bn1"), ReLU]
    [Conv2d(16, 3, Padding = 1, Name = "stack1.conv2"), BatchNorm2d(Eps = 1e-3, Name = "stack1.bn2"), Add("s0"), ReLU(Name = "s1")]
    [ZeroPad2d(new[] { 0, 1, 0, 1 }), Conv2d(32, 3, Stride = 2, Name = "stack2.conv1"), BatchNorm2d(Eps = 1e-3, Name = "stack2.bn1"), ReLU]
    [Conv2d(32, 3, Padding = 1, Name = "stack2.conv2"), BatchNorm2d(Eps = 1e-3, Name = "stack2.bn2")]
    [Conv2d(32, 1, Stride = 2, From = "s1", Name = "stack2.shortcut"), Add("stack2.bn2"), ReLU(Name = "s2")]
    [ZeroPad2d(new[] { 0, 1, 0, 1 }), Conv2d(64, 3, Stride = 2, Name = "stack3.conv1"), BatchNorm2d(Eps = 1e-3, Name = "stack3.bn1"), ReLU]
    [Conv2d(64, 3, Padding = 1, Name = "stack3.conv2"), BatchNorm2d(Eps = 1e-3, Name = "stack3.bn2")]
    [Conv2d(64, 1, Stride = 2, From = "s2", Name = "stack3.shortcut"), Add("stack3.bn2"), ReLU]
    [AvgPool2d(8), Flatten, Linear(10, Name = "fc"), Softmax(Dim = 1)]
    public partial class ResNet8Embedded;

    private static float[] Run(Action<float[], float[]> run, int outputLength, string io, int[] inputShape, int[] outputShape, out float[] expected)
    {
        var reader = SafeTensorsReader.Open(File.ReadAllBytes(Path.Combine(Data, io)));
        float[] input = reader.ReadFloat32("input", inputShape);
        expected = reader.ReadFloat32("output", outputShape);
        float[] output = new float[outputLength];
        run(input, output);
        return output;
    }

    [Fact]
    public void SmallFilePastedAsDataGivesPyTorchsOutput()
    {
        ConvBasicEmbedded net = ConvBasicEmbedded.Load();
        float[] y = Run((x, o) => net.Run(x, o), ConvBasicEmbedded.OutputLength, "conv_basic.io.safetensors", new[] { 3, 8, 8 }, new[] { 4, 6, 6 }, out float[] expected);
        double tolerance = 1e-4 * Math.Max(1, expected.Max(Math.Abs));
        for (int i = 0; i < y.Length; i++) Assert.True(Math.Abs(y[i] - expected[i]) <= tolerance, $"{i}: {y[i]} vs {expected[i]}");
    }

    [Fact]
    public void LargeFileAsResourceGivesTheSameAsLoadingTheFile()
    {
        ResNet8Embedded embedded = ResNet8Embedded.Load();
        PeerResNet8 fromFile = PeerResNet8.Load(Path.Combine(Data, "peer_resnet8.safetensors"));
        float[] a = Run((x, o) => embedded.Run(x, o), 10, "peer_resnet8.io.safetensors", new[] { 3, 32, 32 }, new[] { 10 }, out float[] expected);
        float[] b = Run((x, o) => fromFile.Run(x, o), 10, "peer_resnet8.io.safetensors", new[] { 3, 32, 32 }, new[] { 10 }, out _);
        Assert.Equal(b, a);
        for (int i = 0; i < a.Length; i++) Assert.True(Math.Abs(a[i] - expected[i]) <= 1e-4, $"{i}: {a[i]} vs {expected[i]}");
    }
}
