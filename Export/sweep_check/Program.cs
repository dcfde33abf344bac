// The exported torchvision declarations, compiled by the generator, against PyTorch (Export/SWEEP.md):
//   /usr/bin/python3 Export/sweep_torchvision.py --weights /tmp/sweep-weights
//   dotnet run -c Release --project Export/sweep_check -- /tmp/sweep-weights Export/SWEEP_CSHARP.md
// Not part of ConvGen.sln: it compiles 21 large networks (minutes) and needs weights that stay out of the repository.
// Per model it also reports the generated source's size (the build emits it under generated/), the median latency of
// Run (one thread, after two warm-up runs), and, when Export/sweep_build_times.sh has written build-times.tsv into the
// weights folder, the time to build that model alone.
using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using ConvGenModels.Torchvision;

string dir = args.Length > 0 ? args[0] : "/tmp/sweep-weights";
string? table = args.Length > 1 ? args[1] : null;
var rows = new List<string>();
var buildTimes = new Dictionary<string, string>();
string buildTimesFile = Path.Combine(dir, "build-times.tsv");
if (File.Exists(buildTimesFile))
    foreach (string line in File.ReadAllLines(buildTimesFile))
        if (line.Split('\t') is [string model, string seconds]) buildTimes[model] = seconds;
var cases = new (string Name, Func<string, (int In, int Out, Action<float[], float[]> Run)> Load)[]
{
    ("AlexNet", p => { var n = AlexNet.Load(p); return (AlexNet.InputLength, AlexNet.OutputLength, (x, y) => n.Run(x, y)); }),
    ("Vgg11", p => { var n = Vgg11.Load(p); return (Vgg11.InputLength, Vgg11.OutputLength, (x, y) => n.Run(x, y)); }),
    ("Vgg16", p => { var n = Vgg16.Load(p); return (Vgg16.InputLength, Vgg16.OutputLength, (x, y) => n.Run(x, y)); }),
    ("ResNet18", p => { var n = ResNet18.Load(p); return (ResNet18.InputLength, ResNet18.OutputLength, (x, y) => n.Run(x, y)); }),
    ("ResNet50", p => { var n = ResNet50.Load(p); return (ResNet50.InputLength, ResNet50.OutputLength, (x, y) => n.Run(x, y)); }),
    ("ResNeXt50", p => { var n = ResNeXt50.Load(p); return (ResNeXt50.InputLength, ResNeXt50.OutputLength, (x, y) => n.Run(x, y)); }),
    ("WideResNet50", p => { var n = WideResNet50.Load(p); return (WideResNet50.InputLength, WideResNet50.OutputLength, (x, y) => n.Run(x, y)); }),
    ("MobileNetV2", p => { var n = MobileNetV2.Load(p); return (MobileNetV2.InputLength, MobileNetV2.OutputLength, (x, y) => n.Run(x, y)); }),
    ("SqueezeNet10", p => { var n = SqueezeNet10.Load(p); return (SqueezeNet10.InputLength, SqueezeNet10.OutputLength, (x, y) => n.Run(x, y)); }),
    ("SqueezeNet11", p => { var n = SqueezeNet11.Load(p); return (SqueezeNet11.InputLength, SqueezeNet11.OutputLength, (x, y) => n.Run(x, y)); }),
    ("GoogLeNet", p => { var n = GoogLeNet.Load(p); return (GoogLeNet.InputLength, GoogLeNet.OutputLength, (x, y) => n.Run(x, y)); }),
    ("InceptionV3", p => { var n = InceptionV3.Load(p); return (InceptionV3.InputLength, InceptionV3.OutputLength, (x, y) => n.Run(x, y)); }),
    ("DenseNet121", p => { var n = DenseNet121.Load(p); return (DenseNet121.InputLength, DenseNet121.OutputLength, (x, y) => n.Run(x, y)); }),
    ("MnasNet05", p => { var n = MnasNet05.Load(p); return (MnasNet05.InputLength, MnasNet05.OutputLength, (x, y) => n.Run(x, y)); }),
    ("RegNetX400MF", p => { var n = RegNetX400MF.Load(p); return (RegNetX400MF.InputLength, RegNetX400MF.OutputLength, (x, y) => n.Run(x, y)); }),
    ("MobileNetV3Small", p => { var n = MobileNetV3Small.Load(p); return (MobileNetV3Small.InputLength, MobileNetV3Small.OutputLength, (x, y) => n.Run(x, y)); }),
    ("MobileNetV3Large", p => { var n = MobileNetV3Large.Load(p); return (MobileNetV3Large.InputLength, MobileNetV3Large.OutputLength, (x, y) => n.Run(x, y)); }),
    ("EfficientNetB0", p => { var n = EfficientNetB0.Load(p); return (EfficientNetB0.InputLength, EfficientNetB0.OutputLength, (x, y) => n.Run(x, y)); }),
    ("ShuffleNetV2", p => { var n = ShuffleNetV2.Load(p); return (ShuffleNetV2.InputLength, ShuffleNetV2.OutputLength, (x, y) => n.Run(x, y)); }),
    ("RegNetY400MF", p => { var n = RegNetY400MF.Load(p); return (RegNetY400MF.InputLength, RegNetY400MF.OutputLength, (x, y) => n.Run(x, y)); }),
    ("ConvNeXtTiny", p => { var n = ConvNeXtTiny.Load(p); return (ConvNeXtTiny.InputLength, ConvNeXtTiny.OutputLength, (x, y) => n.Run(x, y)); }),
};
foreach (var c in cases)
{
    string w = Path.Combine(dir, c.Name + ".safetensors"), io = Path.Combine(dir, c.Name + ".io.safetensors");
    if (!File.Exists(w) || !File.Exists(io)) { Console.WriteLine($"{c.Name,-14} no weights"); continue; }
    var (inLen, outLen, run) = c.Load(w);
    byte[] file = File.ReadAllBytes(io);
    float[] x = Read(file, "input"), expected = Read(file, "output");
    var y = new float[outLen];
    Array.Fill(y, float.NaN);
    run(x, y);
    double maxRef = expected.Max(v => Math.Abs((double)v)), worst = expected.Select((v, i) => Math.Abs((double)y[i] - v)).Max();
    double bound = 1e-4 * Math.Max(1, maxRef);
    bool pass = worst <= bound;
    double latencyMs = MedianLatencyMs(() => run(x, y));
    string source = GeneratedSourceSize(c.Name);
    string build = buildTimes.TryGetValue(c.Name, out string? seconds) ? seconds + " s" : "-";
    Console.WriteLine($"{c.Name,-14} {(pass ? "PASS" : "FAIL")}  max err {worst:G3}  bound {bound:G3}  max|y| {maxRef:G3}  source {source}  build {build}  Run {latencyMs:F2} ms");
    rows.Add($"| {c.Name} | {(pass ? "yes" : "**no**")} | {worst:G3} | {bound:G3} | {maxRef:G3} | {source} | {build} | {latencyMs:F2} ms |");
}
if (table is not null)
{
    File.WriteAllLines(table, new[]
    {
        "# The exported torchvision declarations in C#",
        "",
        "The declarations of `Export/sweep/` (every model of `Export/SWEEP.md`), compiled by the generator",
        "and run by the runtime on PyTorch's random-weight models (`sweep_torchvision.py --weights`), against PyTorch's",
        "output for one random input (the contract's bound `1e-4 · max(1, max|y|)`). Generated source: the size of the",
        "generator's `.g.cs` for the model. Build: `dotnet build -c Release` of a project holding that model alone, after",
        "restore (`Export/sweep_build_times.sh`, wall clock). Run: median of 7 runs after 2 warm-up runs, batch 1, one",
        "thread. Written by `Export/sweep_build_times.sh /tmp/sweep-weights` then",
        "`dotnet run -c Release --project Export/sweep_check -- /tmp/sweep-weights Export/SWEEP_CSHARP.md`.",
        "",
        "| model | pass | max error | bound | largest output | generated source | build | Run |",
        "| --- | --- | --- | --- | --- | ---: | ---: | ---: |",
    }.Concat(rows));
}

