using System.Diagnostics;
using System.Text.Json;

namespace ConvGen.Benchmarks;

/// <summary>
/// Where the time goes, per layer kind: ConvGen's generated RunProfiled (a timestamp after each step; built with
/// ConvGenProfile=true) beside ONNX Runtime's own per-node profile, grouped into dense KxK convolution, pointwise 1x1,
/// depthwise, linear and other, with the % of the single-core peak each kind reaches (2 x its MACs per time).
/// </summary>
internal static class Profile
{
    public static readonly string[] Kinds = ["dense", "pointwise", "depthwise", "pointwise+depthwise", "linear", "other"];

    private sealed record StepTime(ProfileStep Step, double Microseconds);

    private sealed record OrtNode(string Name, string Op, string Kind, string Inputs, string Output, double Microseconds);

    public static int Run(string[] models, int rounds, double seconds, bool ort, bool steps)
    {
        Console.WriteLine($"# profile: ConvGen's RunProfiled{(ort ? $" beside ONNX Runtime {OrtEngine.Version}'s profiler" : "")}, one thread; {rounds} rounds x {seconds * 1000:F0} ms");
        Console.WriteLine($"# {Timing.Describe()}");
        var summary = new List<string>
        {
            "| network | Run µs | steps sum µs | " + string.Join(" | ", Kinds.Select(k => $"{k} µs (% of peak)")) + " |",
            "|---|---:|---:|" + string.Concat(Kinds.Select(_ => "---:|")),
        };
        foreach (string model in models)
        {
            float[] input = PeerArtifacts.Input(model);
            using ConvGenEngine convgen = ConvGenEngine.Load(model, input);
            (List<StepTime> stepTimes, double runUs, Timing.WarmUpReport warm) = TimeSteps(convgen, rounds, seconds);
            string[] unknown = convgen.Steps.Select(s => s.Kind).Distinct().Except(Kinds).ToArray();
            if (unknown.Length > 0) throw new InvalidOperationException($"{model}: steps of kinds this program does not group: {string.Join(", ", unknown)}");
            double sum = stepTimes.Sum(s => s.Microseconds);
            Console.WriteLine();
            Console.WriteLine($"## {model}: ConvGen Run {runUs:F1} µs (untimed, median CPU time per call), steps sum {sum:F1} µs; {warm}");

            (List<OrtNode> Nodes, double Unprofiled)? ortProfile = ort ? ProfileOrt(model, input) : null;
            Console.WriteLine();
            Console.WriteLine("| kind | ConvGen steps | MMAC | ConvGen µs | share | GFLOP/s | % of peak |" + (ortProfile is null ? "" : " ORT nodes | ORT µs (scaled) | ORT % of peak | ConvGen − ORT µs |"));
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|" + (ortProfile is null ? "" : "---:|---:|---:|---:|"));
            var cells = new List<string>();
            foreach (string kind in Kinds)
            {
                var mine = stepTimes.Where(s => s.Step.Kind == kind).ToList();
                long macs = mine.Sum(s => s.Step.MultiplyAccumulates);
                double us = mine.Sum(s => s.Microseconds);
                string row = $"| {kind} | {mine.Count} | {macs / 1e6:F2} | {us:F1} | {100 * us / sum:F0}% | {Gflops(macs, us)} | {PercentOfPeak(macs, us)} |";
                if (ortProfile is { } p)
                {
                    // ORT's profiler slows every node (about 1-3 µs each); its node times are scaled to add up to the unprofiled Run.
                    double scale = p.Unprofiled / p.Nodes.Sum(n => n.Microseconds);
                    var theirs = p.Nodes.Where(n => n.Kind == kind).ToList();
                    double ortUs = scale * theirs.Sum(n => n.Microseconds);
                    row += $" {theirs.Count} | {ortUs:F1} | {(theirs.Count == 0 ? "-" : PercentOfPeak(macs, ortUs))} | {us - ortUs:+0.0;-0.0} |";
                }
                Console.WriteLine(row);
                if (ortProfile is not null && kind == "pointwise+depthwise" && mine.Count > 0)
                    Console.WriteLine("| (ConvGen's fused pairs count here, ORT's same layers under pointwise and depthwise: compare the three rows' sum; ORT's % of peak above uses ConvGen's MACs of each row) | | | | | | | | | | |");
                cells.Add(mine.Count == 0 ? "-" : $"{us:F1} ({PercentOfPeak(macs, us)})");
            }
            summary.Add($"| {model} | {runUs:F1} | {sum:F1} | {string.Join(" | ", cells)} |");

            if (steps)
            {
                Console.WriteLine();
                Console.WriteLine("| step | kind | layers | output | MMAC | µs | GFLOP/s | % of peak |");
                Console.WriteLine("|---|---|---|---|---:|---:|---:|---:|");
                foreach (StepTime s in stepTimes)
                    Console.WriteLine($"| {s.Step.Method} | {s.Step.Kind} | {s.Step.Layers.Replace("|", "\\|")} | {s.Step.Output} | {s.Step.MultiplyAccumulates / 1e6:F3} | {s.Microseconds:F2} | {Gflops(s.Step.MultiplyAccumulates, s.Microseconds)} | {PercentOfPeak(s.Step.MultiplyAccumulates, s.Microseconds)} |");
                if (ortProfile is { } p)
                {
                    Console.WriteLine();
                    Console.WriteLine($"ORT's nodes (profiled: trimmed mean kernel time, not scaled; unprofiled Run, CPU time {p.Unprofiled:F1} µs, profiled nodes sum {p.Nodes.Sum(n => n.Microseconds):F1} µs):");
                    Console.WriteLine();
                    Console.WriteLine("| node | op | kind | inputs | output | µs |");
                    Console.WriteLine("|---|---|---|---|---|---:|");
                    foreach (OrtNode n in p.Nodes)
                        Console.WriteLine($"| {n.Name} | {n.Op} | {n.Kind} | {n.Inputs} | {n.Output} | {n.Microseconds:F2} |");
                }
            }
        }
        Console.WriteLine();
        Console.WriteLine("ConvGen per kind (µs, and % of the single-core peak):");
        Console.WriteLine();
        summary.ForEach(Console.WriteLine);
        return 0;
    }

    private static string Gflops(long macs, double us) => macs == 0 ? "-" : (2.0 * macs / (us * 1e3)).ToString("F1");
    private static string PercentOfPeak(long macs, double us) => macs == 0 ? "-" : Interleaved.PercentOfPeak(macs, us).ToString("F0") + "%";

    /// <summary>
    /// Per step, the median of its time over every RunProfiled call of the rounds; rounds alternate with untimed Run
    /// calls, whose median CPU time per call is returned too (the timestamps' own cost is the difference). Medians per
    /// call, because on a shared machine a call now and then loses the CPU for milliseconds, which a mean would spread
    /// over every step; CPU time for the whole Run, which a long call (MobileNetV2's 6 ms) often loses the CPU within.
    /// </summary>
    private static (List<StepTime>, double RunMicroseconds, Timing.WarmUpReport) TimeSteps(ConvGenEngine engine, int rounds, double seconds)
    {
        int n = engine.Steps.Length;
        var stamps = new long[n + 1];
        engine.RunProfiled(stamps);
        PeerArtifacts.CheckAgainstPyTorch(engine.Model, "ConvGen RunProfiled", engine.Output);
        void Profiled() => engine.RunProfiled(stamps);
        Timing.WarmUpReport warm = Timing.WarmUp(maxSeconds: 120, engine.Run, Profiled);

        var steps = Enumerable.Range(0, n).Select(_ => new List<long>()).ToArray();
        var runs = new List<long>();
        long budget = (long)(seconds * Stopwatch.Frequency);
        for (int r = 0; r < rounds; r++)
        {
            runs.AddRange(Timing.CallCpuNanoseconds(engine.Run, seconds / 2));
            long start = Stopwatch.GetTimestamp();
            do
            {
                engine.RunProfiled(stamps);
                for (int i = 0; i < n; i++) steps[i].Add(stamps[i + 1] - stamps[i]);
            } while (stamps[n] - start < budget);
        }
        PeerArtifacts.CheckAgainstPyTorch(engine.Model, "ConvGen RunProfiled (after timing)", engine.Output);
        return (engine.Steps.Select((s, i) => new StepTime(s, Timing.MedianMicroseconds(steps[i]))).ToList(), Timing.Median(runs.Select(t => t / 1e3)), warm);
    }

    /// <summary>
    /// ORT's profile (SessionOptions.EnableProfiling) with the same session settings: per node, the trimmed mean of
    /// its kernel-time events over the profiled runs after a warm-up; and the
    /// unprofiled Run's median CPU time, from a second session timed in between, so both see the same phases of the machine.
    /// </summary>
    private static (List<OrtNode> Nodes, double Unprofiled) ProfileOrt(string model, float[] input)
    {
        string folder = Directory.CreateTempSubdirectory("convgen-ortprof-").FullName;
        string file;
        var unprofiled = new List<long>();
        using (var plain = new OrtEngine(PeerArtifacts.OnnxPath(model), input))
        using (var profiled = new OrtEngine(PeerArtifacts.OnnxPath(model), input, Path.Combine(folder, model)))
        {
            Timing.WarmUp(maxSeconds: 60, plain.Run);
            const int rounds = 10;
            int runsPerRound = Math.Clamp((int)(1e5 / Timing.MeanMicroseconds(plain.Run, 0.05)), 2, 50);
            for (int i = 0; i < runsPerRound; i++) profiled.Run(); // its warm-up: the first round's events are dropped below
            for (int r = 0; r < rounds; r++)
            {
                unprofiled.AddRange(Timing.CallCpuNanoseconds(plain.Run, 0.05));
                for (int i = 0; i < runsPerRound; i++) profiled.Run();
            }
            PeerArtifacts.CheckAgainstPyTorch(model, "ORT (profiled)", profiled.Output);
            file = profiled.EndProfiling();
        }

        var nodes = new Dictionary<string, (string Op, string Inputs, string Output, List<double> Durations)>();
        using (JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(file)))
        {
            foreach (JsonElement e in doc.RootElement.EnumerateArray())
            {
                string name = e.GetProperty("name").GetString() ?? "";
                if (!(e.TryGetProperty("cat", out JsonElement cat) && cat.GetString() == "Node" && name.EndsWith("_kernel_time", StringComparison.Ordinal))) continue;
                string node = name[..^"_kernel_time".Length];
                if (!nodes.TryGetValue(node, out var entry))
                {
                    JsonElement args = e.GetProperty("args");
                    entry = (args.GetProperty("op_name").GetString() ?? "", Shapes(args, "input_type_shape"), Shapes(args, "output_type_shape"), new List<double>());
                    nodes[node] = entry;
                }
                entry.Durations.Add(e.GetProperty("dur").GetDouble());
            }
        }
        Directory.Delete(folder, recursive: true);
        return (nodes.Select(kv => new OrtNode(kv.Key, kv.Value.Op, OrtKind(kv.Value.Op, kv.Value.Inputs), kv.Value.Inputs, kv.Value.Output,
            TrimmedMean(kv.Value.Durations.Skip(kv.Value.Durations.Count / 11)))).ToList(), Timing.Median(unprofiled.Select(t => t / 1e3)));
    }

