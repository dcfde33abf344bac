namespace ConvGen.Benchmarks;

/// <summary>
/// The keystroke benchmark's two generators in one process, rounds alternating between them: each round times a chunk of
/// keystrokes through the minimal generator, then a chunk through ConvGen (this thread's CPU time), and the result is
/// the median of the per-round ratios. Slow drifts of a shared machine (others' builds on the sibling core, frequency)
/// then hit both sides of each ratio alike, where separate BenchmarkDotNet processes minutes apart see different machines.
/// <c>flock /tmp/convgen-timing.lock taskset -c 1 dotnet run -c Release --project Tests/ConvGen.Benchmarks -- keystroke</c>
/// </summary>
internal static class KeystrokeInterleaved
{
    public static int Run(int rounds, double seconds)
    {
        Console.WriteLine($"keystroke: {rounds} rounds of {seconds:F2} s per generator, thread CPU time per keystroke (median of rounds)");
        Console.WriteLine($"{"edit",-10} {"minimal µs",11} {"ConvGen µs",11} {"ratio",7} {"ratio p25-p75",15}");
        foreach (string edit in new[] { "network", "elsewhere" })
        {
            var benchmark = new KeystrokeBenchmarks { Edit = edit };
            benchmark.Setup();
            // Warm-up until the tier-1 JIT has settled on both paths.
            for (int i = 0; i < 3; i++)
            {
                Timing.Chunk(() => benchmark.Minimal(), 1.0);
                Timing.Chunk(() => benchmark.ConvGen(), 1.0);
            }
            var minimal = new List<double>();
            var convGen = new List<double>();
            var ratios = new List<double>();
            for (int r = 0; r < rounds; r++)
            {
                double m = Timing.Chunk(() => benchmark.Minimal(), seconds).CpuMicroseconds;
                double c = Timing.Chunk(() => benchmark.ConvGen(), seconds).CpuMicroseconds;
                minimal.Add(m);
                convGen.Add(c);
                ratios.Add(c / m);
            }
            Console.WriteLine($"{edit,-10} {Quantile(minimal, 0.5),11:F0} {Quantile(convGen, 0.5),11:F0} {Quantile(ratios, 0.5),7:F2} {Quantile(ratios, 0.25),7:F2}-{Quantile(ratios, 0.75):F2}");
        }
        return 0;
    }

    private static double Quantile(List<double> values, double q)
    {
        var sorted = values.OrderBy(v => v).ToList();
        double position = q * (sorted.Count - 1);
        int low = (int)Math.Floor(position), high = (int)Math.Ceiling(position);
        return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
    }
}
