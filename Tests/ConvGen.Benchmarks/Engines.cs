using ConvGen.Networks;
using Microsoft.ML.OnnxRuntime;

namespace ConvGen.Benchmarks;

/// <summary>One engine with one network loaded, its input and output buffers bound: <see cref="Run"/> is one inference.</summary>
internal interface IEngine : IDisposable
{
    string Name { get; }
    float[] Output { get; }
    void Run();
}

/// <summary>One step of a generated network's Run, from its ProfileSteps table (ConvGenProfile=true build).</summary>
internal readonly record struct ProfileStep(string Method, string Kind, string Layers, string Output, long MultiplyAccumulates);

/// <summary>A ConvGen network (Load from the peers' weights.safetensors) bound to an input and an output array.</summary>
internal sealed class ConvGenEngine : IEngine
{
    private readonly Action _run;
    private readonly StepTimer _runProfiled;

    public delegate void StepTimer(Span<long> stepTimestamps);

    private ConvGenEngine(string model, Action run, StepTimer runProfiled, float[] output, ProfileStep[] steps, long scratchBytes)
    {
        Model = model;
        _run = run;
        _runProfiled = runProfiled;
        Output = output;
        Steps = steps;
        ScratchBytes = scratchBytes;
    }

    public string Name => "ConvGen";
    public string Model { get; }
    public float[] Output { get; }
    public ProfileStep[] Steps { get; }
    public long ScratchBytes { get; }

    public void Run() => _run();

    /// <summary>Run with a timestamp before the first step and after each (Steps.Length + 1 of them).</summary>
    public void RunProfiled(Span<long> stepTimestamps) => _runProfiled(stepTimestamps);

    public void Dispose() { }

    private delegate void Runner<T>(T network, ReadOnlySpan<float> input, Span<float> output);
    private delegate void ProfiledRunner<T>(T network, ReadOnlySpan<float> input, Span<float> output, Span<long> stepTimestamps);

    private static ConvGenEngine Bind<T>(string model, T network, float[] input, int outputLength, long scratchBytes,
        (string Method, string Kind, string Layers, string Output, long MultiplyAccumulates)[] steps, Runner<T> run, ProfiledRunner<T> runProfiled)
    {
        var output = new float[outputLength];
        return new ConvGenEngine(model, () => run(network, input, output), t => runProfiled(network, input, output, t), output,
            steps.Select(s => new ProfileStep(s.Method, s.Kind, s.Layers, s.Output, s.MultiplyAccumulates)).ToArray(), scratchBytes);
    }

    /// <summary>
    /// Load(weights.safetensors) of the model's declaration in Tests/Networks. One method per network, so that a
    /// cold-start process compiles and loads only the network it runs.
    /// </summary>
    public static ConvGenEngine Load(string model, float[] input)
    {
        string weights = PeerArtifacts.WeightsPath(model);
        return model switch
        {
            "lenet5" => LeNet5(model, weights, input),
            "dscnn" => DSCNN(model, weights, input),
            "resnet8" => ResNet8(model, weights, input),
            "vww_mobilenetv1" => VWW(model, weights, input),
            "mobilenetv2" => MobileNetV2(model, weights, input),
            _ => throw new ArgumentException($"no ConvGen declaration for '{model}'", nameof(model)),
        };
    }

    private static ConvGenEngine LeNet5(string model, string weights, float[] input) =>
        Bind(model, PeerLeNet5.Load(weights), input, PeerLeNet5.OutputLength, PeerLeNet5.ScratchBytes, PeerLeNet5.ProfileSteps,
            (n, x, y) => n.Run(x, y), (n, x, y, t) => n.RunProfiled(x, y, t));

    private static ConvGenEngine DSCNN(string model, string weights, float[] input) =>
        Bind(model, PeerDSCNN.Load(weights), input, PeerDSCNN.OutputLength, PeerDSCNN.ScratchBytes, PeerDSCNN.ProfileSteps,
            (n, x, y) => n.Run(x, y), (n, x, y, t) => n.RunProfiled(x, y, t));

    private static ConvGenEngine ResNet8(string model, string weights, float[] input) =>
        Bind(model, PeerResNet8.Load(weights), input, PeerResNet8.OutputLength, PeerResNet8.ScratchBytes, PeerResNet8.ProfileSteps,
            (n, x, y) => n.Run(x, y), (n, x, y, t) => n.RunProfiled(x, y, t));

    private static ConvGenEngine VWW(string model, string weights, float[] input) =>
        Bind(model, PeerVWW.Load(weights), input, PeerVWW.OutputLength, PeerVWW.ScratchBytes, PeerVWW.ProfileSteps,
            (n, x, y) => n.Run(x, y), (n, x, y, t) => n.RunProfiled(x, y, t));

    private static ConvGenEngine MobileNetV2(string model, string weights, float[] input) =>
        Bind(model, PeerMobileNetV2.Load(weights), input, PeerMobileNetV2.OutputLength, PeerMobileNetV2.ScratchBytes, PeerMobileNetV2.ProfileSteps,
            (n, x, y) => n.Run(x, y), (n, x, y, t) => n.RunProfiled(x, y, t));
}

/// <summary>
/// ONNX Runtime in process on the peers' model.onnx: one intra-op and one inter-op thread, sequential execution, all
/// graph optimisations, no spinning; the input and output OrtValues wrap pinned managed arrays and are bound once to
/// an IOBinding, so a Run is one RunWithBinding call and nothing of this harness.
/// </summary>
internal sealed class OrtEngine : IEngine
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly OrtIoBinding _binding;
    private readonly OrtValue _input, _output;

    public OrtEngine(string onnxPath, float[] input, string? profilePrefix = null)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        options.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
        if (profilePrefix is not null)
        {
            options.EnableProfiling = true;
            options.ProfileOutputPathPrefix = profilePrefix;
        }

        _session = new InferenceSession(onnxPath, options);
        string inputName = _session.InputNames.Single(), outputName = _session.OutputNames.Single();
        long[] inputShape = _session.InputMetadata[inputName].Dimensions.Select(d => (long)d).ToArray();
        long[] outputShape = _session.OutputMetadata[outputName].Dimensions.Select(d => (long)d).ToArray();
        if (inputShape.Aggregate(1L, (a, b) => a * b) != input.Length)
            throw new InvalidOperationException($"{onnxPath}: input [{string.Join(", ", inputShape)}] does not hold {input.Length} values");
        Output = new float[outputShape.Aggregate(1L, (a, b) => a * b)];
        _input = OrtValue.CreateTensorValueFromMemory(input, inputShape);
        _output = OrtValue.CreateTensorValueFromMemory(Output, outputShape);
        _binding = _session.CreateIoBinding();
        _binding.BindInput(inputName, _input);
        _binding.BindOutput(outputName, _output);
    }

    public string Name => "ORT";
    public float[] Output { get; }

    public void Run() => _session.RunWithBinding(_runOptions, _binding);

    /// <summary>Ends profiling (a session created with a profile prefix) and returns the JSON file's path.</summary>
    public string EndProfiling() => _session.EndProfiling();

    public static string Version => OrtEnv.Instance().GetVersionString();

    public void Dispose()
    {
        _binding.Dispose();
        _input.Dispose();
        _output.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }
}
