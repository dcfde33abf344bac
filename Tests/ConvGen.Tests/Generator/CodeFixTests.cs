using System.Collections.Immutable;
using ConvGen.Generator;
using ConvGen.Generator.CodeFixes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;

namespace ConvGen.Tests.Generator;

/// <summary>
/// Every code fix as the IDE applies it: the generator's diagnostic in an AdhocWorkspace document, the provider's code
/// actions, each action's changed document. A fix must remove its diagnostic and introduce none (no CG diagnostic, no
/// compiler error), and where several repairs exist each is offered.
/// </summary>
public class CodeFixTests
{
    /// <summary>The fixes offered for the one <paramref name="id"/> diagnostic of <paramref name="source"/>: title and fixed source.</summary>
    internal static async Task<List<(string Title, string Fixed)>> Fixes(string source, string id)
    {
        using var workspace = new AdhocWorkspace();
        Project project = workspace.AddProject("UserProject", LanguageNames.CSharp)
            .WithMetadataReferences(GeneratorHarness.References.Value)
            .WithParseOptions(GeneratorHarness.ParseOptions)
            .WithCompilationOptions(GeneratorHarness.CompilationOptions);
        Document document = project.AddDocument("Net.cs", source);
        Compilation compilation = (await document.Project.GetCompilationAsync())!;
        GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out _, out ImmutableArray<Diagnostic> diagnostics);
        Diagnostic diagnostic = Assert.Single(diagnostics, d => d.Id == id);

        var actions = new List<CodeAction>();
        var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
        var provider = new NetworkCodeFixProvider();
        Assert.Contains(id, provider.FixableDiagnosticIds);
        await provider.RegisterCodeFixesAsync(context);

