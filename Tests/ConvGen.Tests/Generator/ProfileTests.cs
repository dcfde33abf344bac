using System.Reflection;
using ConvGen.Generator;
using ConvGen.Tests.Weights;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ConvGen.Tests.Generator;

/// <summary>
/// The profiling build (MSBuild property ConvGenProfile=true): it adds a step table and RunProfiled after everything
/// else and changes nothing else; without the property the text is the normal one (the other snapshots).
/// </summary>
public class ProfileTests
{
    private const string LeNet5 = IncrementalTests.Network;

    // Every kind at least once (dense, pointwise, depthwise, linear, other), a pre-padded conv and a two-input step.
    private const string Kinds = """
        using ConvGen;
        namespace Samples;
        [Network(3, 12, 12)]
        [Conv2d(8, 3, Padding = 1, PaddingMode = "reflect", Name = "stem"), ReLU(Name = "x")]
        [Conv2d(8, 3, Padding = 1, Groups = 8, Name = "dw"), BatchNorm2d(Name = "dw_bn"), ReLU6]
        [Conv2d(8, 1, Name = "pw"), Add("x"), MaxPool2d(2)]
        [Flatten, Linear(4, Name = "fc"), Softmax]
        public partial class Kinds;
        """;

    private static Dictionary<string, string> Profile(string value) => new() { ["build_property.ConvGenProfile"] = value };

    private static GeneratorHarness.Result Generate(string source, string? profile) =>
        GeneratorHarness.Run(new[] { source }, Array.Empty<AdditionalText>(), buildProperties: profile is null ? null : Profile(profile));

    /// <summary>The profiled text is the plain text with one block inserted; returns that block.</summary>
    private static string InsertedBlock(string plain, string profiled)
    {
        int prefix = 0;
        while (prefix < plain.Length && plain[prefix] == profiled[prefix]) prefix++;
        int suffix = 0;
        while (suffix < plain.Length - prefix && plain[plain.Length - 1 - suffix] == profiled[profiled.Length - 1 - suffix]) suffix++;
        Assert.True(prefix + suffix == plain.Length, "the profiling build changed the normal text, not only added to it");
        return profiled.Substring(prefix, profiled.Length - plain.Length);
    }

    [Theory]
    [InlineData("LeNet5", LeNet5)]
    [InlineData("Kinds", Kinds)]
    public void ProfilingAddsOneBlockAndChangesNothingElse(string name, string source)
    {
        GeneratorHarness.Result plain = Generate(source, null), profiled = Generate(source, "true");
        Assert.Empty(profiled.Reported(""));
        string block = InsertedBlock(plain.GeneratedText!, profiled.GeneratedText!);
        Snapshot.Verify(name + ".Profile", block);
    }

    [Theory]
    [InlineData("false")]
    [InlineData("")]
    [InlineData("yes")]
    public void AnyValueButTrueIsTheNormalBuild(string value) =>
        Assert.Equal(Generate(LeNet5, null).GeneratedText, Generate(LeNet5, value).GeneratedText);

