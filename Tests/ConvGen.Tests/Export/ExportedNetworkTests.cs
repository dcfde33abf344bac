using System.Text.Json;
using ConvGen.Generator.Analysis;
using ConvGen.Generator.Model;
using ConvGen.Tests.Generator;
using ConvGen.Tests.Golden;

namespace ConvGen.Tests.Export;

/// <summary>
/// The exporter's output for the small modules of Tests/Export/modules.py (written once by Tests/Export/make_exported.py
/// through the exporter's command line, committed): every declaration compiles with no diagnostic (or only CG0012 on
/// layers without code yet), its analysis agrees with the weights file, and the networks the generator compiles today
/// reproduce PyTorch's output within the contract's bound.
/// </summary>
public sealed class ExportedNetworkTests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "Export", "exported");

    public static TheoryData<string> Compiled()
    {
        var names = new TheoryData<string>();
        foreach (GoldenCase c in ExportedCases.All) names.Add(c.Name);
        return names;
    }

    public static TheoryData<string> All()
    {
        var names = new TheoryData<string>();
        foreach (string name in Manifest.Value.Keys) names.Add(name);
        return names;
    }

    [Theory]
    [MemberData(nameof(Compiled))]
    public void MatchesPyTorch(string name)
    {
        Case c = Manifest.Value[name];
        GoldenCase network = ExportedCases.All.Single(g => g.Name == name);
        byte[] io = File.ReadAllBytes(Path.Combine(Root, c.Folder, c.Class + ".io.safetensors"));
        float[] input = TinySafeTensors.ReadFloat32(io, "input", c.Input);
        float[] expected = TinySafeTensors.ReadFloat32(io, "output", c.Output);
        Assert.Equal(expected.Length, network.OutputLength);

        GoldenRunner run = network.Load(Path.Combine(Root, c.Folder, c.Class + ".safetensors"));
        float[] actual = new float[network.OutputLength];
        Array.Fill(actual, float.NaN);
        run(input, actual);

        double tolerance = 1e-4 * Math.Max(1.0, expected.Max(v => Math.Abs((double)v)));
        double worst = expected.Select((v, i) => Math.Abs((double)actual[i] - v)).Max();
        Assert.True(worst <= tolerance, $"{name}: max |error| {worst:G4} > {tolerance:G4}");
    }

    [Theory]
    [MemberData(nameof(All))]
    public void DeclarationHasNoDiagnosticAndMatchesItsWeights(string name)
    {
        Case c = Manifest.Value[name];
        string source = File.ReadAllText(Path.Combine(Root, c.Folder, c.Class + ".cs"));
        DeclarationAnalysis.Outcome outcome = DeclarationAnalysis.Run(source);
        var problems = outcome.Problems.Where(d => c.Folder == "pending" ? d.Id != "CG0012" : true).ToList();
        Assert.True(problems.Count == 0, $"{name}: {string.Join("\n", problems)}");
        Assert.Equal(c.Folder == "pending", outcome.Generated.Reported().Any(d => d.Id == "CG0012"));

        AnalyzedNetwork network = outcome.Analysis.Network!;
        Assert.Equal(c.Output, network.OutputShape.Dims.ToArray());
        byte[] weights = File.ReadAllBytes(Path.Combine(Root, c.Folder, c.Class + ".safetensors"));
        Dictionary<string, int[]> header = Header(weights);
        var declared = WeightsManifest.Of(network).ToDictionary(t => t.Key, t => t.Shape.ToArray());
        Assert.Equal(header.Keys.Order(), declared.Keys.Order());
        foreach ((string key, int[] shape) in header)
            Assert.Equal(shape, declared[key]);
    }

    private static Dictionary<string, int[]> Header(byte[] file)
    {
        long length = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(file);
        using JsonDocument doc = JsonDocument.Parse(file.AsMemory(8, (int)length));
        return doc.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__")
            .ToDictionary(p => p.Name, p => p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray());
    }

    private sealed record Case(string Class, string Folder, int[] Input, int[] Output);

    private static readonly Lazy<Dictionary<string, Case>> Manifest = new(() =>
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Root, "exported.json")));
        return doc.RootElement.GetProperty("cases").EnumerateArray().ToDictionary(
            c => c.GetProperty("name").GetString()!,
            c => new Case(c.GetProperty("class").GetString()!, c.GetProperty("folder").GetString()!,
                c.GetProperty("input").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
                c.GetProperty("output").EnumerateArray().Select(e => e.GetInt32()).ToArray()));
    });
}
