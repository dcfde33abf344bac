using System.IO.Compression;
using System.Text.Json;
using ConvGen.Networks;
using ConvGen.Runtime.Weights;

namespace ConvGen.Tests.Generated;

/// <summary>The generated members behave as the contract says (section 5), on real networks with real weights.</summary>
public class GeneratedApiTests
{
    private static readonly string Data = Path.Combine(AppContext.BaseDirectory, "Golden", "data");

    private static (float[] Input, float[] Output) ReadIo(string name, int inputLength, int outputLength)
    {
        var reader = SafeTensorsReader.Open(File.ReadAllBytes(Path.Combine(Data, name + ".io.safetensors")));
        float[] input = reader.ReadFloat32("input", PeerShape(name, "input"));
        float[] output = reader.ReadFloat32("output", PeerShape(name, "output"));
        Assert.Equal(inputLength, input.Length);
        Assert.Equal(outputLength, output.Length);
        return (input, output);
    }

    private static int[] PeerShape(string name, string which) => (name, which) switch
    {
        ("peer_resnet8", "input") => new[] { 3, 32, 32 },
        ("peer_resnet8", _) => new[] { 10 },
        ("peer_dscnn", "input") => new[] { 1, 49, 10 },
        _ => new[] { 12 },
    };

    [Fact]
    public void RunAllocatesNothingAfterWarmUp()
    {
        PeerResNet8 resnet = PeerResNet8.Load(Path.Combine(Data, "peer_resnet8.safetensors"));
        PeerDSCNN dscnn = PeerDSCNN.Load(Path.Combine(Data, "peer_dscnn.safetensors"));
        (float[] x1, _) = ReadIo("peer_resnet8", PeerResNet8.InputLength, PeerResNet8.OutputLength);
        (float[] x2, _) = ReadIo("peer_dscnn", PeerDSCNN.InputLength, PeerDSCNN.OutputLength);
        float[] y1 = new float[PeerResNet8.OutputLength], y2 = new float[PeerDSCNN.OutputLength];
        float[] batchIn = new float[3 * PeerDSCNN.InputLength], batchOut = new float[3 * PeerDSCNN.OutputLength];
        for (int i = 0; i < 50; i++) { resnet.Run(x1, y1); dscnn.Run(x2, y2); dscnn.Run(batchIn, batchOut, 3); }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++) { resnet.Run(x1, y1); dscnn.Run(x2, y2); dscnn.Run(batchIn, batchOut, 3); }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void RunAllocatesNothingWithLargeDepthwisePlanes()
    {
        // 8×96×96 planes are past the depthwise kernel's stack scratch, so it rents from the pool: still nothing
        // may be allocated once warm.
        var random = new Random(11);
        float[] Values(int n) => Enumerable.Range(0, n).Select(_ => random.NextSingle() - 0.5f).ToArray();
        LargeDepthwise net = LargeDepthwise.Load(ConvGen.Samples.SafeTensors.Write(
            ("0.weight", new[] { 8, 1, 3, 3 }, Values(72)), ("0.bias", new[] { 8 }, Values(8)),
            ("2.weight", new[] { 8, 1, 3, 3 }, Values(72)), ("2.bias", new[] { 8 }, Values(8))));
        float[] x = Values(LargeDepthwise.InputLength), y = new float[LargeDepthwise.OutputLength];
        for (int i = 0; i < 20; i++) net.Run(x, y);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++) net.Run(x, y);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void WrongSpanLengthsAndOverlapThrowArgumentException()
    {
        PeerDSCNN net = PeerDSCNN.Load(Path.Combine(Data, "peer_dscnn.safetensors"));
        var ex = Assert.Throws<ArgumentException>(() => net.Run(new float[PeerDSCNN.InputLength - 1], new float[PeerDSCNN.OutputLength]));
        Assert.Equal("input", ex.ParamName);
        Assert.Contains("489", ex.Message); // the length it got
        Assert.Contains("490", ex.Message); // and the one it wants
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => net.Run(new float[PeerDSCNN.InputLength], new float[PeerDSCNN.OutputLength + 1])).ParamName);
        float[] shared = new float[PeerDSCNN.InputLength + PeerDSCNN.OutputLength];
        Assert.Throws<ArgumentException>(() => net.Run(shared.AsSpan(0, PeerDSCNN.InputLength), shared.AsSpan(PeerDSCNN.InputLength - 1, PeerDSCNN.OutputLength)));
        Assert.Throws<ArgumentException>(() => net.Run(new float[2 * PeerDSCNN.InputLength], new float[PeerDSCNN.OutputLength], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => net.Run(ReadOnlySpan<float>.Empty, Span<float>.Empty, -1));
    }

    [Fact]
    public void BatchRunEqualsOneByOne()
    {
        PeerDSCNN net = PeerDSCNN.Load(Path.Combine(Data, "peer_dscnn.safetensors"));
        var random = new Random(3);
        float[] inputs = Enumerable.Range(0, 4 * PeerDSCNN.InputLength).Select(_ => random.NextSingle() * 2 - 1).ToArray();
        float[] batch = new float[4 * PeerDSCNN.OutputLength];
        net.Run(inputs, batch, 4);
        for (int i = 0; i < 4; i++)
        {
            float[] one = new float[PeerDSCNN.OutputLength];
            net.Run(inputs.AsSpan(i * PeerDSCNN.InputLength, PeerDSCNN.InputLength), one);
            Assert.Equal(one, batch.AsSpan(i * PeerDSCNN.OutputLength, PeerDSCNN.OutputLength).ToArray());
        }
    }

    [Fact]
    public void ClonesRunConcurrentlyWithTheSameResults()
    {
        PeerResNet8 net = PeerResNet8.Load(Path.Combine(Data, "peer_resnet8.safetensors"));
        (float[] x, float[] expected) = ReadIo("peer_resnet8", PeerResNet8.InputLength, PeerResNet8.OutputLength);
        float[] reference = new float[PeerResNet8.OutputLength];
        net.Run(x, reference);
        var results = new float[4][];
        Parallel.For(0, 4, t =>
        {
            PeerResNet8 mine = net.Clone();
            float[] y = new float[PeerResNet8.OutputLength];
            for (int i = 0; i < 100; i++) mine.Run(x, y);
            results[t] = y;
        });
        foreach (float[] r in results) Assert.Equal(reference, r);
        Assert.Equal(expected.Length, reference.Length);
    }

    [Fact]
    public void ConstantsDescribeTheNetwork()
    {
        Assert.Equal(new[] { 1, 28, 28 }, PeerLeNet5.InputShape.ToArray());
        Assert.Equal(new[] { 10 }, PeerLeNet5.OutputShape.ToArray());
        Assert.Equal(784, PeerLeNet5.InputLength);
        Assert.Equal(61_706, PeerLeNet5.ParameterCount);       // ../shared/peers/artifacts/*/meta.json
        Assert.Equal(416_520, PeerLeNet5.MultiplyAccumulates);
        Assert.Equal(78_186, PeerResNet8.ParameterCount);
        Assert.Equal(12_501_632, PeerResNet8.MultiplyAccumulates);
        Assert.Equal(23_756, PeerDSCNN.ParameterCount);
        Assert.Equal(2_656_768, PeerDSCNN.MultiplyAccumulates);
        Assert.Equal(216_322, PeerVWW.ParameterCount);
        Assert.Equal(7_489_664, PeerVWW.MultiplyAccumulates);
        Assert.Equal(4L * PeerResNet8.ScratchLength, PeerResNet8.ScratchBytes);
        Assert.True(PeerResNet8.ScratchLength > 0);
    }

    [Fact]
    public void LoadingTheWrongNetworksWeightsNamesTheKey()
    {
        byte[] dscnnWeights = File.ReadAllBytes(Path.Combine(Data, "peer_dscnn.safetensors"));
        var ex = Assert.Throws<WeightsException>(() => PeerResNet8.Load(dscnnWeights));
        Assert.Contains("stem.weight", ex.Message);
        byte[] truncated = dscnnWeights.AsSpan(0, dscnnWeights.Length / 2).ToArray();
        Assert.Throws<WeightsException>(() => PeerDSCNN.Load(truncated));
    }

    [Fact]
    public void UnexpectedKeyIsReported()
    {
        // LeNet-5's file loaded by a network without the last Linear: fc3.* are left over.
        var ex = Assert.Throws<WeightsException>(() => ShortLeNet.Load(Path.Combine(Data, "..", "..", "Digits", "lenet5.safetensors")));
        Assert.Contains("11.weight", ex.Message);
    }
}

