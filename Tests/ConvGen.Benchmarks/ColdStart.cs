using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace ConvGen.Benchmarks;

/// <summary>
/// Cold start, in fresh processes of this program: for each network and engine, the time from spawning the process
/// to its first correct output, split into spawn → Main, Main → loaded (ConvGen's Load of weights.safetensors, or
/// ORT's session creation from model.onnx; both read their file and the input), and the first Run. Repetitions
/// alternate the engines' order; medians are reported. Beside the wall clock, each process reports CPU time: of the
/// whole process (every thread, from its creation) at its first correct output, and of the main thread during the
/// load and the first Run (where the JIT compiles what it runs): on a shared machine these do not count the time
/// other work held the CPU.
/// </summary>
internal static class ColdStart
{
    private sealed record Sample(string Model, string Engine, double ToMain, double Load, double FirstRun, double Total,
        double ProcessCpu, double LoadCpu, double FirstRunCpu);

    public static int Run(string[] models, int repetitions)
    {
        string host = Environment.ProcessPath!;
        string program = typeof(ColdStart).Assembly.Location;
        bool viaDotnet = Path.GetFileNameWithoutExtension(host) == "dotnet";
        Console.WriteLine($"# cold start: {repetitions} fresh processes per network and engine ({(viaDotnet ? $"dotnet {Path.GetFileName(program)}" : Path.GetFileName(host))} cold-child ...); ONNX Runtime {OrtEngine.Version}");
        Console.WriteLine($"# {Timing.Describe()}");
        var samples = new List<Sample>();
        for (int r = 0; r < repetitions; r++)
            foreach (string model in models)
                foreach (string engine in r % 2 == 0 ? new[] { "convgen", "ort" } : new[] { "ort", "convgen" })
                {
                    var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                    if (viaDotnet) start.ArgumentList.Add(program);
                    start.ArgumentList.Add("cold-child");
                    start.ArgumentList.Add(model);
                    start.ArgumentList.Add(engine);
                    long spawned = Stopwatch.GetTimestamp();
                    using Process child = Process.Start(start)!;
                    string output = child.StandardOutput.ReadToEnd(), errors = child.StandardError.ReadToEnd();
                    child.WaitForExit();
                    string? line = output.Split('\n').FirstOrDefault(l => l.StartsWith("COLD ", StringComparison.Ordinal));
                    if (child.ExitCode != 0 || line is null)
                        throw new InvalidOperationException($"cold-child {model} {engine} failed (exit {child.ExitCode}): {output}{errors}");
                    // Stopwatch timestamps are CLOCK_MONOTONIC on Linux, shared by parent and child.
                    var t = line[5..].Split(' ').Select(kv => kv.Split('=')).ToDictionary(kv => kv[0], kv => long.Parse(kv[1]));
                    double Ms(long from, long to) => (to - from) * 1e3 / Stopwatch.Frequency;
                    var sample = new Sample(model, engine == "ort" ? "ORT" : "ConvGen", Ms(spawned, t["main"]), Ms(t["main"], t["loaded"]), Ms(t["loaded"], t["first"]), Ms(spawned, t["first"]),
                        t["processcpu"] / 1e6, t["loadcpu"] / 1e6, t["firstcpu"] / 1e6);
                    samples.Add(sample);
                    Console.WriteLine($"  {r + 1}: {model} {sample.Engine}: first correct output {sample.Total:F1} ms after spawn (to Main {sample.ToMain:F1}, load {sample.Load:F1}, first Run {sample.FirstRun:F2}); " +
                                      $"CPU: process {sample.ProcessCpu:F1}, load {sample.LoadCpu:F1}, first Run {sample.FirstRunCpu:F2}");
                }

        Console.WriteLine();
        Console.WriteLine("Wall clock, ms (medians):");
        Console.WriteLine();
        Console.WriteLine("| network | engine | spawn → first correct output [min..max] | spawn → Main | Load / session creation | first Run |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|");
        foreach (var g in samples.GroupBy(s => (s.Model, s.Engine)))
            Console.WriteLine($"| {g.Key.Model} | {g.Key.Engine} | **{Timing.Median(g.Select(s => s.Total)):F1}** [{g.Min(s => s.Total):F1}..{g.Max(s => s.Total):F1}] | " +
                              $"{Timing.Median(g.Select(s => s.ToMain)):F1} | {Timing.Median(g.Select(s => s.Load)):F1} | {Timing.Median(g.Select(s => s.FirstRun)):F2} |");
        Console.WriteLine();
        Console.WriteLine("CPU time, ms (medians): the process's, all threads, at its first correct output; the main thread's during Load / session creation and the first Run.");
        Console.WriteLine();
        Console.WriteLine("| network | engine | process CPU to first correct output [min..max] | Load / session creation | first Run |");
        Console.WriteLine("|---|---|---:|---:|---:|");
        foreach (var g in samples.GroupBy(s => (s.Model, s.Engine)))
            Console.WriteLine($"| {g.Key.Model} | {g.Key.Engine} | **{Timing.Median(g.Select(s => s.ProcessCpu)):F1}** [{g.Min(s => s.ProcessCpu):F1}..{g.Max(s => s.ProcessCpu):F1}] | " +
                              $"{Timing.Median(g.Select(s => s.LoadCpu)):F1} | {Timing.Median(g.Select(s => s.FirstRunCpu)):F2} |");
        Console.WriteLine();
        Console.WriteLine("Targets (issue 6, item 5): ConvGen's first Run <= 1.5x ORT's; ConvGen's spawn → first correct output below ORT's.");
        Console.WriteLine();
        Console.WriteLine("| network | first Run, ConvGen/ORT: wall (CPU) | spawn → first output, ConvGen/ORT: wall (process CPU) |");
        Console.WriteLine("|---|---:|---:|");
        foreach (string model in models)
        {
            double Ratio(Func<Sample, double> f) =>
                Timing.Median(samples.Where(s => s.Model == model && s.Engine == "ConvGen").Select(f)) / Timing.Median(samples.Where(s => s.Model == model && s.Engine == "ORT").Select(f));
            double first = Ratio(s => s.FirstRun), firstCpu = Ratio(s => s.FirstRunCpu), total = Ratio(s => s.Total), totalCpu = Ratio(s => s.ProcessCpu);
            Console.WriteLine($"| {model} | {first:F2} ({firstCpu:F2}): {(first <= 1.5 ? "met" : "not met")} | {total:F2} ({totalCpu:F2}): {(total < 1 ? "met" : "not met")} |");
        }
        return 0;
    }

