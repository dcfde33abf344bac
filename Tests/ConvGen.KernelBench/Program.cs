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

if (filters.Remove("--tiles"))
{
    // Every legal tile of the direct kernel on the dense cases (filtered), fastest first, beside the cost rule's choice.
    foreach ((string name, ConvGen.Runtime.Kernels.Conv2dGeometry g, ConvGen.Runtime.Kernels.TensorLayout layout) in Cases.Dense())
    {
        if (filters.Count > 0 && !filters.Any(f => name.Contains(f, StringComparison.OrdinalIgnoreCase))) continue;
        var chosen = ConvGen.Runtime.Kernels.DirectConv2d.ChooseTile(g);
        var times = new List<(ConvGen.Runtime.Kernels.ConvTile Tile, double Us)>();
        for (int b = 1; b <= ConvGen.Runtime.Kernels.ConvTile.MaxBlocks; b++)
            for (int p = 1; p <= ConvGen.Runtime.Kernels.ConvTile.MaxPositions; p++)
            {
                var tile = new ConvGen.Runtime.Kernels.ConvTile(b, p);
                if (ConvGen.Runtime.Kernels.DirectConv2d.TileRejects(g, tile) is not null) continue;
                times.Add((tile, Timing.MedianMicroseconds(Cases.Direct(name, g, layout, tile, lanes).Run, 5)));
            }

        Console.WriteLine($"# {name}: chosen {chosen} {times.First(t => t.Tile == chosen).Us:F2} µs; fastest: " +
                          string.Join(", ", times.OrderBy(t => t.Us).Take(6).Select(t => $"{t.Tile} {t.Us:F2}")));
    }

    // The same over the pointwise cases (positions of the flattened map).
    foreach ((string name, ConvGen.Runtime.Kernels.Conv2dGeometry g) in Cases.Pointwise())
    {
        if (filters.Count > 0 && !filters.Any(f => name.Contains(f, StringComparison.OrdinalIgnoreCase))) continue;
        var chosen = ConvGen.Runtime.Kernels.PointwiseConv2d.ChooseTile(g);
        var times = new List<(ConvGen.Runtime.Kernels.ConvTile Tile, double Us)>();
        for (int b = 1; b <= ConvGen.Runtime.Kernels.ConvTile.MaxBlocks; b++)
            for (int p = 1; p <= ConvGen.Runtime.Kernels.ConvTile.MaxPositions; p++)
            {
                var tile = new ConvGen.Runtime.Kernels.ConvTile(b, p);
                if (ConvGen.Runtime.Kernels.PointwiseConv2d.TileRejects(g, tile) is not null) continue;
                times.Add((tile, Timing.MedianMicroseconds(Cases.PointwiseCase(name, g, tile, lanes).Run, 5)));
            }

        Console.WriteLine($"# {name}: chosen {chosen} {times.First(t => t.Tile == chosen).Us:F2} µs; fastest: " +
                          string.Join(", ", times.OrderBy(t => t.Us).Take(6).Select(t => $"{t.Tile} {t.Us:F2}")));
    }

    return;
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
