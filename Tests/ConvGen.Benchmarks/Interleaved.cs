namespace ConvGen.Benchmarks;

/// <summary>
/// ConvGen and ORT in one process, interleaved: after both are checked and warmed up together, rounds alternate
/// which engine goes first, each timing back-to-back calls for a fixed time, and the ratio is the median of the
/// per-round ratios, so a slow phase of the shared machine hits both engines alike.
/// </summary>
internal static class Interleaved
{
    public static int Run(string[] models, int rounds, double seconds)
    {
        Console.WriteLine($"# interleaved: ConvGen and ONNX Runtime {OrtEngine.Version} in one process, one thread each; {rounds} rounds x {seconds * 1000:F0} ms per engine, order alternating");
        Console.WriteLine($"# {Timing.Describe()}");
        var table = new List<string>
        {
            "| network | MMAC | ConvGen median µs [min] | ORT median µs [min] | ConvGen/ORT, median of rounds [p25..p75] | ConvGen % of peak | ORT % of peak | ConvGen B/Run | ORT managed B/Run | foreign CPU, max round |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        };
        OrtFloor();
        foreach (string model in models)
        {
            float[] input = PeerArtifacts.Input(model);
            long macs = PeerArtifacts.MultiplyAccumulates(model);
            using ConvGenEngine convgen = ConvGenEngine.Load(model, input);
            using var ort = new OrtEngine(PeerArtifacts.OnnxPath(model), input);
            convgen.Run();
            ort.Run();
            double errorConvGen = PeerArtifacts.CheckAgainstPyTorch(model, "ConvGen", convgen.Output);
            double errorOrt = PeerArtifacts.CheckAgainstPyTorch(model, "ORT", ort.Output);
            Timing.WarmUpReport warm = Timing.WarmUp(maxSeconds: 120, convgen.Run, ort.Run);
            Console.WriteLine($"{model}: outputs match PyTorch's (max |error| ConvGen {errorConvGen:G3}, ORT {errorOrt:G3}); ConvGen scratch {convgen.ScratchBytes:N0} B; {warm}");
            double allocConvGen = Timing.AllocatedBytesPerCall(convgen.Run, 100);
            double allocOrt = Timing.AllocatedBytesPerCall(ort.Run, 100);

            var convgenUs = new List<double>();
            var ortUs = new List<double>();
            var ratios = new List<double>();
            var foreign = new List<double>();
            var meter = new CpuMeter();
            for (int r = 0; r < rounds; r++)
            {
                meter.Start();
                double c, o;
                if (r % 2 == 0) { c = Timing.MeanMicroseconds(convgen.Run, seconds); o = Timing.MeanMicroseconds(ort.Run, seconds); }
                else { o = Timing.MeanMicroseconds(ort.Run, seconds); c = Timing.MeanMicroseconds(convgen.Run, seconds); }
                foreign.Add(meter.Foreign());
                convgenUs.Add(c);
                ortUs.Add(o);
                ratios.Add(c / o);
            }
            PeerArtifacts.CheckAgainstPyTorch(model, "ConvGen (after timing)", convgen.Output);
            PeerArtifacts.CheckAgainstPyTorch(model, "ORT (after timing)", ort.Output);

            double convgenMedian = Timing.Median(convgenUs), ortMedian = Timing.Median(ortUs);
            string row = $"| {model} | {macs / 1e6:F2} | {convgenMedian:F1} [{convgenUs.Min():F1}] | {ortMedian:F1} [{ortUs.Min():F1}] | " +
                         $"**{Timing.Median(ratios):F2}** [{Timing.Quantile(ratios, 0.25):F2}..{Timing.Quantile(ratios, 0.75):F2}] | " +
                         $"{PercentOfPeak(macs, convgenMedian):F0}% | {PercentOfPeak(macs, ortMedian):F0}% | {allocConvGen:F0} | {allocOrt:F0} | {foreign.Max():F2} |";
            Console.WriteLine(row);
            table.Add(row);
        }
        Console.WriteLine();
        table.ForEach(Console.WriteLine);
        return 0;
    }

    /// <summary>ORT's fixed cost per Run with these settings: the peers' floor_add.onnx, y = x + 1 on one float.</summary>
    private static void OrtFloor()
    {
        float[] x = [41f];
        using var floor = new OrtEngine(Path.Combine(PeerArtifacts.Root, "floor_add.onnx"), x);
        floor.Run();
        if (floor.Output[0] != 42f) throw new InvalidOperationException($"floor_add.onnx: 41 + 1 gave {floor.Output[0]}");
        Timing.WarmUp(maxSeconds: 30, floor.Run);
        var us = Enumerable.Range(0, 11).Select(_ => Timing.MeanMicroseconds(floor.Run, 0.05)).ToList();
        Console.WriteLine($"ORT's per-Run floor (floor_add.onnx, a one-element Add): median {Timing.Median(us):F2} µs, min {us.Min():F2} µs; managed {Timing.AllocatedBytesPerCall(floor.Run, 1000):F0} B/Run");
    }

    public static double PercentOfPeak(long macs, double microseconds) => 100 * 2.0 * macs / (microseconds * 1e3) / Timing.PeakGflops;
}
