using System.Text.Json;
using ConvGen.Generator.Analysis;
using ConvGen.Generator.Model;
using ConvGen.Tests.Generator;
using Microsoft.CodeAnalysis;

namespace ConvGen.Tests.Golden;

/// <summary>
/// The model-family golden cases (Tests/Golden/make_golden_models.py) through the generator: each declaration binds,
/// analyses with no diagnostic but CG0012 (no code yet) on the layers that lack code, and its analysis agrees with
/// PyTorch on the output shape, the parameters() count and every state_dict key and shape of the committed file.
/// </summary>
public sealed class ModelGoldenAnalysisTests
{
    private static readonly string DataDirectory = Path.Combine(AppContext.BaseDirectory, "Golden", "data");

    public static TheoryData<string> CaseNames()
    {
        var names = new TheoryData<string>();
        foreach ((string name, _, _) in ModelGoldenDeclarations.All) names.Add(name);
        return names;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void AnalysisAgreesWithPyTorch(string name)
    {
        (_, _, string source) = ModelGoldenDeclarations.All.Single(c => c.Name == name);
        PyTorchCase expected = Manifest.Value[name];
        DeclarationAnalysis.Outcome outcome = DeclarationAnalysis.Run(source);

        Assert.DoesNotContain(outcome.Generated.GeneratorDiagnostics, d => d.Id == "CS8785");
        // CG0002 is expected where a case pools an odd size on purpose (SegNet's output_size).
        var problems = outcome.Problems.Where(d => d.Id is not ("CG0012" or "CG0002")).ToList();
        Assert.True(problems.Count == 0, $"{name}: {string.Join("\n", problems)}");
        foreach (Diagnostic d in outcome.Generated.Reported().Where(d => d.Id == "CG0012"))
        {
            // On the attribute name of the layer that has no code.
            string text = source.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length);
            Assert.True(LayerKinds.TryFromAttributeClass(text, out _, out _), $"{name}: CG0012 on '{text}', not on a layer name");
        }

        AnalyzedNetwork network = outcome.Analysis.Network ?? throw new Xunit.Sdk.XunitException(string.Join("\n", outcome.Analysis.Diagnostics));
        Assert.Equal(expected.Output, network.OutputShape.Dims.ToArray());
        Assert.Equal(expected.Parameters, network.Parameters);
        var declared = WeightsManifest.Of(network).ToDictionary(t => t.Key, t => t.Shape.ToArray());
        Assert.Equal(expected.Tensors.Keys.Order(), declared.Keys.Order());
        foreach ((string key, int[] shape) in expected.Tensors)
            Assert.True(shape.SequenceEqual(declared[key]), $"{name}: '{key}' is [{string.Join(", ", shape)}] in PyTorch, [{string.Join(", ", declared[key])}] in the analysis");
    }

    [Fact]
    public void EveryManifestCaseHasADeclaration() =>
        Assert.Equal(Manifest.Value.Keys.Order(), ModelGoldenDeclarations.All.Select(c => c.Name).Order());

    private sealed record PyTorchCase(int[] Output, long Parameters, Dictionary<string, int[]> Tensors);

    private static readonly Lazy<Dictionary<string, PyTorchCase>> Manifest = new(() =>
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(DataDirectory, "model_cases.json")));
        var cases = new Dictionary<string, PyTorchCase>();
        foreach (JsonElement c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            var tensors = c.GetProperty("tensors").EnumerateObject()
                .ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(e => e.GetInt32()).ToArray());
            cases.Add(c.GetProperty("name").GetString()!, new PyTorchCase(
                c.GetProperty("output").EnumerateArray().Select(e => e.GetInt32()).ToArray(), c.GetProperty("parameters").GetInt64(), tensors));
        }
        return cases;
    });
}
