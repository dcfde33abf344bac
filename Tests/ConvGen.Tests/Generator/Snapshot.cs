using System.Runtime.CompilerServices;

namespace ConvGen.Tests.Generator;

/// <summary>
/// Golden text for generated code: compares with <c>Snapshots/{name}.verified.cs</c>. On a difference it writes
/// <c>{name}.received.cs</c> beside it and fails; set CONVGEN_ACCEPT_SNAPSHOTS=1 to accept the new text instead.
/// </summary>
internal static class Snapshot
{
    public static void Verify(string name, string actual, [CallerFilePath] string callerPath = "")
    {
        string folder = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(callerPath)!)!, "Snapshots");
        string verified = Path.Combine(folder, name + ".verified.cs");
        string received = Path.Combine(folder, name + ".received.cs");
        actual = actual.Replace("\r\n", "\n");
        string? expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n") : null;
        if (expected == actual)
        {
            if (File.Exists(received)) File.Delete(received);
            return;
        }
        Directory.CreateDirectory(folder);
        if (Environment.GetEnvironmentVariable("CONVGEN_ACCEPT_SNAPSHOTS") == "1")
        {
            File.WriteAllText(verified, actual);
            if (File.Exists(received)) File.Delete(received);
            return;
        }
        File.WriteAllText(received, actual);
        Assert.Fail(expected is null
            ? $"No snapshot {verified}; wrote {received}. Review it, then rerun with CONVGEN_ACCEPT_SNAPSHOTS=1 to accept."
            : $"Generated code differs from {verified} at line {FirstDifference(expected, actual)}; wrote {received}. Review the diff, then rerun with CONVGEN_ACCEPT_SNAPSHOTS=1 to accept.");
    }

    private static int FirstDifference(string a, string b)
    {
        string[] x = a.Split('\n'), y = b.Split('\n');
        for (int i = 0; i < Math.Min(x.Length, y.Length); i++) if (x[i] != y[i]) return i + 1;
        return Math.Min(x.Length, y.Length) + 1;
    }
}
