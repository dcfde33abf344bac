using Perfolizer.Horology;

namespace ConvGen.Benchmarks;

/// <summary>
/// A BenchmarkDotNet clock that reads the calling thread's CPU time (Linux CLOCK_THREAD_CPUTIME_ID, ns) instead of
/// wall-clock time: on this machine, shared with builds and tests in other containers (whose CPU shares nice and
/// taskset cannot override), the wall clock also counts the time others held the CPU. Both engines compute on the
/// calling thread, so its CPU time is their compute time. BenchmarkDotNet creates it in the benchmark process with
/// its parameterless constructor.
/// </summary>
public sealed class ThreadCpuClock : IClock
{
    public string Title => "Thread CPU time";
    public bool IsAvailable => OperatingSystem.IsLinux();
    public Frequency Frequency => new(1e9);
    public long GetTimestamp() => Timing.ThreadCpuNanoseconds();
}
