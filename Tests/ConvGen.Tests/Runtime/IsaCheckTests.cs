using System.Diagnostics;

namespace ConvGen.Tests.Runtime;

/// <summary>
/// Runs the built ConvGen.IsaCheck program in a child process with the runtime's ISA switches, so every vector
/// width's dispatch (the public entry points, not the forced instantiations) is checked against the references.
/// </summary>
/// <remarks>
/// On .NET 10, <c>DOTNET_EnableAVX512F=0</c> no longer turns AVX-512 off (the switch is now
/// <c>DOTNET_EnableAVX512</c>), and <c>DOTNET_EnableAVX2=0</c> turns off Vector256 acceleration together with AVX2.
/// The expected widths below are what the runtime reports on an AVX-512 machine; on a narrower machine each
/// setting can only lower them, which the test allows.
/// </remarks>
public class IsaCheckTests
{
    public static TheoryData<string, int> Settings() => new()
    {
        { "", 16 },
        { "DOTNET_EnableAVX512F=0", 16 },
        { "DOTNET_EnableAVX512=0", 8 },
        { "DOTNET_EnableAVX2=0", 4 },
        { "DOTNET_EnableHWIntrinsic=0", 1 },
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public async Task IsaCheck_PassesAtTheWidthTheRuntimePicks(string setting, int widestExpected)
    {
        string program = FindIsaCheck();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(program);
        foreach (string name in new[] { "DOTNET_EnableAVX512F", "DOTNET_EnableAVX512", "DOTNET_EnableAVX2", "DOTNET_EnableHWIntrinsic" })
            start.Environment.Remove(name);
        if (setting.Length > 0)
        {
            string[] parts = setting.Split('=');
            start.Environment[parts[0]] = parts[1];
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        Task<string> stderrTask = process.StandardError.ReadToEndAsync();
        Task<string> stdoutTask = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        string stdout = await stdoutTask, stderr = await stderrTask;
        string report = $"setting '{setting}', exit {process.ExitCode}\n{stdout}\n{stderr}";

        Assert.True(process.ExitCode == 0, report);
        string firstLine = stdout.Split('\n')[0].Trim();
        Assert.StartsWith("width=", firstLine);
        int width = int.Parse(firstLine["width=".Length..]);
        Assert.Contains(width, new[] { 16, 8, 4, 1 });
        Assert.True(width <= widestExpected, $"width {width} above {widestExpected}: {report}");
        if (setting == "DOTNET_EnableHWIntrinsic=0") Assert.Equal(1, width);
        if (setting.Length == 0) Assert.Equal(ConvGen.Runtime.Simd.Isa.ActiveWidth, width);
        Assert.DoesNotContain("FAIL", stdout);
        // Every kernel family's checks ran (discovered by reflection: a check that stopped being found would go quiet).
        foreach (string check in new[] { "conv.im2col", "conv.depthwise", "pool.max", "pool.maxindices", "pool.average", "pool.adaptive", "elementwise.shuffle", "softmax", "upsample.bilinear", "pad2d", "convtranspose",
                     "blocked.direct", "blocked.pointwise", "blocked.depthwise", "blocked.winograd", "blocked.pool", "blocked.linear", "blocked.elementwise" })
            Assert.Contains("PASS " + check, stdout);
    }

    // The test project references ConvGen.IsaCheck (without referencing its assembly), so it is built alongside;
    // its output is under Tests/ConvGen.IsaCheck/bin/<Configuration>/net10.0/ of the solution.
    private static string FindIsaCheck()
    {
        string configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent?.Name ?? "Debug";
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (!File.Exists(Path.Combine(directory.FullName, "ConvGen.sln"))) continue;
            string bin = Path.Combine(directory.FullName, "Tests", "ConvGen.IsaCheck", "bin");
            string preferred = Path.Combine(bin, configuration, "net10.0", "ConvGen.IsaCheck.dll");
            if (File.Exists(preferred)) return preferred;
            string? any = Directory.Exists(bin) ? Directory.EnumerateFiles(bin, "ConvGen.IsaCheck.dll", SearchOption.AllDirectories).FirstOrDefault() : null;
            return any ?? throw new FileNotFoundException($"ConvGen.IsaCheck.dll is not built under {bin}.");
        }

        throw new DirectoryNotFoundException($"No ConvGen.sln above {AppContext.BaseDirectory}.");
    }
}
