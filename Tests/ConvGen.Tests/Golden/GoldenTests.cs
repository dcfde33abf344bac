using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace ConvGen.Tests.Golden;

/// <summary>Runs a loaded network on one sample.</summary>
internal delegate void GoldenRunner(ReadOnlySpan<float> input, Span<float> output);

/// <summary>Runs a network of type <typeparamref name="TNet"/> on one sample.</summary>
internal delegate void GoldenRun<TNet>(TNet network, ReadOnlySpan<float> input, Span<float> output);

/// <summary>
/// One golden case: a generated network and the PyTorch data for it (Tests/Golden/data/&lt;name&gt;.safetensors
/// and &lt;name&gt;.io.safetensors, written by Tests/Golden/make_golden.py).
/// </summary>
internal sealed class GoldenCase
{
    private readonly Func<string, GoldenRunner> _load;

    private GoldenCase(string name, int inputLength, int outputLength, Func<string, GoldenRunner> load)
    {
        Name = name;
        InputLength = inputLength;
        OutputLength = outputLength;
        _load = load;
    }

    public string Name { get; }
    public int InputLength { get; }
    public int OutputLength { get; }

    /// <summary>Loads the network from a safetensors file and returns a runner bound to that instance.</summary>
    public GoldenRunner Load(string path) => _load(path);

    public static GoldenCase Of<TNet>(string name, int inputLength, int outputLength,
        Func<string, TNet> load, GoldenRun<TNet> run)
        => new(name, inputLength, outputLength, path =>
        {
            TNet network = load(path);
            return (x, y) => run(network, x, y);
        });
}

/// <summary>
/// Every golden network must reproduce PyTorch's output within |y - y_ref| &lt;= 1e-4 * max(1, max|y_ref|)
/// (contract section 7).
/// </summary>
public sealed class GoldenTests
{
    private const double RelativeTolerance = 1e-4;

    private static readonly string DataDirectory = Path.Combine(AppContext.BaseDirectory, "Golden", "data");

    public static TheoryData<string> CaseNames()
    {
        var names = new TheoryData<string>();
        foreach (GoldenCase c in AllCases)
            names.Add(c.Name);
        return names;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void MatchesPyTorch(string name)
    {
        GoldenCase c = Find(name);
        (int[] inputShape, int[] outputShape) = Manifest.Value[name];
        Assert.True(Product(inputShape) == c.InputLength,
            $"{name}: InputLength is {c.InputLength}, PyTorch input [{string.Join(", ", inputShape)}] has {Product(inputShape)} elements");
        Assert.True(Product(outputShape) == c.OutputLength,
            $"{name}: OutputLength is {c.OutputLength}, PyTorch output [{string.Join(", ", outputShape)}] has {Product(outputShape)} elements");

        byte[] io = File.ReadAllBytes(Path.Combine(DataDirectory, name + ".io.safetensors"));
        float[] input = TinySafeTensors.ReadFloat32(io, "input", inputShape);
        float[] expected = TinySafeTensors.ReadFloat32(io, "output", outputShape);

        GoldenRunner run = c.Load(Path.Combine(DataDirectory, name + ".safetensors"));

        // NaN-filled, so an element the network never writes fails the comparison.
        float[] actual = new float[c.OutputLength];
        Array.Fill(actual, float.NaN);
        run(input, actual);
        AssertClose(name, expected, actual, outputShape);

        // A second run on the same instance must give the same bits: no state may leak between calls.
        float[] again = new float[c.OutputLength];
        Array.Fill(again, float.NaN);
        run(input, again);
        for (int i = 0; i < again.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(again[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{name}: second Run differs from the first at {Where(i, outputShape)}: {again[i]:R} vs {actual[i]:R}");
        }
    }

    [Fact]
    public void EveryManifestCaseHasACSharpTwin()
    {
        var declared = AllCases.Select(c => c.Name).ToHashSet();
        var generated = Manifest.Value.Keys.ToHashSet();
        Assert.Empty(generated.Except(declared).Order());
        Assert.Empty(declared.Except(generated).Order());
    }

    /// <summary>The generated layer cases (make_golden.py) and the peer reference networks (import_peers.py).</summary>
    private static IEnumerable<GoldenCase> AllCases => GoldenCases.All.Concat(PeerCases.All);

    private static GoldenCase Find(string name)
    {
        foreach (GoldenCase c in AllCases)
        {
            if (c.Name == name)
                return c;
        }
        throw new ArgumentException($"no golden case named '{name}'", nameof(name));
    }

    internal static void AssertClose(string name, float[] expected, float[] actual, int[] shape)
    {
        double maxRef = 0;
        foreach (float v in expected)
            maxRef = Math.Max(maxRef, Math.Abs((double)v));
        double tolerance = RelativeTolerance * Math.Max(1.0, maxRef);

        int worst = -1;
        double worstError = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs((double)actual[i] - expected[i]);
            if (double.IsNaN(error))
                error = double.PositiveInfinity;
            if (error > worstError)
            {
                worstError = error;
                worst = i;
            }
        }

        if (worst >= 0 && !(worstError <= tolerance))
        {
            int bad = 0;
            for (int i = 0; i < expected.Length; i++)
            {
                if (!(Math.Abs((double)actual[i] - expected[i]) <= tolerance))
                    bad++;
            }
            Assert.Fail($"{name}: {bad} of {expected.Length} elements off; worst at {Where(worst, shape)}: " +
                        $"got {actual[worst]:R}, PyTorch {expected[worst]:R}, |error| {worstError:G4} > tolerance {tolerance:G4}");
        }
    }

    /// <summary>Flat index as "index 17 = [c, h, w]".</summary>
    private static string Where(int index, int[] shape)
    {
        var coordinates = new int[shape.Length];
        int rest = index;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            coordinates[d] = rest % shape[d];
            rest /= shape[d];
        }
        return $"index {index} = [{string.Join(", ", coordinates)}]";
    }

    private static int Product(int[] shape)
    {
        int n = 1;
        foreach (int d in shape)
            n *= d;
        return n;
    }

    /// <summary>cases.json: name -> (input shape, output shape), both without the batch dimension.</summary>
    private static readonly Lazy<Dictionary<string, (int[] Input, int[] Output)>> Manifest = new(() =>
    {
        var cases = new Dictionary<string, (int[], int[])>();
        foreach (string manifest in new[] { "cases.json", "peers.json" })
        {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(DataDirectory, manifest)));
        foreach (JsonElement c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            int[] input = c.GetProperty("input").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            int[] output = c.GetProperty("output").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            cases.Add(c.GetProperty("name").GetString()!, (input, output));
        }
        }
        return cases;
    });
}