        var result = new List<(string, string)>();
        foreach (CodeAction action in actions)
        {
            ImmutableArray<CodeActionOperation> operations = await action.GetOperationsAsync(CancellationToken.None);
            Solution changed = Assert.Single(operations.OfType<ApplyChangesOperation>()).ChangedSolution;
            result.Add((action.Title, (await changed.GetDocument(document.Id)!.GetTextAsync()).ToString()));
        }
        return result;
    }

    /// <summary>
    /// Checks the fixes of a declaration whose only fault is one <paramref name="id"/> diagnostic: exactly the
    /// <paramref name="expected"/> titles, each giving source with no diagnostic at all that generates code, and containing
    /// its <c>expected</c> text.
    /// </summary>
    private static async Task Verify(string declaration, string id, params (string Title, string Contains)[] expected)
    {
        string source = "using ConvGen;\n" + declaration;
        GeneratorHarness.Result before = GeneratorHarness.Run(source);
        Assert.True(before.Reported("").Count() == 1, "the case must have exactly one fault: " + string.Join("\n", before.Reported("")));

        List<(string Title, string Fixed)> fixes = await Fixes(source, id);
        Assert.Equal(expected.Select(e => e.Title), fixes.Select(f => f.Title));
        foreach (((string title, string contains), (_, string fixedSource)) in expected.Zip(fixes))
        {
            Assert.Contains(contains, fixedSource);
            GeneratorHarness.Result after = GeneratorHarness.Run(fixedSource);
            Assert.True(!after.Reported("").Any(), $"'{title}' left or introduced:\n{string.Join("\n", after.Reported(""))}\n{fixedSource}");
            Assert.NotNull(after.GeneratedText);
        }
    }

    [Fact]
    public Task CG0002_EachPaddingAndStrideThatUsesTheWholeInput() => Verify(
        "[Network(1, 14, 14)] [Conv2d(8, 3, Stride = 3)] public partial class Net;", "CG0002",
        ("Use Padding = 1", "Conv2d(8, 3, Stride = 3, Padding = 1)"),
        ("Use Stride = 1", "Conv2d(8, 3, Stride = 1)"));

    [Fact]
    public Task CG0002_PoolingAlsoOffersCeilMode() => Verify(
        "[Network(1, 7, 7)] [MaxPool2d(2)] public partial class Net;", "CG0002",
        ("Use Padding = 1", "MaxPool2d(2, Padding = 1)"),
        ("Use Stride = 1", "MaxPool2d(2, Stride = 1)"),
        ("Use CeilMode = true", "MaxPool2d(2, CeilMode = true)"));

    [Fact]
    public Task CG0002_OneAxisAtFaultChangesThatAxisOnly() => Verify(
        "[Network(1, 14, 15)] [Conv2d(8, 3, Stride = 3, Padding = new[] { 0, 0 })] public partial class Net;", "CG0002",
        ("Use Padding = new[] { 1, 0 }", "Padding = new[] { 1, 0 }"),
        ("Use Stride = new[] { 1, 3 }", "Stride = new[] { 1, 3 }"));

    [Fact]
    public async Task CG0002_AFixThatWouldBreakALaterLayerIsNotOffered()
    {
        // Padding 1 or stride 1 would change the flattened size that Linear(128, 10) states: no fix, the warning stays.
        string source = "using ConvGen;\n[Network(1, 14, 14)] [Conv2d(8, 3, Stride = 3), Flatten, Linear(128, 10)] public partial class Net;";
        Assert.Empty(await Fixes(source, "CG0002"));
    }

    [Fact]
    public Task CG0003_SameWithStrideBecomesTheExplicitPadding() => Verify(
        "[Network(3, 32, 32)] [Conv2d(8, 3, Stride = 2, Padding = \"same\")] public partial class Net;", "CG0003",
        ("Use Padding = 1", "Conv2d(8, 3, Stride = 2, Padding = 1)"));

    [Fact]
    public Task CG0003_PoolPaddingOverHalfTheKernel() => Verify(
        "[Network(1, 8, 8)] [MaxPool2d(3, Stride = 1, Padding = 2)] public partial class Net;", "CG0003",
        ("Use Padding = 1", "MaxPool2d(3, Stride = 1, Padding = 1)"));

    [Fact]
    public Task CG0004_StatedInChannelsBecomeTheInferredOnes() => Verify(
        "[Network(1, 28, 28)] [Conv2d(3, 6, 5)] public partial class Net;", "CG0004",
        ("Use in_channels = 1", "Conv2d(1, 6, 5)"));

    [Fact]
    public Task CG0004_StatedNumFeatures() => Verify(
        "[Network(3, 8, 8)] [Conv2d(16, 3), BatchNorm2d(32)] public partial class Net;", "CG0004",
        ("Use num_features = 16", "BatchNorm2d(16)"));

    [Fact]
    public Task CG0004_GroupsToTheNearestCommonDivisors() => Verify(
        "[Network(6, 8, 8)] [Conv2d(12, 3, Groups = 4)] public partial class Net;", "CG0004",
        ("Use Groups = 3", "Groups = 3"),
        ("Use Groups = 6", "Groups = 6"));

    [Fact]
    public Task CG0005_KernelsTheStrideDivides() => Verify(
        "[Network(8, 4, 4)] [ConvTranspose2d(4, 3, Stride = 2)] public partial class Net;", "CG0005",
        ("Use kernel 4×4", "ConvTranspose2d(4, 4, Stride = 2)"),
        ("Use kernel 2×2", "ConvTranspose2d(4, 2, Stride = 2)"));

    [Fact]
    public Task CG0006_LargestAllowedOutputPadding() => Verify(
        "[Network(8, 4, 4)] [ConvTranspose2d(4, 4, Stride = 2, OutputPadding = 2)] public partial class Net;", "CG0006",
        ("Use OutputPadding = 1", "OutputPadding = 1"));

    [Fact]
    public Task CG0007_MisspeltModeToTheNearestOption() => Verify(
        "[Network(1, 8, 8)] [Conv2d(8, 3, Padding = 1, PaddingMode = \"reflct\")] public partial class Net;", "CG0007",
        ("Use PaddingMode = \"reflect\"", "PaddingMode = \"reflect\""));

    [Fact]
    public Task CG0007_ZeroStrideToTheDefault() => Verify(
        "[Network(1, 8, 8)] [Conv2d(8, 3, Stride = new[] { 1, 0 })] public partial class Net;", "CG0007",
        ("Use Stride = 1", "Stride = 1"));

    [Fact]
    public Task CG0007_BatchDimToTheFirstDimension() => Verify(
        "[Network(1, 8, 8)] [Flatten(StartDim = 0)] public partial class Net;", "CG0007",
        ("Use StartDim = 1", "Flatten(StartDim = 1)"));

    [Fact]
    public Task CG0008_MakeThePartialClass() => Verify(
        "[Network(1, 8, 8)] [Conv2d(8, 3)] public class Net { }", "CG0008",
        ("Make 'Net' partial", "public partial class Net"));

    [Fact]
    public Task CG0008_RemoveStatic() => Verify(
        "[Network(1, 8, 8)] [Conv2d(8, 3)] public static partial class Net { }", "CG0008",
        ("Remove 'static'", "public partial class Net"));

    [Fact]
    public Task CG0008_MakeTheOuterClassPartial() => Verify(
        "public class Outer { [Network(1, 8, 8)] [Conv2d(8, 3)] public partial class Net { } }", "CG0008",
        ("Make 'Outer' partial", "public partial class Outer"));

    [Fact]
    public Task CG0009_NearestNameInAConcat() => Verify(
        "[Network(8, 16, 16)] [Conv2d(4, 1, Name = \"b1\"), Conv2d(4, 1, From = \"input\", Name = \"b2\"), Concat(\"b1\", \"b3\")] public partial class Net;", "CG0009",
        ("Use \"b1\"", "Concat(\"b1\", \"b1\")"));

    [Fact]
    public Task CG0009_NearestNameInFrom() => Verify(
        "[Network(8, 16, 16)] [Conv2d(4, 1, Name = \"stem\"), Conv2d(4, 1), Conv2d(4, 3, Padding = 1, From = \"stm\")] public partial class Net;", "CG0009",
        ("Use \"stem\"", "From = \"stem\""));

    [Fact]
    public Task CG0010_LayerOfTheRightDimensionality() => Verify(
        "[Network(1, 8, 8)] [Conv1d(8, 3)] public partial class Net;", "CG0010",
        ("Use Conv2d", "[Conv2d(8, 3)]"));

    [Fact]
    public Task CG0010_InputShapeWithoutTheBatch() => Verify(
        "[Network(1, 3, 32, 32)] [Conv2d(8, 3)] public partial class Net;", "CG0010",
        ("Use [Network(3, 32, 32)]", "[Network(3, 32, 32)]"));

    [Fact]
    public Task CG0001_SmallerKernelOrMorePadding() => Verify(
        "[Network(1, 4, 4)] [Conv2d(8, 5)] public partial class Net;", "CG0001",
        ("Use kernel 4×4", "Conv2d(8, 4)"),
        ("Use Padding = 1", "Conv2d(8, 5, Padding = 1)"));

    [Fact]
    public Task CG0001_DilationFirst() => Verify(
        "[Network(1, 6, 6)] [Conv2d(8, 3, Dilation = 3)] public partial class Net;", "CG0001",
        ("Use Dilation = 2", "Dilation = 2"),
        ("Use kernel 2×2", "Conv2d(8, 2, Dilation = 3)"),
        ("Use Padding = 1", "Padding = 1"));

    [Fact]
    public Task CG0003_ReflectionPadTooLarge() => Verify(
        "[Network(1, 3, 3)] [ReflectionPad2d(3)] public partial class Net;", "CG0003",
        ("Use Padding = 2", "ReflectionPad2d(2)"),
        ("Use ReplicationPad2d", "ReplicationPad2d(3)"));

    [Fact]
    public Task CG0001_TransposedPaddingLargestThatLeavesAnOutput() => Verify(
        "[Network(4, 1, 1)] [ConvTranspose2d(4, 2, Padding = 1)] public partial class Net;", "CG0001",
        ("Use Padding = 0", "ConvTranspose2d(4, 2, Padding = 0)"));

    [Fact]
    public Task CG0003_NegativePaddingToZero() => Verify(
        "[Network(1, 8, 8)] [Conv2d(8, 3, Padding = new[] { 1, -1 })] public partial class Net;", "CG0003",
        ("Use Padding = new[] { 1, 0 }", "Padding = new[] { 1, 0 }"));

    [Fact]
    public Task CG0003_ReflectPaddingLargestAllowedOrReplicate() => Verify(
        "[Network(1, 3, 3)] [Conv2d(8, 3, Padding = 3, PaddingMode = \"reflect\")] public partial class Net;", "CG0003",
        ("Use Padding = 2", "Conv2d(8, 3, Padding = 2, PaddingMode = \"reflect\")"),
        ("Use PaddingMode = \"replicate\"", "PaddingMode = \"replicate\""));

    [Fact]
    public Task CG0003_NegativePadLayerToZero() => Verify(
        "[Network(1, 8, 8)] [ZeroPad2d(new[] { 1, 1, -1, 0 })] public partial class Net;", "CG0003",
        ("Use Padding = new[] { 1, 1, 0, 0 }", "ZeroPad2d(new[] { 1, 1, 0, 0 })"));

    [Fact]
    public Task CG0004_ShuffleGroupsToTheNearestDivisors() => Verify(
        "[Network(6, 8, 8)] [ChannelShuffle(4)] public partial class Net;", "CG0004",
        ("Use Groups = 3", "ChannelShuffle(3)"),
        ("Use Groups = 6", "ChannelShuffle(6)"));

    [Fact]
    public Task CG0004_StatedInFeaturesOfAFlatInput() => Verify(
        "[Network(1, 8, 8)] [Flatten, Linear(60, 10)] public partial class Net;", "CG0004",
        ("Use in_features = 64", "Linear(64, 10)"));

    [Fact]
    public Task CG0007_EndDimBeforeStartDim() => Verify(
        "[Network(2, 8, 8)] [Flatten(StartDim = 2, EndDim = 1)] public partial class Net;", "CG0007",
        ("Use EndDim = -1", "EndDim = -1"));

    [Fact]
    public Task CG0007_ConcatDimToTheChannels() => Verify(
        "[Network(2, 8, 8)] [Conv2d(2, 1, Name = \"a\"), Concat(\"a\", Dim = 2)] public partial class Net;", "CG0007",
        ("Use Dim = 1", "Dim = 1"));

    [Fact]
    public Task CG0010_BilinearOnASequenceToNearest() => Verify(
        "[Network(2, 8)] [Upsample(ScaleFactor = 2, Mode = \"bilinear\")] public partial class Net;", "CG0010",
        ("Use Mode = \"nearest\"", "Mode = \"nearest\""));
}
