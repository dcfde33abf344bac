using System.Collections.Immutable;
using ConvGen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ConvGen.Tests.Generator;

/// <summary>The generator's cache works: edits that do not change a network re-run nothing past parsing.</summary>
public class IncrementalTests
{
    internal const string Network = """
        using ConvGen;
        namespace Demo;
        [Network(1, 28, 28)]
        [Conv2d(6, 5, Padding = 2), ReLU, MaxPool2d(2)]
        [Conv2d(16, 5), ReLU, MaxPool2d(2)]
        [Flatten, Linear(120), ReLU, Linear(84), ReLU, Linear(10)]
        public partial class LeNet5;
        """;

    internal static IncrementalStepRunReason[] Reasons(GeneratorRunResult run, string step) =>
        run.TrackedSteps.TryGetValue(step, out ImmutableArray<IncrementalGeneratorRunStep> steps)
            ? steps.SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray()
            : Array.Empty<IncrementalStepRunReason>();

    private static (GeneratorDriver Driver, CSharpCompilation Compilation) FirstRun(params string[] sources)
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(sources);
        GeneratorDriver driver = GeneratorHarness.CreateDriver(track: true).RunGenerators(compilation);
        Assert.Single(driver.GetRunResult().Results[0].GeneratedSources);
        return (driver, compilation);
    }

    [Fact]
    public void UnrelatedFileEditRerunsNothingPastParsing()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstRun(Network, "class Other { int x; }");
        SyntaxTree old = compilation.SyntaxTrees.Last();
        CSharpCompilation edited = compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText("class Other { int x; int y; }", GeneratorHarness.ParseOptions, old.FilePath));
        GeneratorRunResult run = driver.RunGenerators(edited).GetRunResult().Results[0];

        Assert.All(Reasons(run, NetworkGenerator.Steps.Analyze), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
        Assert.All(Reasons(run, NetworkGenerator.Steps.Model), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
        Assert.All(Reasons(run, NetworkGenerator.Steps.Emit), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
        Assert.NotEmpty(Reasons(run, NetworkGenerator.Steps.Emit));
    }

    [Fact]
    public void EditInTheSameFileThatKeepsTheNetworkDoesNotReEmit()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstRun(Network);
        SyntaxTree old = compilation.SyntaxTrees.First();
        // A comment above the class moves every span but changes nothing about the network.
        string edited = Network.Replace("namespace Demo;", "namespace Demo;\n// a comment that shifts every position below");
        GeneratorRunResult run = driver.RunGenerators(compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(edited, GeneratorHarness.ParseOptions, old.FilePath)))
            .GetRunResult().Results[0];

        // Spans are relative to the declaration: the parsed model is equal, so nothing after the read re-runs.
        Assert.All(Reasons(run, NetworkGenerator.Steps.Parse), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
        Assert.All(Reasons(run, NetworkGenerator.Steps.Model), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
        Assert.All(Reasons(run, NetworkGenerator.Steps.Emit), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
        Assert.NotEmpty(Reasons(run, NetworkGenerator.Steps.Emit));
    }

    [Fact]
    public void ChangingALayerReEmits()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstRun(Network);
        SyntaxTree old = compilation.SyntaxTrees.First();
        string edited = Network.Replace("Linear(84)", "Linear(64)");
        GeneratorRunResult run = driver.RunGenerators(compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(edited, GeneratorHarness.ParseOptions, old.FilePath)))
            .GetRunResult().Results[0];

        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(run, NetworkGenerator.Steps.Model));
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(run, NetworkGenerator.Steps.Emit));
        Assert.Contains("rows: 1, inFeatures: 120, outFeatures: 64", run.GeneratedSources[0].SourceText.ToString());
    }
}