[Network(1, 28, 28)]
[Conv2d(6, 5, Padding = 2), ReLU, MaxPool2d(2)]
[Conv2d(16, 5), ReLU, MaxPool2d(2)]
[Flatten, Linear(120), ReLU, Linear(84), ReLU]
public partial class ShortLeNet;

[Network(8, 96, 96)]
[Conv2d(8, 3, Padding = 1, Groups = 8), ReLU, Conv2d(8, 3, Stride = 2, Padding = 1, Groups = 8)]
public partial class LargeDepthwise;

/// <summary>The Digits sample's trained LeNet-5 gives PyTorch's logits on real MNIST digits.</summary>
public partial class TrainedLeNetTests
{
    private static readonly string Digits = Path.Combine(AppContext.BaseDirectory, "Digits");

    [Network(1, 28, 28)]
    [Conv2d(6, 5, Padding = 2), ReLU, MaxPool2d(2)]
    [Conv2d(16, 5), ReLU, MaxPool2d(2)]
    [Flatten, Linear(120), ReLU, Linear(84), ReLU, Linear(10)]
    public partial class LeNet5;

    [Fact]
    public void LogitsMatchPyTorchOnTheFirstTwentyDigits()
    {
        LeNet5 net = LeNet5.Load(Path.Combine(Digits, "lenet5.safetensors"));
        using JsonDocument expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Digits, "test-digits.expected.json")));
        using var gzip = new GZipStream(File.OpenRead(Path.Combine(Digits, "test-digits.bin.gz")), CompressionMode.Decompress);
        using var reader = new BinaryReader(gzip);
        int count = (int)reader.ReadUInt32();
        Assert.Equal(1500, count);
        int checkedDigits = 0;
        foreach (JsonElement digit in expected.RootElement.GetProperty("first").EnumerateArray())
        {
            int label = reader.ReadByte();
            byte[] pixels = reader.ReadBytes(784);
            Assert.Equal(digit.GetProperty("label").GetInt32(), label);
            float[] x = pixels.Select(p => (p / 255f - 0.1307f) / 0.3081f).ToArray();
            float[] y = new float[10];
            net.Run(x, y);
            float[] reference = digit.GetProperty("logits").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            double tolerance = 1e-4 * Math.Max(1, reference.Max(Math.Abs));
            for (int i = 0; i < 10; i++) Assert.True(Math.Abs(y[i] - reference[i]) <= tolerance, $"digit {checkedDigits}, logit {i}: {y[i]} vs PyTorch {reference[i]}");
            checkedDigits++;
        }
        Assert.Equal(20, checkedDigits);
    }
}
