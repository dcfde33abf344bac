using System.Xml.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Emit;

namespace ConvGen.Tests.Generator;

/// <summary>
/// The hover, through the XML documentation the compiler produces for the user's project: the compiler joins the doc
/// comments of a partial type's declarations, and the IDE's Quick Info shows the first summary and the first remarks.
/// The layer table must be visible whatever the user documented, and its receptive fields follow the contract's formula.
/// </summary>
public class HoverTests
{
    private const string Layers = """
        [Network(1, 28, 28)]
        [Conv2d(6, 5, Padding = 2), ReLU, MaxPool2d(2)]
        [Conv2d(16, 5), ReLU, MaxPool2d(2)]
        [Flatten, Linear(120), ReLU, Linear(10)]
        """;

    /// <summary>The compiler's documentation file for <paramref name="source"/>, as member name → XML.</summary>
    private static Dictionary<string, XElement> Documentation(string source)
    {
        GeneratorHarness.Result result = GeneratorHarness.Run(source);
        Assert.Empty(result.Reported(""));
        Compilation output = result.Output.WithOptions(result.Output.Options);
        using var pe = new MemoryStream();
        using var xml = new MemoryStream();
        EmitResult emitted = output.Emit(pe, xmlDocumentationStream: xml);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        xml.Position = 0;
        return XDocument.Load(xml).Root!.Element("members")!.Elements("member").ToDictionary(m => (string)m.Attribute("name")!);
    }

    /// <summary>What Quick Info shows of an element: the first one of that name (Roslyn's DocumentationComment keeps the first).</summary>
    private static string First(XElement member, string element) => member.Element(element)?.Value ?? "";

    [Fact]
    public void WithoutUserDocsTheTypeShowsTheSummaryAndTheTable()
    {
        XElement type = Documentation("using ConvGen;\n" + Layers + "public partial class Net;")["T:Net"];
        Assert.Contains("compiled by ConvGen: 1×28×28 → 10", First(type, "summary"));
        Assert.Contains("Conv2d(6, 5, Padding = 2)", First(type, "remarks"));
        Assert.Single(type.Elements("summary"));
    }

    [Fact]
    public void TheUsersSummaryStaysFirstAndTheTableFollowsInTheRemarks()
    {
        XElement type = Documentation("using ConvGen;\n/// <summary>My digit classifier.</summary>\n" + Layers + "public partial class Net;")["T:Net"];
        Assert.Equal("My digit classifier.", First(type, "summary"));
        Assert.Single(type.Elements("summary"));
        Assert.Contains("compiled by ConvGen: 1×28×28 → 10", First(type, "remarks"));
        Assert.Contains("Linear(120)", First(type, "remarks"));
    }

    [Fact]
    public void WithTheUsersSummaryAndRemarksTheTableIsOnRun()
    {
        Dictionary<string, XElement> docs = Documentation(
            "using ConvGen;\n/// <summary>My digit classifier.</summary>\n/// <remarks>Trained on MNIST.</remarks>\n" + Layers + "public partial class Net;");
        XElement type = docs["T:Net"];
        Assert.Equal("My digit classifier.", First(type, "summary"));
        Assert.Equal("Trained on MNIST.", First(type, "remarks"));
        Assert.Single(type.Elements("remarks")); // nothing of ours hidden behind the user's
        XElement run = docs["M:Net.Run(System.ReadOnlySpan{System.Single},System.Span{System.Single})"];
        Assert.Contains("Conv2d(6, 5, Padding = 2)", First(run, "remarks"));
        Assert.Contains("compiled by ConvGen: 1×28×28 → 10", First(run, "remarks"));
    }

    [Fact]
    public void DocumentationOnAnotherPartialDeclarationCounts()
    {
        XElement type = Documentation("using ConvGen;\n" + Layers + "public partial class Net;",
            "/// <summary>Documented elsewhere.</summary>\n/// <remarks>Mine.</remarks>\npublic partial class Net { }")["T:Net"];
        Assert.Single(type.Elements("summary"));
        Assert.Single(type.Elements("remarks"));
    }

    [Fact]
    public void ReceptiveFieldsFollowTheFormulaFlattenMixesNothingAndAFieldCoveringTheInputSaysSo()
    {
        // Four 3×3 convs, the middle two strided: 1 + 2 + 2 + 2·2 + 2·4 = 17 rows, more than the 12×12 input has.
        XElement type = Documentation("""
            using ConvGen;
            [Network(1, 12, 12)]
            [Conv2d(4, 3, Padding = 1), Conv2d(4, 3, Stride = 2, Padding = 1), Conv2d(4, 3, Stride = 2, Padding = 1), Conv2d(4, 3, Padding = 1, Name = "last"), Flatten, Linear(2)]
            public partial class Net;
            """)["T:Net"];
        string[] rows = First(type, "remarks").Split('\n');
        Assert.Contains(rows, r => r.Contains("Conv2d(4, 3, Padding = 1)") && r.TrimEnd().EndsWith("3×3", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Contains("Stride = 2") && r.TrimEnd().EndsWith("9×9", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Contains("Name = \"last\"") && r.TrimEnd().EndsWith("17×17 (whole input)", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Contains("Flatten") && r.TrimEnd().EndsWith("17×17 (whole input)", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Contains("Linear(2)") && r.TrimEnd().EndsWith("all", StringComparison.Ordinal));
    }

    private static Dictionary<string, XElement> Documentation(params string[] sources)
    {
        if (sources.Length == 1) return Documentation(sources[0]);
        GeneratorHarness.Result result = GeneratorHarness.Run(sources);
        Assert.Empty(result.Reported(""));
        using var pe = new MemoryStream();
        using var xml = new MemoryStream();
        Assert.True(result.Output.Emit(pe, xmlDocumentationStream: xml).Success);
        xml.Position = 0;
        return XDocument.Load(xml).Root!.Element("members")!.Elements("member").ToDictionary(m => (string)m.Attribute("name")!);
    }
}