static double MedianLatencyMs(Action run)
{
    run();
    run();
    var times = new List<double>();
    for (int i = 0; i < 7; i++)
    {
        long start = Stopwatch.GetTimestamp();
        run();
        times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }
    times.Sort();
    return times[times.Count / 2];
}

// The generator's output for the model, emitted by the build under generated/ beside this project.
static string GeneratedSourceSize(string model)
{
    for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
    {
        string generated = Path.Combine(d.FullName, "generated");
        if (!Directory.Exists(generated)) continue;
        string? file = Directory.EnumerateFiles(generated, $"*.{model}.g.cs", SearchOption.AllDirectories).FirstOrDefault();
        return file is null ? "-" : $"{new FileInfo(file).Length / 1024.0:F0} KB";
    }

    return "-";
}

static float[] Read(byte[] file, string key)
{
    long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(file);
    using var doc = JsonDocument.Parse(Encoding.UTF8.GetString(file, 8, (int)n));
    var e = doc.RootElement.GetProperty(key);
    long b = e.GetProperty("data_offsets")[0].GetInt64(), end = e.GetProperty("data_offsets")[1].GetInt64();
    var r = new float[(end - b) / 4];
    for (int i = 0; i < r.Length; i++) r[i] = BinaryPrimitives.ReadSingleLittleEndian(file.AsSpan((int)(8 + n + b + 4 * i), 4));
    return r;
}
