using System.Text;
using System.Text.Json;

namespace ConvGen.Benchmarks;

/// <summary>
/// The peers' reference artifacts (shared/peers/artifacts/&lt;model&gt;: weights.safetensors, model.onnx, input.npy,
/// output.npy, meta.json), at CONVGEN_PEERS_ARTIFACTS, or else shared/peers/artifacts in the nearest ancestor of the
/// working directory or of this program's folder (../shared beside the checkout).
/// </summary>
internal static class PeerArtifacts
{
    public const string EnvironmentVariable = "CONVGEN_PEERS_ARTIFACTS";

    /// <summary>The five reference networks, smallest first.</summary>
    public static readonly string[] Models = ["lenet5", "dscnn", "resnet8", "vww_mobilenetv1", "mobilenetv2"];

    private static readonly Lazy<string> RootDirectory = new(FindRoot);

    public static string Root => RootDirectory.Value;

    private static string FindRoot()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } root)
            return System.IO.Directory.Exists(root) ? root : throw new DirectoryNotFoundException($"{EnvironmentVariable}={root} does not exist");
        foreach (string start in new[] { System.IO.Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "shared", "peers", "artifacts");
                if (System.IO.Directory.Exists(candidate)) return candidate;
            }
        throw new DirectoryNotFoundException($"peer artifacts not found: run from the checkout (with ../shared beside it) or set {EnvironmentVariable}");
    }

    public static string Directory(string model)
    {
        string dir = Path.Combine(Root, model);
        return System.IO.Directory.Exists(dir) ? dir : throw new DirectoryNotFoundException($"{model}: no artifacts at {dir}");
    }

    public static string WeightsPath(string model) => Path.Combine(Directory(model), "weights.safetensors");
    public static string OnnxPath(string model) => Path.Combine(Directory(model), "model.onnx");
    public static byte[] Weights(string model) => File.ReadAllBytes(WeightsPath(model));
    public static float[] Input(string model) => ReadNpy(Path.Combine(Directory(model), "input.npy"));
    public static float[] Output(string model) => ReadNpy(Path.Combine(Directory(model), "output.npy"));

    /// <summary>Conv and Linear multiply-accumulates per sample, as the peers counted them (meta.json "macs").</summary>
    public static long MultiplyAccumulates(string model)
    {
        using JsonDocument meta = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Directory(model), "meta.json")));
        return meta.RootElement.GetProperty("macs").GetInt64();
    }

    /// <summary>A little-endian float32, C-order .npy (format 1.0/2.0).</summary>
    public static float[] ReadNpy(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY") throw new InvalidDataException($"{path} is not a .npy file");
        int major = bytes[6];
        int headerLength = major == 1 ? BitConverter.ToUInt16(bytes, 8) : BitConverter.ToInt32(bytes, 8);
        int dataStart = (major == 1 ? 10 : 12) + headerLength;
        string header = Encoding.ASCII.GetString(bytes, major == 1 ? 10 : 12, headerLength);
        if (!header.Contains("'<f4'") || header.Contains("'fortran_order': True")) throw new InvalidDataException($"{path}: expected little-endian float32 in C order; header {header}");
        var values = new float[(bytes.Length - dataStart) / 4];
        Buffer.BlockCopy(bytes, dataStart, values, 0, values.Length * 4);
        return values;
    }

    /// <summary>
    /// Throws unless |y - ref| &lt;= 1e-4 * max(1, max|ref|) everywhere (contract section 7), ref = PyTorch's
    /// output.npy; returns the largest |y - ref|.
    /// </summary>
    public static double CheckAgainstPyTorch(string model, string engine, ReadOnlySpan<float> actual)
    {
        float[] expected = Output(model);
        if (expected.Length != actual.Length) throw new InvalidOperationException($"{model} ({engine}): output has {actual.Length} values, PyTorch's {expected.Length}");
        double scale = Math.Max(1, expected.Max(v => Math.Abs((double)v)));
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs((double)actual[i] - expected[i]);
            if (!(error <= 1e-4 * scale))
                throw new InvalidOperationException($"{model} ({engine}): output {i} is {actual[i]:R}, PyTorch's {expected[i]:R}: |error| {error:G3} > {1e-4 * scale:G3}");
            worst = Math.Max(worst, error);
        }
        return worst;
    }
}
