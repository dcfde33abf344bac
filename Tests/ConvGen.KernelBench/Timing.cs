using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ConvGen.KernelBench;

/// <summary>
/// Timing of one kernel call by the calling thread's CPU clock (CLOCK_THREAD_CPUTIME_ID), so that time slices given
/// to other processes on a shared core do not count: warm up until the JIT has settled (nothing compiled for a second,
/// the per-call time steady), then the median of rounds of back-to-back calls. Run pinned and under the timing lock:
/// <c>flock /tmp/convgen-timing.lock taskset -c 1 dotnet ConvGen.KernelBench.dll ...</c>.
/// </summary>
internal static partial class Timing
{
    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    private const int ThreadCpuClock = 3;

    /// <summary>This thread's CPU time in nanoseconds.</summary>
    public static long ThreadNanoseconds()
    {
        ClockGetTime(ThreadCpuClock, out TimeSpec t);
        return t.Seconds * 1_000_000_000 + t.Nanoseconds;
    }

    public static double MedianMicroseconds(Action run, int rounds = 15, double roundMilliseconds = 15)
    {
        // Warm-up: at least 300 ms, until two consecutive 100 ms windows agree within 3% and the JIT has compiled
        // nothing for the last second. Windows that agree are not enough: a kernel can sit at tier 0 for a while at a
        // steady (3-15x slow) speed while the background compiler waits for its turn; the sleep between windows
        // gives it the core.
        var clock = Stopwatch.StartNew();
        double previous = double.MaxValue;
        long compiled = System.Runtime.JitInfo.GetCompiledMethodCount(currentThread: false), lastCompile = 0;
        while (true)
        {
            double t = PerCall(run, 100);
            Thread.Sleep(25);
            long now = System.Runtime.JitInfo.GetCompiledMethodCount(currentThread: false);
            if (now != compiled)
            {
                compiled = now;
                lastCompile = clock.ElapsedMilliseconds;
            }

            bool quiet = clock.ElapsedMilliseconds - lastCompile >= 1000;
            if (clock.ElapsedMilliseconds > 300 && quiet && Math.Abs(t - previous) < 0.03 * previous) break;
            if (clock.ElapsedMilliseconds > 10000) break;
            previous = t;
        }

        var samples = new double[rounds];
        for (int i = 0; i < rounds; i++) samples[i] = PerCall(run, roundMilliseconds);
        Array.Sort(samples);
        return samples[rounds / 2];
    }

    // Calls in batches of about 0.5 ms by the wall clock, so that the thread clock (a system call in a VM, about a
    // microsecond) is read only at batch boundaries.
    private static double PerCall(Action run, double milliseconds)
    {
        long batch = 1;
        long probe = Stopwatch.GetTimestamp();
        run();
        double once = Math.Max(1e-7, (double)(Stopwatch.GetTimestamp() - probe) / Stopwatch.Frequency);
        batch = Math.Max(1, (long)(0.0005 / once));
        long calls = 0;
        long start = ThreadNanoseconds();
        long end = start + (long)(milliseconds * 1e6);
        long now;
        do
        {
            for (long i = 0; i < batch; i++) run();
            calls += batch;
        } while ((now = ThreadNanoseconds()) < end);

        return (now - start) / 1e3 / calls;
    }
}
