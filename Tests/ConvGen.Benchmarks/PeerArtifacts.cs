using System.Text;
using System.Text.RegularExpressions;

namespace ConvGen.Benchmarks;

/// <summary>
/// The peers' reference artifacts (../shared/peers/artifacts/&lt;model&gt;: weights.safetensors, input.npy,
/// output.npy), found by walking up from the working directory, or at CONVGEN_PEERS_ARTIFACTS.
/// </summary>
internal static class PeerArtifacts
{
    public static string Directory(string model)
    {
        string? root = Environment.GetEnvironmentVariable("CONVGEN_PEERS_ARTIFACTS");
        if (root is null)
        {
            for (var dir = new DirectoryInfo(System.IO.Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "shared", "peers", "artifacts");
                if (System.IO.Directory.Exists(candidate)) { root = candidate; break; }
            }
        }
        if (root is null) throw new DirectoryNotFoundException("peer artifacts not found: run from the checkout (with ../shared beside it) or set CONVGEN_PEERS_ARTIFACTS");
        return Path.Combine(root, model);
    }

    public static byte[] Weights(string model) => File.ReadAllBytes(Path.Combine(Directory(model), "weights.safetensors"));
    public static float[] Input(string model) => ReadNpy(Path.Combine(Directory(model), "input.npy"));
    public static float[] Output(string model) => ReadNpy(Path.Combine(Directory(model), "output.npy"));

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

    /// <summary>Throws unless |y - ref| &lt;= 1e-4 * max(1, max|ref|) everywhere (contract section 7).</summary>
    public static void CheckAgainstPyTorch(string model, ReadOnlySpan<float> actual)
    {
        float[] expected = Output(model);
        if (expected.Length != actual.Length) throw new InvalidOperationException($"{model}: output has {actual.Length} values, PyTorch's {expected.Length}");
        double scale = Math.Max(1, expected.Max(v => Math.Abs((double)v)));
        for (int i = 0; i < expected.Length; i++)
            if (!(Math.Abs(actual[i] - expected[i]) <= 1e-4 * scale))
                throw new InvalidOperationException($"{model}: output {i} is {actual[i]}, PyTorch {expected[i]}");
    }
}
