using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ConvGen.Benchmarks;

internal static class Timing
{
    /// <summary>The single-core FP32 peak of the project's machine (../shared/peers: AVX-512 FMA, Zen 5).</summary>
    public const double PeakGflops = 249.5;

    public static double Microseconds(long ticks) => ticks * 1e6 / Stopwatch.Frequency;

    /// <summary>Calls <paramref name="run"/> back to back for about <paramref name="seconds"/>; the mean µs per call.</summary>
    public static double MeanMicroseconds(Action run, double seconds) => Chunk(run, seconds).WallMicroseconds;

    /// <summary>The mean per call of a chunk of back-to-back calls: wall-clock time, and this thread's CPU time.</summary>
    public readonly record struct ChunkTime(double WallMicroseconds, double CpuMicroseconds);

    /// <summary>
    /// Calls <paramref name="run"/> back to back for about <paramref name="seconds"/> of wall-clock time. Besides the
    /// wall-clock mean it returns the mean of this thread's CPU time (CLOCK_THREAD_CPUTIME_ID): on a shared machine
    /// the time other processes held the CPU inflates the first and not the second. Both engines compute on the
    /// calling thread (ORT with one intra-op thread runs its kernels inline), so the second is their compute time.
    /// </summary>
    public static ChunkTime Chunk(Action run, double seconds)
    {
        long budget = (long)(seconds * Stopwatch.Frequency), calls = 0;
        long cpuStart = ThreadCpuNanoseconds(), start = Stopwatch.GetTimestamp(), now;
        do { run(); calls++; now = Stopwatch.GetTimestamp(); } while (now - start < budget);
        long cpu = ThreadCpuNanoseconds() - cpuStart;
        return new ChunkTime(Microseconds(now - start) / calls, cpu / 1e3 / calls);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec { public long Seconds, Nanoseconds; }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>CPU time this thread has run, in ns (Linux clock_gettime(CLOCK_THREAD_CPUTIME_ID)); 0 elsewhere.</summary>
    public static long ThreadCpuNanoseconds() => CpuNanoseconds(clock: 3);

    /// <summary>CPU time all threads of this process have run since it started, in ns (CLOCK_PROCESS_CPUTIME_ID); 0 off Linux.</summary>
    public static long ProcessCpuNanoseconds() => CpuNanoseconds(clock: 2);

    private static long CpuNanoseconds(int clock) =>
        OperatingSystem.IsLinux() && ClockGetTime(clock, out TimeSpec t) == 0 ? t.Seconds * 1_000_000_000 + t.Nanoseconds : 0;

    /// <summary>
    /// Times each call of <paramref name="run"/> on its own, by this thread's CPU time, for about
    /// <paramref name="seconds"/> of wall-clock time; the per-call nanoseconds.
    /// </summary>
    public static List<long> CallCpuNanoseconds(Action run, double seconds)
    {
        var times = new List<long>();
        long budget = (long)(seconds * Stopwatch.Frequency), start = Stopwatch.GetTimestamp();
        do
        {
            long before = ThreadCpuNanoseconds();
            run();
            times.Add(ThreadCpuNanoseconds() - before);
        } while (Stopwatch.GetTimestamp() - start < budget);
        return times;
    }

    public static double MedianMicroseconds(IEnumerable<long> ticks) => Microseconds((long)Median(ticks.Select(t => (double)t)));

    /// <summary>Managed bytes allocated per call, over <paramref name="calls"/> calls after one more.</summary>
    public static double AllocatedBytesPerCall(Action run, int calls)
    {
        run();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < calls; i++) run();
        return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)calls;
    }

    /// <summary>The outcome of <see cref="WarmUp"/>: rounds, seconds, methods the JIT compiled, whether it settled.</summary>
    public readonly record struct WarmUpReport(int Rounds, double Seconds, long CompiledMethods, bool Settled, double[] BestMicroseconds)
    {
        public override string ToString() =>
            $"warm-up {(Settled ? "settled" : "NOT settled (time limit)")} after {Rounds} rounds, {Seconds:F1} s: " +
            $"{CompiledMethods:N0} methods compiled, none in the last {StableRounds} rounds and {StableSeconds:F0} s, best chunk {string.Join(" / ", BestMicroseconds.Select(u => u.ToString("F1")))} µs per call";
    }

    private static readonly bool Trace = Environment.GetEnvironmentVariable("CONVGEN_BENCH_TRACE") == "1";

    private const int MinimumRounds = 20, StableRounds = 12, SettleWindow = 8;
    private const double StableSeconds = 2;

    /// <summary>
    /// Warms up until the JIT has settled: rounds of a 40 ms chunk of calls per action, each round followed by a 25 ms
    /// sleep so that the runtime's background tier-1 compiler gets the CPU (pinned to one busy core it can starve for
    /// seconds, and the first rounds then time tier-0 code: LeNet-5 at 20x its speed). Ends once no method has been
    /// compiled (System.Runtime.JitInfo) for the last 12 rounds and the best chunk of the last 8 rounds is within 1% of
    /// the best before them, for every action; at least 20 rounds, at most <paramref name="maxSeconds"/>. On a loaded
    /// machine the background compiler trickles (a few methods a second): 12 quiet rounds must also span 2 seconds.
    /// </summary>
    public static WarmUpReport WarmUp(double maxSeconds, params Action[] runs)
    {
        var chunks = runs.Select(_ => new List<double>()).ToArray();
        var compiled = new List<long>();
        long start = Stopwatch.GetTimestamp(), lastCompile = start;
        bool settled = false;
        int round = 0;
        while (!settled && Stopwatch.GetElapsedTime(start).TotalSeconds < maxSeconds)
        {
            for (int i = 0; i < runs.Length; i++) chunks[i].Add(MeanMicroseconds(runs[i], 0.04));
            Thread.Sleep(25);
            compiled.Add(System.Runtime.JitInfo.GetCompiledMethodCount(currentThread: false));
            if (compiled.Count < 2 || compiled[^1] != compiled[^2]) lastCompile = Stopwatch.GetTimestamp();
            round++;
            if (Trace) Console.WriteLine($"// warm-up round {round}: {string.Join(" / ", chunks.Select(c => c[^1].ToString("F1")))} µs, {compiled[^1]} methods compiled");
            settled = round >= MinimumRounds && compiled[^1] == compiled[^StableRounds] && Stopwatch.GetElapsedTime(lastCompile).TotalSeconds >= StableSeconds
                && chunks.All(c => c.TakeLast(SettleWindow).Min() >= 0.99 * c.SkipLast(SettleWindow).Min());
        }
        return new WarmUpReport(round, Stopwatch.GetElapsedTime(start).TotalSeconds, compiled.Count > 0 ? compiled[^1] : 0, settled,
            chunks.Select(c => c.Count > 0 ? c.Min() : double.NaN).ToArray());
    }

    public static double Median(IEnumerable<double> values) => Quantile(values, 0.5);

    /// <summary>Linear interpolation between the closest ranks.</summary>
    public static double Quantile(IEnumerable<double> values, double q)
    {
        double[] v = values.OrderBy(x => x).ToArray();
        if (v.Length == 0) return double.NaN;
        double position = q * (v.Length - 1);
        int low = (int)Math.Floor(position), high = (int)Math.Ceiling(position);
        return v[low] + (v[high] - v[low]) * (position - low);
    }

    /// <summary>.NET version, vector widths the JIT accelerates, the ISA environment variables, the pinned CPU.</summary>
    public static string Describe() =>
        $".NET {Environment.Version}; Vector512 {Vector512.IsHardwareAccelerated}, Vector256 {Vector256.IsHardwareAccelerated}, Vector128 {Vector128.IsHardwareAccelerated}, " +
        $"FMA {System.Runtime.Intrinsics.X86.Fma.IsSupported}; " +
        string.Join(", ", new[] { "DOTNET_EnableAVX512", "DOTNET_EnableAVX512F", "DOTNET_EnableAVX2", "DOTNET_EnableHWIntrinsic", "DOTNET_TieredCompilation" }
            .Where(v => Environment.GetEnvironmentVariable(v) is not null).Select(v => $"{v}={Environment.GetEnvironmentVariable(v)}").DefaultIfEmpty("no ISA variables set")) +
        $"; CPUs allowed: {CpuMeter.AllowedCpus()}";
}

