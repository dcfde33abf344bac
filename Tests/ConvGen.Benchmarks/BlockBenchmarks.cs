using System.Text;
using BenchmarkDotNet.Attributes;
using ConvGen;

namespace ConvGen.Benchmarks;

/// <summary>One MobileNet depthwise-separable block on its own (random weights): 32×48×48 → 64×48×48.</summary>
[Network(32, 48, 48)]
[Conv2d(32, 3, Padding = 1, Groups = 32, Bias = false), BatchNorm2d, ReLU6]
[Conv2d(64, 1, Bias = false), BatchNorm2d, ReLU6]
public partial class SeparableBlock;

[MemoryDiagnoser]
public class BlockBenchmarks
{
    private SeparableBlock _block = null!;
    private readonly float[] _input = new float[SeparableBlock.InputLength];
    private readonly float[] _output = new float[SeparableBlock.OutputLength];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        float[] Values(int n, float low, float high) => Enumerable.Range(0, n).Select(_ => low + (high - low) * random.NextSingle()).ToArray();
        var tensors = new Dictionary<string, (int[] Shape, float[] Values)>
        {
            ["0.weight"] = (new[] { 32, 1, 3, 3 }, Values(32 * 9, -0.5f, 0.5f)),
            ["1.weight"] = (new[] { 32 }, Values(32, 0.5f, 1.5f)), ["1.bias"] = (new[] { 32 }, Values(32, -0.3f, 0.3f)),
            ["1.running_mean"] = (new[] { 32 }, Values(32, -0.1f, 0.1f)), ["1.running_var"] = (new[] { 32 }, Values(32, 0.5f, 1.5f)),
            ["3.weight"] = (new[] { 64, 32, 1, 1 }, Values(64 * 32, -0.2f, 0.2f)),
            ["4.weight"] = (new[] { 64 }, Values(64, 0.5f, 1.5f)), ["4.bias"] = (new[] { 64 }, Values(64, -0.3f, 0.3f)),
            ["4.running_mean"] = (new[] { 64 }, Values(64, -0.1f, 0.1f)), ["4.running_var"] = (new[] { 64 }, Values(64, 0.5f, 1.5f)),
        };
        _block = SeparableBlock.Load(SafeTensorsWriter.Write(tensors));
        Values(_input.Length, -1, 1).CopyTo(_input, 0);
    }

    [Benchmark]
    public void Run() => _block.Run(_input, _output);
}

/// <summary>Writes F32 tensors in the safetensors format (u64 header length, JSON header, data).</summary>
internal static class SafeTensorsWriter
{
    public static byte[] Write(IReadOnlyDictionary<string, (int[] Shape, float[] Values)> tensors)
    {
        var json = new StringBuilder("{");
        long offset = 0;
        foreach ((string name, (int[] shape, float[] values)) in tensors)
        {
            if (json.Length > 1) json.Append(',');
            json.Append($"\"{name}\":{{\"dtype\":\"F32\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{offset},{offset + 4L * values.Length}]}}");
            offset += 4L * values.Length;
        }
        json.Append('}');
        while ((json.Length + 8) % 8 != 0) json.Append(' ');
        byte[] header = Encoding.UTF8.GetBytes(json.ToString());
        using var stream = new MemoryStream();
        stream.Write(BitConverter.GetBytes((ulong)header.Length));
        stream.Write(header);
        foreach ((int[] _, float[] values) in tensors.Values)
            foreach (float v in values) stream.Write(BitConverter.GetBytes(v));
        return stream.ToArray();
    }
}
