using System.Reflection;
using System.Text.Json;
using ConvGen.Tests.Generator;
using Microsoft.CodeAnalysis;

namespace ConvGen.Tests.Golden;

/// <summary>
/// The model-family golden cases (Tests/Golden/make_golden_models.py) compiled and run: each declaration goes through
/// the generator, its generated code is compiled with a probe that calls <c>Load(path)</c> and <c>Run</c>, and the
/// output must match PyTorch's within the contract's bound on the committed weights and input.
/// </summary>
public sealed class ModelGoldenRunTests
{
    private static readonly string DataDirectory = Path.Combine(AppContext.BaseDirectory, "Golden", "data");

    public static TheoryData<string> Generated() => new(ModelGoldenDeclarations.All.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Generated))]
    public void MatchesPyTorch(string name)
    {
        (_, string className, string source) = ModelGoldenDeclarations.All.Single(c => c.Name == name);
        (int[] inputShape, int[] outputShape) = Shapes.Value[name];
        byte[] io = File.ReadAllBytes(Path.Combine(DataDirectory, name + ".io.safetensors"));
        float[] input = TinySafeTensors.ReadFloat32(io, "input", inputShape);
        float[] expected = TinySafeTensors.ReadFloat32(io, "output", outputShape);

        float[][] outputs = Run(className, source, Path.Combine(DataDirectory, name + ".safetensors"), input);
        GoldenTests.AssertClose(name, expected, outputs[0], outputShape);
        // A second Run on the same instance gives the same bits: no state leaks between calls.
        Assert.Equal(outputs[0].Select(BitConverter.SingleToInt32Bits), outputs[1].Select(BitConverter.SingleToInt32Bits));
    }

    /// <summary>Compiles the declaration with the generator and a probe, loads the weights, runs the input twice (NaN-filled outputs).</summary>
    internal static float[][] Run(string className, string source, string weightsPath, float[] input)
    {
        string probe = $$"""
            public static class GoldenProbe
            {
                public static float[][] Run(string path, float[] input)
                {
                    var network = {{className}}.Load(path);
                    var outputs = new float[2][];
                    for (int i = 0; i < 2; i++)
                    {
                        outputs[i] = new float[{{className}}.OutputLength];
                        global::System.Array.Fill(outputs[i], float.NaN);
                        network.Run(input, outputs[i]);
                    }
                    return outputs;
                }
            }
            """;
        GeneratorHarness.Result result = GeneratorHarness.Run(source, probe);
        var problems = result.GeneratorDiagnostics.Concat(result.Reported("")).Where(d => d.Severity == DiagnosticSeverity.Error || d.Id == "CS8785" || d.Id.StartsWith("CG", StringComparison.Ordinal) && d.Id != "CG0002").ToList();
        Assert.True(problems.Count == 0, $"{className}: {string.Join("\n", problems)}");
        using var image = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult emitted = result.Output.WithOptions(result.Output.Options.WithOptimizationLevel(OptimizationLevel.Release)).Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        Type type = Assembly.Load(image.ToArray()).GetType("GoldenProbe")!;
        try
        {
            return (float[][])type.GetMethod("Run")!.Invoke(null, [weightsPath, input])!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw new Xunit.Sdk.XunitException($"{className}: {e.InnerException}");
        }
    }

    private static readonly Lazy<Dictionary<string, (int[] Input, int[] Output)>> Shapes = new(() =>
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(DataDirectory, "model_cases.json")));
        return doc.RootElement.GetProperty("cases").EnumerateArray().ToDictionary(
            c => c.GetProperty("name").GetString()!,
            c => (c.GetProperty("input").EnumerateArray().Select(e => e.GetInt32()).ToArray(), c.GetProperty("output").EnumerateArray().Select(e => e.GetInt32()).ToArray()));
    });
}
