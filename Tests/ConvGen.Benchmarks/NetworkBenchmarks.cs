using BenchmarkDotNet.Attributes;

namespace ConvGen.Benchmarks;

/// <summary>
/// Batch-1 latency of the five reference networks, ConvGen beside ONNX Runtime (in process, one thread) on the same
/// weights and input. Each engine's setup checks its output against PyTorch's before anything is timed, then warms
/// up until the JIT has settled (<see cref="Timing.WarmUp"/>) and prints what it did.
/// </summary>
[MemoryDiagnoser]
public class NetworkBenchmarks
{
    private IEngine _engine = null!;

    /// <summary>The networks to time: all five, or those of <c>--models</c> (Program sets the list before BenchmarkDotNet runs).</summary>
    public static IEnumerable<string> Models => Selection ?? PeerArtifacts.Models;

    internal static string[]? Selection { get; set; }

    [ParamsSource(nameof(Models))]
    public string Model { get; set; } = "lenet5";

    [GlobalSetup(Target = nameof(ConvGen))]
    public void SetUpConvGen() => SetUp(ConvGenEngine.Load(Model, PeerArtifacts.Input(Model)));

    [GlobalSetup(Target = nameof(OnnxRuntime))]
    public void SetUpOnnxRuntime() => SetUp(new OrtEngine(PeerArtifacts.OnnxPath(Model), PeerArtifacts.Input(Model)));

    private void SetUp(IEngine engine)
    {
        _engine = engine;
        engine.Run();
        double error = PeerArtifacts.CheckAgainstPyTorch(Model, engine.Name, engine.Output);
        Console.WriteLine($"// {Model} {engine.Name}: output matches PyTorch's (max |error| {error:G3}); {Timing.Describe()}");
        Timing.WarmUpReport warm = Timing.WarmUp(maxSeconds: 60, engine.Run);
        Console.WriteLine($"// {Model} {engine.Name}: {warm}");
    }

    [GlobalCleanup]
    public void CleanUp()
    {
        // A fast wrong answer must not be reported: the output is checked again after every timed call.
        PeerArtifacts.CheckAgainstPyTorch(Model, _engine.Name, _engine.Output);
        _engine.Dispose();
    }

    [Benchmark(Description = "ConvGen")]
    public void ConvGen() => _engine.Run();

    [Benchmark(Description = "ORT")]
    public void OnnxRuntime() => _engine.Run();
}