/// <summary>
/// A minimal safetensors reader for the test data, independent of the runtime's loader so that the
/// reference values do not pass through the code under test. Format: u64 little-endian header length N,
/// N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}}, then the data (offsets relative to it).
/// </summary>
internal static class TinySafeTensors
{
    public static float[] ReadFloat32(byte[] file, string key, int[] expectedShape)
    {
        if (file.Length < 8)
            throw new InvalidDataException($"safetensors file of {file.Length} bytes has no header length");
        long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(file);
        if (headerLength > file.Length - 8)
            throw new InvalidDataException($"header length {headerLength} exceeds the file ({file.Length} bytes)");
        int dataStart = 8 + (int)headerLength;

        using JsonDocument header = JsonDocument.Parse(Encoding.UTF8.GetString(file, 8, (int)headerLength));
        if (!header.RootElement.TryGetProperty(key, out JsonElement entry))
            throw new KeyNotFoundException($"tensor '{key}' not in the file");
        string dtype = entry.GetProperty("dtype").GetString()!;
        if (dtype != "F32")
            throw new InvalidDataException($"tensor '{key}' is {dtype}, expected F32");
        int[] shape = entry.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        if (!shape.SequenceEqual(expectedShape))
            throw new InvalidDataException($"tensor '{key}' has shape [{string.Join(", ", shape)}], expected [{string.Join(", ", expectedShape)}]");
        long begin = entry.GetProperty("data_offsets")[0].GetInt64();
        long end = entry.GetProperty("data_offsets")[1].GetInt64();
        int count = shape.Aggregate(1, (a, d) => a * d);
        if (end - begin != 4L * count || dataStart + end > file.Length)
            throw new InvalidDataException($"tensor '{key}' spans bytes [{begin}, {end}), inconsistent with {count} floats in a {file.Length}-byte file");

        var values = new float[count];
        ReadOnlySpan<byte> data = file.AsSpan(dataStart + (int)begin, 4 * count);
        for (int i = 0; i < count; i++)
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(data.Slice(4 * i, 4));
        return values;
    }
}