    [Fact]
    public void TogglingThePropertyReEmitsAndAnEqualValueDoesNot()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(LeNet5);
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new NetworkGenerator().AsSourceGenerator() },
                parseOptions: GeneratorHarness.ParseOptions, optionsProvider: new ResourceOptionsProvider(new Dictionary<string, string>()),
                driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true))
            .RunGenerators(compilation);

        GeneratorRunResult RunWith(Dictionary<string, string> properties)
        {
            driver = driver.WithUpdatedAnalyzerConfigOptions(new ResourceOptionsProvider(new Dictionary<string, string>(), properties)).RunGenerators(compilation);
            return driver.GetRunResult().Results[0];
        }

        GeneratorRunResult on = RunWith(Profile("true"));
        Assert.Contains(IncrementalStepRunReason.Modified, IncrementalTests.Reasons(on, NetworkGenerator.Steps.Emit));
        Assert.Contains("public void RunProfiled(", on.GeneratedSources[0].SourceText.ToString());

        // Another property changes the options but not what the emitter reads: nothing past EmitOptions reruns.
        var other = Profile("TRUE");
        other["build_property.SomethingElse"] = "1";
        GeneratorRunResult same = RunWith(other);
        Assert.All(IncrementalTests.Reasons(same, NetworkGenerator.Steps.EmitOptions), r => Assert.Equal(IncrementalStepRunReason.Unchanged, r));
        Assert.All(IncrementalTests.Reasons(same, NetworkGenerator.Steps.Emit), r => Assert.Equal(IncrementalStepRunReason.Cached, r));

        GeneratorRunResult off = RunWith(Profile("false"));
        Assert.Contains(IncrementalStepRunReason.Modified, IncrementalTests.Reasons(off, NetworkGenerator.Steps.Emit));
        Assert.DoesNotContain("RunProfiled", off.GeneratedSources[0].SourceText.ToString());
    }

    /// <summary>
    /// The profiled build compiled and run: RunProfiled writes the same bits as Run, one timestamp per step plus one,
    /// never decreasing, allocates nothing, and rejects a timestamp span of the wrong length.
    /// </summary>
    [Fact]
    public void RunProfiledComputesWhatRunComputesAndTimesEveryStep()
    {
        const string probe = """
            namespace Demo;
            public static class Probe
            {
                public static int Steps => LeNet5.ProfileSteps.Length;

                public static (float[] Run, float[] Profiled, long[] Timestamps, long Allocated) Compare(byte[] weights, float[] input)
                {
                    LeNet5 net = LeNet5.Load(weights);
                    float[] y = new float[LeNet5.OutputLength], z = new float[LeNet5.OutputLength];
                    long[] t = new long[LeNet5.ProfileSteps.Length + 1];
                    net.Run(input, y);
                    net.RunProfiled(input, z, t);
                    long before = System.GC.GetAllocatedBytesForCurrentThread();
                    net.RunProfiled(input, z, t);
                    long allocated = System.GC.GetAllocatedBytesForCurrentThread() - before;
                    return (y, z, t, allocated);
                }

                public static void WrongLength(byte[] weights) =>
                    LeNet5.Load(weights).RunProfiled(new float[LeNet5.InputLength], new float[LeNet5.OutputLength], new long[LeNet5.ProfileSteps.Length]);
            }
            """;
        GeneratorHarness.Result result = GeneratorHarness.Run(new[] { LeNet5, probe }, Array.Empty<AdditionalText>(), buildProperties: Profile("true"));
        using var image = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult emitted = result.Output.WithOptions(result.Output.Options.WithOptimizationLevel(OptimizationLevel.Release)).Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        Type type = Assembly.Load(image.ToArray()).GetType("Demo.Probe")!;

        var random = new Random(5);
        float[] Values(int n) => Enumerable.Range(0, n).Select(_ => random.NextSingle() - 0.5f).ToArray();
        var weights = new SafeTensorsWriter();
        foreach ((string key, int[] shape) in new (string, int[])[]
        {
            ("0.weight", [6, 1, 5, 5]), ("0.bias", [6]), ("3.weight", [16, 6, 5, 5]), ("3.bias", [16]),
            ("7.weight", [120, 400]), ("7.bias", [120]), ("9.weight", [84, 120]), ("9.bias", [84]), ("11.weight", [10, 84]), ("11.bias", [10]),
        })
            weights.AddF32(key, shape, Values(shape.Aggregate(1, (a, b) => a * b)));
        byte[] file = weights.ToArray();

        var (run, profiled, timestamps, allocated) = ((float[], float[], long[], long))type.GetMethod("Compare")!.Invoke(null, [file, Values(784)])!;
        Assert.Equal(run.Select(BitConverter.SingleToInt32Bits), profiled.Select(BitConverter.SingleToInt32Bits));
        Assert.Contains(run, v => v != 0);
        int steps = (int)type.GetProperty("Steps")!.GetValue(null)!;
        Assert.Equal(steps + 1, timestamps.Length);
        Assert.All(timestamps, t => Assert.True(t > 0));
        for (int i = 1; i < timestamps.Length; i++) Assert.True(timestamps[i] >= timestamps[i - 1]);
        Assert.Equal(0, allocated);

        var wrong = Assert.Throws<TargetInvocationException>(() => type.GetMethod("WrongLength")!.Invoke(null, [file]));
        Assert.IsType<ArgumentException>(wrong.InnerException);
        Assert.Contains("stepTimestamps", wrong.InnerException!.Message);
    }
}