    /// <summary>One cold start: load, one Run, then (untimed) the check against PyTorch; prints the timestamps.</summary>
    public static int Child(string model, string engine, long mainTimestamp)
    {
        long cpuAtMain = Timing.ThreadCpuNanoseconds();
        (long loaded, long loadedCpu, long first, long firstCpu, long processCpu, float[] output) = engine switch
        {
            "convgen" => FirstConvGen(model),
            "ort" => FirstOrt(model),
            _ => throw new ArgumentException($"engine '{engine}': convgen or ort"),
        };
        PeerArtifacts.CheckAgainstPyTorch(model, engine + " (cold)", output);
        Console.WriteLine($"COLD main={mainTimestamp} loaded={loaded} first={first} processcpu={processCpu} loadcpu={loadedCpu - cpuAtMain} firstcpu={firstCpu - loadedCpu}");
        return 0;
    }

    // Separate methods, so that a ConvGen child never loads ONNX Runtime's assembly, nor an ORT child ConvGen's network.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (long, long, long, long, long, float[]) FirstConvGen(string model)
    {
        ConvGenEngine engine = ConvGenEngine.Load(model, PeerArtifacts.Input(model));
        long loaded = Stopwatch.GetTimestamp(), loadedCpu = Timing.ThreadCpuNanoseconds();
        engine.Run();
        return (loaded, loadedCpu, Stopwatch.GetTimestamp(), Timing.ThreadCpuNanoseconds(), Timing.ProcessCpuNanoseconds(), engine.Output);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (long, long, long, long, long, float[]) FirstOrt(string model)
    {
        var engine = new OrtEngine(PeerArtifacts.OnnxPath(model), PeerArtifacts.Input(model));
        long loaded = Stopwatch.GetTimestamp(), loadedCpu = Timing.ThreadCpuNanoseconds();
        engine.Run();
        return (loaded, loadedCpu, Stopwatch.GetTimestamp(), Timing.ThreadCpuNanoseconds(), Timing.ProcessCpuNanoseconds(), engine.Output);
    }
}
