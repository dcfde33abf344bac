using System.Diagnostics;

namespace ConvGen.Samples;

/// <summary>Latency of one call, for the samples' "Run: x µs" line.</summary>
public static class Timing
{
    /// <summary>The median time of <paramref name="runs"/> calls, each timed alone, after <paramref name="warmup"/> untimed calls (tiered JIT).</summary>
    public static double MedianMicroseconds(Action run, int warmup = 2000, int runs = 500)
    {
        for (int i = 0; i < warmup; i++) run();
        double[] times = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            long start = Stopwatch.GetTimestamp();
            run();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        Array.Sort(times);
        return times[runs / 2];
    }
}
