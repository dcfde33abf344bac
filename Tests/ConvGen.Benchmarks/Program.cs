using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using ConvGen.Benchmarks;
using Perfolizer.Horology;

// ConvGen beside ONNX Runtime (in process, one thread each) on the peers' five reference networks. Modes:
//
//   [--isa] [--wall-clock] [--models a,b] [BenchmarkDotNet arguments]   BenchmarkDotNet: ConvGen and ORT per network (default --filter *NetworkBenchmarks*),
//        timed by the thread's CPU time (--wall-clock: by the wall clock); --isa adds ConvGen jobs with DOTNET_EnableAVX512=0,
//        DOTNET_EnableAVX2=0, DOTNET_EnableHWIntrinsic=0
//   interleaved [--models a,b] [--rounds 21] [--seconds 0.15]      both engines in one process, rounds alternating; median of per-round ratios
//   profile [--models a,b] [--rounds 15] [--seconds 0.2] [--no-ort] [--no-steps]   time per layer kind (and per step) beside ORT's profiler
//   cold [--models lenet5,resnet8] [--reps 11]                      fresh processes: Load / session creation, first Run, spawn → first output
//   keystroke [--rounds 31] [--seconds 0.3]                         the generator per keystroke beside a minimal one, rounds alternating (KeystrokeBenchmarks' setup)
//
// Networks: lenet5, dscnn, resnet8, vww_mobilenetv1, mobilenetv2 (artifacts: CONVGEN_PEERS_ARTIFACTS or ../shared/peers/artifacts).
// Pin it to one CPU and keep other timing off the machine: flock /tmp/convgen-timing.lock taskset -c 1 dotnet run -c Release ...
long mainTimestamp = Stopwatch.GetTimestamp();
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var arguments = args.ToList();

string? Option(string name)
{
    int i = arguments.IndexOf(name);
    if (i < 0) return null;
    if (i + 1 >= arguments.Count) throw new ArgumentException($"{name} needs a value");
    string value = arguments[i + 1];
    arguments.RemoveRange(i, 2);
    return value;
}

bool Flag(string name) => arguments.Remove(name);

string[] Models(string[] fallback)
{
    string[] models = Option("--models")?.Split(',', StringSplitOptions.RemoveEmptyEntries) ?? fallback;
    string[] unknown = models.Except(PeerArtifacts.Models).ToArray();
    return unknown.Length == 0 ? models : throw new ArgumentException($"unknown network(s) {string.Join(", ", unknown)}; known: {string.Join(", ", PeerArtifacts.Models)}");
}

try
{
    string mode = arguments.Count > 0 && !arguments[0].StartsWith('-') ? arguments[0] : "bdn";
    if (mode != "bdn") arguments.RemoveAt(0);
    return mode switch
    {
        "interleaved" => Interleaved.Run(Models(PeerArtifacts.Models), int.Parse(Option("--rounds") ?? "21"), double.Parse(Option("--seconds") ?? "0.15")),
        "profile" => Profile.Run(Models(PeerArtifacts.Models), int.Parse(Option("--rounds") ?? "15"), double.Parse(Option("--seconds") ?? "0.2"), ort: !Flag("--no-ort"), steps: !Flag("--no-steps")),
        "cold" => ColdStart.Run(Models(["lenet5", "resnet8"]), int.Parse(Option("--reps") ?? "11")),
        "cold-child" => ColdStart.Child(arguments[0], arguments[1], mainTimestamp),
        "keystroke" => KeystrokeInterleaved.Run(int.Parse(Option("--rounds") ?? "31"), double.Parse(Option("--seconds") ?? "0.3")),
        "bdn" => RunBenchmarkDotNet(),
        _ => throw new ArgumentException($"unknown mode '{mode}': interleaved, profile, cold, keystroke, or BenchmarkDotNet arguments"),
    };
}
catch (Exception e)
{
    Console.Error.WriteLine($"FAILED: {e}");
    return 1;
}

int RunBenchmarkDotNet()
{
    bool isa = Flag("--isa");
    bool wallClock = Flag("--wall-clock") || !OperatingSystem.IsLinux();
    NetworkBenchmarks.Selection = Models(PeerArtifacts.Models);
    // The benchmark processes BenchmarkDotNet spawns find the artifacts through the environment they inherit.
    Environment.SetEnvironmentVariable(PeerArtifacts.EnvironmentVariable, PeerArtifacts.Root);
    if (!arguments.Any(a => a.StartsWith("--filter", StringComparison.Ordinal) || a == "-f"))
        arguments.AddRange(["--filter", "*NetworkBenchmarks*"]);

    // The widest job first: "vs first job" divides by it. Narrower vectors change ConvGen's code only (ORT's native
    // kernels ignore these variables), so ORT runs in the first job only.
    (string Id, string? Variable)[] jobs = isa
        ? [("AVX-512", null), ("AVX512=0", "DOTNET_EnableAVX512"), ("AVX2=0", "DOTNET_EnableAVX2"), ("HWIntrinsic=0", "DOTNET_EnableHWIntrinsic")]
        : [("AVX-512", null)];
    Job job = Job.Default.WithWarmupCount(6).WithIterationCount(15).WithIterationTime(TimeInterval.FromMilliseconds(250));
    // The calling thread's CPU time, unless --wall-clock: on a machine shared with other work, wall-clock time also
    // counts the time others held the timing CPU (ThreadCpuClock).
    if (!wallClock) job = job.WithClock(new ThreadCpuClock());
    IConfig config = DefaultConfig.Instance;
    // The widest job runs each case in three processes: where a process's memory lands moves a network's time by up
    // to 10% (MobileNetV2), and the statistics then span three draws.
    foreach ((string id, string? variable) in jobs)
        config = config.AddJob(variable is null ? job.WithLaunchCount(3).WithId(id) : job.WithEnvironmentVariable(variable, "0").WithId(id));
    config = config
        .AddColumn(new RatioToOrtColumn(), new GflopsColumn(), new PercentOfPeakColumn())
        .AddColumn(BenchmarkDotNet.Columns.StatisticColumn.Median, BenchmarkDotNet.Columns.StatisticColumn.Min)
        .HideColumns(BenchmarkDotNet.Columns.Column.EnvironmentVariables)
        .WithSummaryStyle(SummaryStyle.Default.WithTimeUnit(TimeUnit.Microsecond))
        .WithOrderer(new ByNetworkOrderer(jobs.Select(j => j.Id).ToArray()))
        .WithOptions(ConfigOptions.JoinSummary)
        // The boilerplate project builds the generator and every network again; on one busy core that takes minutes.
        .WithBuildTimeout(TimeSpan.FromMinutes(15));
    if (isa)
        config = config
            .AddColumn(new VersusFirstJobColumn())
            .AddFilter(new BenchmarkDotNet.Filters.SimpleFilter(c => c.Job.ResolvedId == jobs[0].Id || c.Descriptor.WorkloadMethod.Name != nameof(NetworkBenchmarks.OnnxRuntime)));

    Summary[] summaries = BenchmarkSwitcher.FromAssembly(typeof(NetworkBenchmarks).Assembly).Run(arguments.ToArray(), config).ToArray();
    bool failed = summaries.Length == 0 || summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));
    if (failed) Console.Error.WriteLine("FAILED: a benchmark did not run or its output did not match PyTorch's (see the log above)");
    return failed ? 1 : 0;
}
