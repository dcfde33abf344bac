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
            "| network | MMAC | ConvGen median µs [min] | ORT median µs [min] | ConvGen/ORT, median of rounds [p25..p75] | ConvGen CPU µs | ORT CPU µs | ConvGen/ORT by CPU time [p25..p75] | ConvGen % of peak | ORT % of peak | ConvGen B/Run | ORT managed B/Run | foreign CPU, median / max round |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        };
        OrtFloor();
        foreach (string model in models)
        {
            float[] input = PeerArtifacts.Input(model);
            long macs = PeerArtifacts.MultiplyAccumulates(model);
            using ConvGenEngine convgenEngine = ConvGenEngine.Load(model, input);
            using var ortEngine = new OrtEngine(PeerArtifacts.OnnxPath(model), input);
            convgenEngine.Run();
            ortEngine.Run();
            double errorConvGen = PeerArtifacts.CheckAgainstPyTorch(model, "ConvGen", convgenEngine.Output);
            double errorOrt = PeerArtifacts.CheckAgainstPyTorch(model, "ORT", ortEngine.Output);
            Timing.WarmUpReport warm = Timing.WarmUp(maxSeconds: 120, convgenEngine.Run, ortEngine.Run);
            Console.WriteLine($"{model}: outputs match PyTorch's (max |error| ConvGen {errorConvGen:G3}, ORT {errorOrt:G3}); ConvGen scratch {convgenEngine.ScratchBytes:N0} B; {warm}");
            double allocConvGen = Timing.AllocatedBytesPerCall(convgenEngine.Run, 100);
            double allocOrt = Timing.AllocatedBytesPerCall(ortEngine.Run, 100);

            var convgen = new List<Timing.ChunkTime>();
            var ort = new List<Timing.ChunkTime>();
            var foreign = new List<double>();
            var meter = new CpuMeter();
            for (int r = 0; r < rounds; r++)
            {
                meter.Start();
                Timing.ChunkTime c, o;
                if (r % 2 == 0) { c = Timing.Chunk(convgenEngine.Run, seconds); o = Timing.Chunk(ortEngine.Run, seconds); }
                else { o = Timing.Chunk(ortEngine.Run, seconds); c = Timing.Chunk(convgenEngine.Run, seconds); }
                foreign.Add(meter.Foreign());
                convgen.Add(c);
                ort.Add(o);
            }
            PeerArtifacts.CheckAgainstPyTorch(model, "ConvGen (after timing)", convgenEngine.Output);
            PeerArtifacts.CheckAgainstPyTorch(model, "ORT (after timing)", ortEngine.Output);

            double[] wallRatios = convgen.Zip(ort, (c, o) => c.WallMicroseconds / o.WallMicroseconds).ToArray();
            double[] cpuRatios = convgen.Zip(ort, (c, o) => c.CpuMicroseconds / o.CpuMicroseconds).ToArray();
            double convgenWall = Timing.Median(convgen.Select(c => c.WallMicroseconds)), ortWall = Timing.Median(ort.Select(o => o.WallMicroseconds));
            string row = $"| {model} | {macs / 1e6:F2} | {convgenWall:F1} [{convgen.Min(c => c.WallMicroseconds):F1}] | {ortWall:F1} [{ort.Min(o => o.WallMicroseconds):F1}] | " +
                         $"**{Timing.Median(wallRatios):F2}** [{Timing.Quantile(wallRatios, 0.25):F2}..{Timing.Quantile(wallRatios, 0.75):F2}] | " +
                         $"{Timing.Median(convgen.Select(c => c.CpuMicroseconds)):F1} | {Timing.Median(ort.Select(o => o.CpuMicroseconds)):F1} | " +
                         $"{Timing.Median(cpuRatios):F2} [{Timing.Quantile(cpuRatios, 0.25):F2}..{Timing.Quantile(cpuRatios, 0.75):F2}] | " +
                         $"{PercentOfPeak(macs, convgenWall):F0}% | {PercentOfPeak(macs, ortWall):F0}% | {allocConvGen:F0} | {allocOrt:F0} | {Timing.Median(foreign):F2} / {foreign.Max():F2} |";
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
