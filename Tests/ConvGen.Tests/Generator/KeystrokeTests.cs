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

    /// <summary>Declarations read from syntax (not remembered by text) while <paramref name="edit"/> runs on this thread.</summary>
    private static int DeclarationsRead(Action edit)
    {
        int before = ConvGen.Generator.Parsing.SyntaxReader.DeclarationsRead;
        edit();
        return ConvGen.Generator.Parsing.SyntaxReader.DeclarationsRead - before;
    }

    [Fact]
    public void AKeystrokeReadsTheAttributesOfTheEditedDeclarationOnly()
    {
        // A preprocessor symbol of its own makes these parse options, and so these texts, new to the remembered readings
        // whatever other tests ran before.
        CSharpParseOptions options = GeneratorHarness.ParseOptions.WithPreprocessorSymbols("T" + Guid.NewGuid().ToString("N"));
        string source = TwentyNetworks.Source;
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(source);
        SyntaxTree old = compilation.SyntaxTrees.Single();
        compilation = compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(source, options, old.FilePath));
        old = compilation.SyntaxTrees.Single();
        GeneratorDriver driver = GeneratorHarness.CreateDriver();
        int first = DeclarationsRead(() => driver = driver.RunGenerators(compilation));
        CSharpCompilation Edited(string before, string after) =>
            compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(source.Replace(before, after), options, old.FilePath));

        int elsewhere = DeclarationsRead(() => driver = driver.RunGenerators(Edited(TwentyNetworks.EditedStatement, TwentyNetworks.EditedStatementAfter)));
        int moved = DeclarationsRead(() => driver = driver.RunGenerators(Edited("namespace Models;", "namespace Models;\n// every network moves down")));
        int network = DeclarationsRead(() => driver = driver.RunGenerators(Edited(TwentyNetworks.EditedLayer, TwentyNetworks.EditedLayerAfter)));

        Assert.Equal(20, first);
        Assert.Equal(0, elsewhere);
        Assert.Equal(0, moved);
        Assert.Equal(1, network);
        Assert.Single(driver.GetRunResult().Results[0].GeneratedSources, s => s.SourceText.ToString().Contains("Conv2d(32, 5, Padding = 2, Name = \"vgg2\")"));
    }

    [Fact]
    public void AReadingThatAskedTheSemanticModelIsNotRemembered()
    {
        // The kernel is a const: its value can change without the declaration's text changing.
        const string source = """
            using ConvGen;
            namespace Models;
            static class Sizes { public const int Kernel = 3; }
            [Network(1, 8, 8)]
            [Conv2d(4, Sizes.Kernel), ReLU]
            public partial class ConstKernel;
            """;
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(source);
        GeneratorDriver driver = GeneratorHarness.CreateDriver();
        Assert.Equal(1, DeclarationsRead(() => driver = driver.RunGenerators(compilation)));
        SyntaxTree old = compilation.SyntaxTrees.Single();
        CSharpCompilation edited = compilation.ReplaceSyntaxTree(old,
            CSharpSyntaxTree.ParseText(source.Replace("Kernel = 3", "Kernel = 5"), GeneratorHarness.ParseOptions, old.FilePath));
        Assert.Equal(1, DeclarationsRead(() => driver = driver.RunGenerators(edited)));
        Assert.Contains("OutputLength = 64;", driver.GetRunResult().Results[0].GeneratedSources.Single().SourceText.ToString()); // 4×4×4 after a 5×5 kernel
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
