// Kernel-level measurements of the channel-blocked kernels on the reference networks' layer shapes: GFLOP/s and
// percentage of the machine's single-core peak (249.5 GFLOP/s on the AVX-512 Zen 5 machine these were taken on).
// Usage: flock /tmp/convgen-timing.lock taskset -c 1 dotnet ConvGen.KernelBench.dll [filter ...] [--lanes N] [--peak G]
using ConvGen.KernelBench;
using System.Runtime.Intrinsics;
using ConvGen.Runtime.Simd;

int lanes = 0;
bool abStrides = false;
double peak = 249.5;
var filters = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--lanes") lanes = int.Parse(args[++i]);
    else if (args[i] == "--peak") peak = double.Parse(args[++i]);
    else if (args[i] == "--ab-strides") abStrides = true;
    else filters.Add(args[i]);
}

if (Vector512.IsHardwareAccelerated && Environment.GetEnvironmentVariable("KERNELBENCH_NO_CALIBRATION") is null)
{
    const int iterations = 10000;
    double us = Timing.MedianMicroseconds(() => Calibrate.Chains(iterations));
    double rate = iterations * 16.0 * 32 / (us * 1e3);
    Console.WriteLine($"# calibration: 16 register FMA chains run at {rate:F1} GFLOP/s ({100 * rate / peak:F0}% of the nominal peak)");
}

if (filters.Contains("--rules"))
{
    foreach ((string name, ConvGen.Runtime.Kernels.Conv2dGeometry g, ConvGen.Runtime.Kernels.TensorLayout _) in Cases.Dense())
        Console.WriteLine($"# {name}: direct {ConvGen.Runtime.Kernels.WinogradConv2d.DirectCycles(g):F0} cycles, F(2) {ConvGen.Runtime.Kernels.WinogradConv2d.EstimatedCycles(g, 2):F0}, F(4) {ConvGen.Runtime.Kernels.WinogradConv2d.EstimatedCycles(g, 4):F0}");
    return;
}

Console.WriteLine($"# width {(lanes == 0 ? Isa.ActiveWidth : lanes)} lanes; peak {peak} GFLOP/s; median of 15 rounds after warm-up");
Console.WriteLine("| case | kernel | MMAC | µs | GFLOP/s | % of peak | GB/s (weights) |");
Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");
if (abStrides)
{
    // A/B, interleaved: the tile's position stride known to the JIT (A) against read at run time (B), 5 rounds each.
    Console.WriteLine("| case | kernel | A: constant stride µs | B: run-time stride µs | B / A |");
    Console.WriteLine("|---|---|---:|---:|---:|");
    foreach (BenchCase c in Cases.All(lanes))
    {
        if (filters.Count > 0 && !filters.Any(f => c.Name.Contains(f, StringComparison.OrdinalIgnoreCase))) continue;
        var a = new List<double>();
        var b = new List<double>();
        for (int round = 0; round < 5; round++)
        {
            ConvGen.Runtime.Kernels.TileDriver.RuntimeStridesOnly = false;
            a.Add(Timing.MedianMicroseconds(c.Run, 5));
            ConvGen.Runtime.Kernels.TileDriver.RuntimeStridesOnly = true;
            b.Add(Timing.MedianMicroseconds(c.Run, 5));
        }

        ConvGen.Runtime.Kernels.TileDriver.RuntimeStridesOnly = false;
        a.Sort();
        b.Sort();
        Console.WriteLine($"| {c.Name} | {c.Kernel} | {a[2]:F2} | {b[2]:F2} | {b[2] / a[2]:F2} |");
    }

    return;
}

foreach (BenchCase c in Cases.All(lanes))
{
    if (filters.Count > 0 && !filters.Any(f => c.Name.Contains(f, StringComparison.OrdinalIgnoreCase))) continue;
    double us = Timing.MedianMicroseconds(c.Run);
    double gflops = 2.0 * c.Macs / (us * 1e3);
    string bandwidth = c.Kernel == "linear" ? $"{4 * c.Macs / (us * 1e3):F1}" : "";
    Console.WriteLine($"| {c.Name} | {c.Kernel} | {c.Macs / 1e6:F2} | {us:F2} | {gflops:F1} | {100 * gflops / peak:F0}% | {bandwidth} |");
}
