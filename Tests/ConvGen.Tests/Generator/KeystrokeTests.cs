using System.Collections.Immutable;
using ConvGen.Generator;
using ConvGen.Keystroke;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ConvGen.Tests.Generator;

/// <summary>
/// What a keystroke re-runs, counted with tracked steps on the benchmark's file of 20 networks: only the syntax read
/// and the diagnostics join run for every network; parsing, analysis and emission re-run for the network edited, and
/// for none when the edit is outside the networks.
/// </summary>
public class KeystrokeTests
{
    private static (GeneratorRunResult First, GeneratorRunResult Edit) RunEdit(string before, string after)
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(TwentyNetworks.Source);
        GeneratorDriver driver = GeneratorHarness.CreateDriver(track: true).RunGenerators(compilation);
        GeneratorRunResult first = driver.GetRunResult().Results[0];
        SyntaxTree old = compilation.SyntaxTrees.Single();
        Assert.Contains(before, TwentyNetworks.Source);
        SyntaxTree edited = CSharpSyntaxTree.ParseText(TwentyNetworks.Source.Replace(before, after), GeneratorHarness.ParseOptions, old.FilePath);
        return (first, driver.RunGenerators(compilation.ReplaceSyntaxTree(old, edited)).GetRunResult().Results[0]);
    }

    private static int Ran(GeneratorRunResult run, string step) =>
        run.TrackedSteps.TryGetValue(step, out ImmutableArray<IncrementalGeneratorRunStep> steps)
            ? steps.SelectMany(s => s.Outputs).Count(o => o.Reason is IncrementalStepRunReason.New or IncrementalStepRunReason.Modified or IncrementalStepRunReason.Unchanged)
            : 0;

    [Fact]
    public void TheTwentyNetworksCompileCleanly()
    {
        GeneratorHarness.Result result = GeneratorHarness.Run(TwentyNetworks.Source);
        Assert.Empty(result.Reported(""));
        Assert.Equal(20, result.Run.GeneratedSources.Length);
    }

    [Fact]
    public void EditingOneNetworkReParsesOnlyThatNetwork()
    {
        (GeneratorRunResult first, GeneratorRunResult edit) = RunEdit(TwentyNetworks.EditedLayer, TwentyNetworks.EditedLayerAfter);
        Assert.Equal(20, Ran(first, NetworkGenerator.Steps.Parse));
        Assert.Equal(20, Ran(edit, NetworkGenerator.Steps.Read)); // syntax only, for every declaration
        Assert.Equal(1, Ran(edit, NetworkGenerator.Steps.Parse));
        Assert.Equal(1, Ran(edit, NetworkGenerator.Steps.Analyze));
        Assert.Equal(1, Ran(edit, NetworkGenerator.Steps.Emit));
        Assert.Single(edit.GeneratedSources, s => s.SourceText.ToString().Contains("Conv2d(32, 5, Padding = 2, Name = \"vgg2\")"));
    }

    [Fact]
    public void EditingOutsideTheNetworksReParsesNothing()
    {
        (_, GeneratorRunResult edit) = RunEdit(TwentyNetworks.EditedStatement, TwentyNetworks.EditedStatementAfter);
        Assert.Equal(0, Ran(edit, NetworkGenerator.Steps.Parse));
        Assert.Equal(0, Ran(edit, NetworkGenerator.Steps.Analyze));
        Assert.Equal(0, Ran(edit, NetworkGenerator.Steps.Emit));
        Assert.Equal(20, edit.GeneratedSources.Length);
    }

    [Fact]
    public void AnEditAboveEveryNetworkMovesThemAllButReParsesNone()
    {
        (_, GeneratorRunResult edit) = RunEdit("namespace Models;", "namespace Models;\n// a line that moves every network down");
        Assert.Equal(0, Ran(edit, NetworkGenerator.Steps.Parse));
        Assert.Equal(0, Ran(edit, NetworkGenerator.Steps.Emit));
    }

    [Fact]
    public void AKeystrokeMakesNoNewAttributeCatalog()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(TwentyNetworks.Source);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        int before = ConvGen.Generator.Parsing.AttributeCatalog.Reads;
        SyntaxTree old = compilation.SyntaxTrees.Single();
        for (int i = 0; i < 5; i++)
        {
            string text = i % 2 == 0 ? TwentyNetworks.Source.Replace(TwentyNetworks.EditedStatement, TwentyNetworks.EditedStatementAfter) : TwentyNetworks.Source;
            CSharpCompilation next = compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(text, GeneratorHarness.ParseOptions, old.FilePath));
            driver = driver.RunGenerators(next);
            (compilation, old) = (next, next.SyntaxTrees.Single());
        }
        Assert.Equal(before, ConvGen.Generator.Parsing.AttributeCatalog.Reads);
    }
}