/// <summary>
/// CPU time on the CPU this process is pinned to that other processes used (from /proc), to see a noisy neighbour:
/// the machine is shared, and a round that another process disturbed shows up here.
/// </summary>
internal sealed class CpuMeter
{
    private static readonly int PinnedCpu = int.TryParse(AllowedCpus(), out int cpu) ? cpu : -1;
    private (long Busy, long Self, long Ticks) _start;

    public static string AllowedCpus()
    {
        try { return File.ReadLines("/proc/self/status").First(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal)).Split(':')[1].Trim(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException) { return "?"; }
    }

    private static (long Busy, long Self, long Ticks) Sample()
    {
        long busy = 0, self = 0;
        try
        {
            if (PinnedCpu >= 0)
            {
                string line = File.ReadLines("/proc/stat").First(l => l.StartsWith($"cpu{PinnedCpu} ", StringComparison.Ordinal));
                long[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
                busy = f[0] + f[1] + f[2] + f[5] + f[6]; // user nice system (idle iowait) irq softirq
            }
            string stat = File.ReadAllText("/proc/self/stat");
            string[] p = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            self = long.Parse(p[11]) + long.Parse(p[12]); // utime, stime
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or FormatException) { }
        return (busy, self, Stopwatch.GetTimestamp());
    }

    public void Start() => _start = Sample();

    /// <summary>Cores' worth of time other processes ran on the pinned CPU since Start (NaN when not pinned to one CPU).</summary>
    public double Foreign()
    {
        var end = Sample();
        double seconds = (end.Ticks - _start.Ticks) / (double)Stopwatch.Frequency;
        if (PinnedCpu < 0 || seconds <= 0) return double.NaN;
        const double userHz = 100;
        return Math.Max(0, (end.Busy - _start.Busy - (end.Self - _start.Self)) / userHz / seconds);
    }
}
