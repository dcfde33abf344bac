using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace ConvGen.Benchmarks;

/// <summary>
/// Cold start, in fresh processes of this program: for each network and engine, the time from spawning the process
/// to its first correct output, split into spawn → Main, Main → loaded (ConvGen's Load of weights.safetensors, or
/// ORT's session creation from model.onnx; both read their file and the input), and the first Run. Repetitions
/// alternate the engines' order; medians are reported.
/// </summary>
internal static class ColdStart
{
    private sealed record Sample(string Model, string Engine, double ToMain, double Load, double FirstRun, double Total);

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
                    var sample = new Sample(model, engine == "ort" ? "ORT" : "ConvGen", Ms(spawned, t["main"]), Ms(t["main"], t["loaded"]), Ms(t["loaded"], t["first"]), Ms(spawned, t["first"]));
                    samples.Add(sample);
                    Console.WriteLine($"  {r + 1}: {model} {sample.Engine}: first correct output {sample.Total:F1} ms after spawn (to Main {sample.ToMain:F1}, load {sample.Load:F1}, first Run {sample.FirstRun:F2})");
                }

        Console.WriteLine();
        Console.WriteLine("| network | engine | spawn → first correct output, ms: median [min..max] | spawn → Main | Load / session creation | first Run |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|");
        foreach (var g in samples.GroupBy(s => (s.Model, s.Engine)))
            Console.WriteLine($"| {g.Key.Model} | {g.Key.Engine} | **{Timing.Median(g.Select(s => s.Total)):F1}** [{g.Min(s => s.Total):F1}..{g.Max(s => s.Total):F1}] | " +
                              $"{Timing.Median(g.Select(s => s.ToMain)):F1} | {Timing.Median(g.Select(s => s.Load)):F1} | {Timing.Median(g.Select(s => s.FirstRun)):F2} |");
        Console.WriteLine();
        Console.WriteLine("Targets (issue 6, item 5): ConvGen's first Run <= 1.5x ORT's; ConvGen's spawn → first correct output below ORT's.");
        Console.WriteLine();
        Console.WriteLine("| network | first Run, ConvGen/ORT | spawn → first output, ConvGen/ORT |");
        Console.WriteLine("|---|---:|---:|");
        foreach (string model in models)
        {
            double Median(string engine, Func<Sample, double> f) => Timing.Median(samples.Where(s => s.Model == model && s.Engine == engine).Select(f));
            double first = Median("ConvGen", s => s.FirstRun) / Median("ORT", s => s.FirstRun);
            double total = Median("ConvGen", s => s.Total) / Median("ORT", s => s.Total);
            Console.WriteLine($"| {model} | {first:F2} ({(first <= 1.5 ? "met" : "not met")}) | {total:F2} ({(total < 1 ? "met" : "not met")}) |");
        }
        return 0;
    }

    /// <summary>One cold start: load, one Run, then (untimed) the check against PyTorch; prints the timestamps.</summary>
    public static int Child(string model, string engine, long mainTimestamp)
    {
        (long loaded, long first, float[] output) = engine switch
        {
            "convgen" => FirstConvGen(model),
            "ort" => FirstOrt(model),
            _ => throw new ArgumentException($"engine '{engine}': convgen or ort"),
        };
        PeerArtifacts.CheckAgainstPyTorch(model, engine + " (cold)", output);
        Console.WriteLine($"COLD main={mainTimestamp} loaded={loaded} first={first}");
        return 0;
    }

    // Separate methods, so that a ConvGen child never loads ONNX Runtime's assembly, nor an ORT child ConvGen's network.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (long, long, float[]) FirstConvGen(string model)
    {
        ConvGenEngine engine = ConvGenEngine.Load(model, PeerArtifacts.Input(model));
        long loaded = Stopwatch.GetTimestamp();
        engine.Run();
        return (loaded, Stopwatch.GetTimestamp(), engine.Output);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (long, long, float[]) FirstOrt(string model)
    {
        var engine = new OrtEngine(PeerArtifacts.OnnxPath(model), PeerArtifacts.Input(model));
        long loaded = Stopwatch.GetTimestamp();
        engine.Run();
        return (loaded, Stopwatch.GetTimestamp(), engine.Output);
    }
}