    /// <summary>The mean of the values up to the 90th percentile: ORT reports whole microseconds (hence a mean, not a
    /// median), and the top tenth holds the runs that lost the CPU to another process.</summary>
    private static double TrimmedMean(IEnumerable<double> values)
    {
        double p90 = Timing.Quantile(values, 0.9);
        return values.Where(v => v <= p90).Average();
    }

    private static string Shapes(JsonElement args, string property) =>
        args.TryGetProperty(property, out JsonElement list)
            ? string.Join(" ", list.EnumerateArray().SelectMany(item => item.EnumerateObject()).Select(p => "[" + string.Join(",", p.Value.EnumerateArray().Select(x => x.GetInt64())) + "]"))
            : "";

    /// <summary>A Conv node's kind from its weight shape [out, in/groups, kh, kw] (the second input) and input channels.</summary>
    private static string OrtKind(string op, string inputs)
    {
        if (op is "Gemm" or "MatMul" or "FusedGemm" or "FusedMatMul") return "linear";
        if (op is not ("Conv" or "FusedConv" or "NchwcConv")) return "other";
        long[][] shapes = inputs.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => s.Trim('[', ']').Split(',', StringSplitOptions.RemoveEmptyEntries).Select(long.Parse).ToArray()).ToArray();
        if (shapes.Length < 2 || shapes[1].Length != 4) return "other";
        long[] w = shapes[1];
        long inChannels = shapes[0].Length >= 2 ? shapes[0][1] : -1;
        if (w[1] == 1 && inChannels > 1) return "depthwise";
        return w[2] == 1 && w[3] == 1 ? "pointwise" : "dense";
    }
}
