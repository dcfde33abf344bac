using BenchmarkDotNet.Attributes;
using ConvGen.Networks;

namespace ConvGen.Benchmarks;

/// <summary>
/// Batch-1 latency of the peers' reference networks with the peers' own weights and input; each setup first checks
/// the output against PyTorch's, so a fast wrong answer cannot be reported.
/// </summary>
[MemoryDiagnoser]
public class NetworkBenchmarks
{
    private float[] _input = Array.Empty<float>();
    private float[] _output = Array.Empty<float>();
    private Action _run = () => { };

    [Params("lenet5", "dscnn", "resnet8", "vww_mobilenetv1")]
    public string Model { get; set; } = "lenet5";

    [GlobalSetup]
    public void Setup()
    {
        _input = PeerArtifacts.Input(Model);
        byte[] weights = PeerArtifacts.Weights(Model);
        switch (Model)
        {
            case "lenet5": Bind(PeerLeNet5.Load(weights), PeerLeNet5.OutputLength, (n, x, y) => n.Run(x, y)); break;
            case "dscnn": Bind(PeerDSCNN.Load(weights), PeerDSCNN.OutputLength, (n, x, y) => n.Run(x, y)); break;
            case "resnet8": Bind(PeerResNet8.Load(weights), PeerResNet8.OutputLength, (n, x, y) => n.Run(x, y)); break;
            case "vww_mobilenetv1": Bind(PeerVWW.Load(weights), PeerVWW.OutputLength, (n, x, y) => n.Run(x, y)); break;
            default: throw new ArgumentException(Model);
        }
        _run();
        PeerArtifacts.CheckAgainstPyTorch(Model, _output);
    }

    private delegate void Runner<T>(T network, ReadOnlySpan<float> input, Span<float> output);

    private void Bind<T>(T network, int outputLength, Runner<T> run)
    {
        _output = new float[outputLength];
        _run = () => run(network, _input, _output);
    }

    [Benchmark]
    public void Run() => _run();
}
