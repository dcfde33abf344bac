using System.Text.Json;
using ConvGen.Generator.Analysis;
using ConvGen.Generator.Model;
using ConvGen.Tests.Generator;

namespace ConvGen.Tests.Export;

/// <summary>
/// The declarations the exporter wrote for torchvision's classification models (Export/sweep, by
/// Export/sweep_torchvision.py) through the generator: each binds and analyses with no diagnostic but CG0012 on the
/// layers that have no code yet, the ones without such layers generate code, and the analysis agrees with PyTorch on
/// the output shape, the parameters the declaration uses and every key and shape of the weights the exporter writes.
/// (The numerical comparison needs the weights, hundreds of MB, so it runs outside the repository.)
/// </summary>
public sealed class SweepDeclarationTests
{
    private static readonly string Directory = Path.Combine(AppContext.BaseDirectory, "Export", "sweep");

    public static TheoryData<string> Models()
    {
        var models = new TheoryData<string>();
        foreach (string name in Manifest.Value.Keys) models.Add(name);
        return models;
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void DeclarationAnalysesAndAgreesWithPyTorch(string model)
    {
        Expected expected = Manifest.Value[model];
        string source = File.ReadAllText(Path.Combine(Directory, expected.Class + ".cs"));
        DeclarationAnalysis.Outcome outcome = DeclarationAnalysis.Run(source);

        Assert.DoesNotContain(outcome.Generated.GeneratorDiagnostics, d => d.Id == "CS8785");
        var problems = outcome.Problems.Where(d => d.Id != "CG0012").ToList();
        Assert.True(problems.Count == 0, $"{model}: {string.Join("\n", problems.Take(10))}");
        bool gated = outcome.Generated.Reported().Any(d => d.Id == "CG0012");
        Assert.Equal(gated, outcome.Generated.GeneratedText is null);

        AnalyzedNetwork network = outcome.Analysis.Network ?? throw new Xunit.Sdk.XunitException(string.Join("\n", outcome.Analysis.Diagnostics.Take(10)));
        Assert.Equal(expected.Output, network.OutputShape.Dims.ToArray());
        Assert.Equal(expected.Parameters, network.Parameters);
        var declared = WeightsManifest.Of(network).ToDictionary(t => t.Key, t => t.Shape.ToArray());
        Assert.Empty(expected.Tensors.Keys.Except(declared.Keys).Order());
        Assert.Empty(declared.Keys.Except(expected.Tensors.Keys).Order());
        foreach ((string key, int[] shape) in expected.Tensors)
            Assert.True(shape.SequenceEqual(declared[key]), $"{model}: '{key}' is [{string.Join(", ", shape)}] in PyTorch, [{string.Join(", ", declared[key])}] in the analysis");
    }

    private sealed record Expected(string Class, int[] Output, long Parameters, Dictionary<string, int[]> Tensors);

    private static readonly Lazy<Dictionary<string, Expected>> Manifest = new(() =>
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Directory, "sweep.json")));
        var models = new Dictionary<string, Expected>();
        foreach (JsonElement m in doc.RootElement.GetProperty("models").EnumerateArray())
        {
            models.Add(m.GetProperty("model").GetString()!, new Expected(
                m.GetProperty("class").GetString()!,
                m.GetProperty("output").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
                m.GetProperty("parameters").GetInt64(),
                m.GetProperty("tensors").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(e => e.GetInt32()).ToArray())));
        }
        return models;
    });
}
