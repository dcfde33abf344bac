using System.Text.Json;
using ConvGen.Networks;
using ConvGen.Tests.Weights;

namespace ConvGen.Tests.Golden;

/// <summary>
/// The reference networks too large to commit weights for (torchvision MobileNetV2: 14 MB; VWW MobileNetV1: 0.9 MB),
/// checked against PyTorch with weights both sides generate from the same counter-based PRNG
/// (Tests/Golden/make_seeded.py writes data/seeded_&lt;model&gt;.json: each tensor's key, shape and range, and
/// PyTorch's output). The networks are the declarations the benchmarks time, loaded under PyTorch's state_dict keys.
/// </summary>
public sealed class SeededNetworkTests
{
    private static readonly string DataDirectory = Path.Combine(AppContext.BaseDirectory, "Golden", "data");

    [Fact]
    public void MobileNetV2MatchesPyTorch() =>
        Check("mobilenetv2", PeerMobileNetV2.InputLength, PeerMobileNetV2.OutputLength, bytes =>
        {
            PeerMobileNetV2 net = PeerMobileNetV2.Load(bytes);
            return (x, y) => net.Run(x, y);
        });

    [Fact]
    public void VwwMobileNetV1MatchesPyTorch() =>
        Check("vww_mobilenetv1", PeerVWW.InputLength, PeerVWW.OutputLength, bytes =>
        {
            PeerVWW net = PeerVWW.Load(bytes);
            return (x, y) => net.Run(x, y);
        });

    [Fact]
    public void GeneratorMatchesSplitMix64() =>
        // SplitMix64's published first outputs for seed 0 (Vigna's splitmix64.c; also Java's SplittableRandom).
        Assert.Equal([0xE220A8397B1DCDAFUL, 0x6E789E6AA1B965F4UL, 0x06C45D188009454FUL], Enumerable.Range(1, 3).Select(i => SeededUniform.Mix(0, i)));

    private static void Check(string model, int inputLength, int outputLength, Func<byte[], GoldenRunner> load)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(DataDirectory, $"seeded_{model}.json")));
        JsonElement root = doc.RootElement;

        (string inputKey, int[] inputShape, float[] input) = SeededUniform.Tensor(root.GetProperty("input"));
        uint[] probe = root.GetProperty("probe").EnumerateArray().Select(e => e.GetUInt32()).ToArray();
        Assert.True(probe.SequenceEqual(input.Take(probe.Length).Select(BitConverter.SingleToUInt32Bits)),
            $"{model}: the C# generator's first '{inputKey}' values differ from make_seeded.py's; the generators disagree, not the networks");
        Assert.Equal(inputLength, input.Length);

        var weights = new SafeTensorsWriter();
        foreach (JsonElement tensor in root.GetProperty("tensors").EnumerateArray())
        {
            (string key, int[] shape, float[] values) = SeededUniform.Tensor(tensor);
            weights.AddF32(key, shape, values);
        }
        float[] expected = root.GetProperty("output").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
        Assert.Equal(outputLength, expected.Length);

        GoldenRunner run = load(weights.ToArray());
        float[] actual = new float[outputLength];
        Array.Fill(actual, float.NaN);
        run(input, actual);
        GoldenTests.AssertClose($"seeded {model}", expected, actual, [outputLength]);
    }
}

/// <summary>
/// The values of make_seeded.py: value i of tensor <c>key</c> is <c>low + (high - low) * u</c> (double, then rounded
/// to float), <c>u</c> the top 24 bits of SplitMix64's mix of <c>fnv1a64(key) + (i + 1) * 0x9E3779B97F4A7C15</c>.
/// </summary>
internal static class SeededUniform
{
    public static (string Key, int[] Shape, float[] Values) Tensor(JsonElement spec)
    {
        string key = spec.GetProperty("key").GetString()!;
        int[] shape = spec.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        double low = spec.GetProperty("low").GetDouble(), high = spec.GetProperty("high").GetDouble();
        int n = shape.Aggregate(1, (a, b) => a * b);
        ulong seed = Fnv1a64(key);
        var values = new float[n];
        for (int i = 0; i < n; i++)
        {
            double u = (Mix(seed, i + 1) >> 40) * (1.0 / (1 << 24));
            values[i] = (float)(low + (high - low) * u);
        }
        return (key, shape, values);
    }

    public static ulong Mix(ulong seed, long counter)
    {
        ulong z = unchecked(seed + (ulong)counter * 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    private static ulong Fnv1a64(string text)
    {
        ulong h = 0xCBF29CE484222325UL;
        foreach (byte b in System.Text.Encoding.UTF8.GetBytes(text))
            h = unchecked((h ^ b) * 0x100000001B3UL);
        return h;
    }
}
