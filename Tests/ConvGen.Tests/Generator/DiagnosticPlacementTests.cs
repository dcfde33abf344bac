using ConvGen.Generator.Diagnostics;
using Microsoft.CodeAnalysis;

namespace ConvGen.Tests.Generator;

/// <summary>
/// Squiggles on the smallest piece at fault, one diagnostic per fault, and messages that say how to fix it: the
/// placement cases a new user ran into (issue 9), each with its exact span marked [|...|].
/// </summary>
public class DiagnosticPlacementTests
{
    private static List<Diagnostic> Expect(string markup, string id, params string[] messageParts)
    {
        (string source, List<Microsoft.CodeAnalysis.Text.TextSpan> spans) = Markup.Parse("using ConvGen;\n" + markup);
        GeneratorHarness.Result result = GeneratorHarness.Run(source);
        var reported = result.Reported().ToList();
        Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id is "CS8784" or "CS8785");
        Assert.True(reported.Count == spans.Count && reported.All(d => d.Id == id),
            $"expected {spans.Count} × {id}; got:\n{string.Join("\n", reported)}");
        foreach (Microsoft.CodeAnalysis.Text.TextSpan span in spans)
            Assert.Single(reported, d => d.Location.SourceSpan == span);
        string messages = string.Join("\n", reported.Select(d => d.GetMessage()));
        foreach (string part in messageParts) Assert.Contains(part, messages);
        return reported;
    }

    [Fact]
    public void InputDimensionOnTheNumberAtFault() => Expect("""
        [Network(1, [|0|], 28)]
        [Conv2d(8, 3)]
        public partial class Net;
        """, "CG0007", "input dimension 1 is 0", "write the size of the PyTorch input along that axis");

    [Fact]
    public void BatchDimensionOnTheFirstNumberWithTheShapeWithoutIt() => Expect("""
        [Network([|1|], 3, 32, 32)]
        [Conv2d(8, 3)]
        public partial class Net;
        """, "CG0010", "got (1, 3, 32, 32)", "Drop the batch dimension: [Network(3, 32, 32)]");

    [Fact]
    public void ConcatMismatchOnTheOneNameAtFault() => Expect("""
        [Network(8, 16, 16)]
        [Conv2d(4, 1, Name = "b1"), Conv2d(4, 1, From = "input", Name = "b2")]
        [Conv2d(4, 3, Stride = 2, Padding = 1, From = "input", Name = "b3"), Conv2d(4, 1, From = "input", Name = "b4")]
        [Concat("b1", "b2", [|"b3"|], "b4")]
        public partial class Net;
        """, "CG0004", "'b3' is 4×8×8", "the other inputs' 16×16", "bring that branch to 16×16");

    [Fact]
    public void UnknownNameInConcatOnThatNameOnly() => Expect("""
        [Network(8, 16, 16)]
        [Conv2d(4, 1, Name = "b1"), Conv2d(4, 1, From = "input", Name = "b2"), Conv2d(4, 1, From = "input", Name = "b4")]
        [Concat("b1", "b2", [|"b3"|], "b4")]
        public partial class Net;
        """, "CG0009", "reads 'b3', but no layer before it has Name = \"b3\"");

    [Fact]
    public void TwoUnknownNamesAreTwoDiagnostics() => Expect("""
        [Network(8, 16, 16)]
        [Conv2d(4, 1, Name = "b1")]
        [Concat("b1", [|"x"|], [|"y"|])]
        public partial class Net;
        """, "CG0009", "reads 'x'", "reads 'y'");

    [Fact]
    public void StrideOnASquareInputIsOneDiagnostic() => Expect("""
        [Network(1, 14, 14)]
        [Conv2d(8, 3, [|Stride = 3|])]
        public partial class Net;
        """, "CG0002", "leaves the last 2 rows and 2 columns");

    [Fact]
    public void NameDeclaredFurtherDownSaysSo() => Expect("""
        [Network(8, 8, 8)]
        [Conv2d(8, 3, Padding = 1), Add([|"later"|]), Conv2d(8, 1, Name = "later")]
        public partial class Net;
        """, "CG0009", "reads 'later', the output of layer #2 declared after it", "move layer #2 up");

    [Fact]
    public void DilationFaultSuggestsASmallerDilationFirst() => Expect("""
        [Network(1, 6, 6)]
        [Conv2d(8, 3, [|Dilation = 4|])]
        public partial class Net;
        """, "CG0001", "kernel (dilation 4) spans 9 rows", "Use dilation 2 at most");

    [Fact]
    public void SoftmaxDimOnAFlatInputNamesTheOneValidDim() => Expect("""
        [Network(1, 8, 8)]
        [Flatten, Linear(10), Softmax([|Dim = 2|])]
        public partial class Net;
        """, "CG0007", "dim 2 is out of range for a 2-D tensor (batch, 10)", "so use 1 (or -1)");

    [Fact]
    public void GroupsOnTheGroupsArgument() => Expect("""
        [Network(6, 8, 8)]
        [Conv2d(8, 3, [|Groups = 4|])]
        public partial class Net;
        """, "CG0004", "groups 4 does not divide the 6 input channels", "use one of 1, 2");

    [Fact]
    public void WrongDimensionalityOnTheLayerName() => Expect("""
        [Network(1, 8, 8)]
        [ConvGen.[|Conv1d|]Attribute(8, 3)]
        public partial class Net;
        """, "CG0010", "use Conv2d here");

    [Fact]
    public void EveryRuleHasAFormatWithArgumentsAndAHelpLinkToAnExistingReadmeSection()
    {
        string readme = File.ReadAllText(RepoFile("README.md"));
        var rules = DiagnosticDescriptors.All.ToList();
        Assert.True(rules.Count >= 50, $"only {rules.Count} rules found");
        foreach (DiagnosticRule rule in rules)
        {
            Assert.Contains("{0}", rule.MessageFormat);
            Assert.Matches(@"^CG\d{4}$", rule.Id);
            Assert.Equal(DiagnosticHelp.Link(rule.Id), rule.Descriptor.HelpLinkUri);
            Assert.Contains("\n### " + rule.Id + "\n", readme.Replace("\r", ""));
        }
    }

    [Fact]
    public void EveryMessageSaysWhatToDo()
    {
        // Each condition's message carries its repair: an instruction, not only the fault.
        string[] verbs = { "use", "write", "add", "remove", "move", "give", "bring", "put", "drop", "make", "declare", "check", "save", "train", "import", "resize" };
        // Not checked: the count of further weights differences (each is reported above it), an activation's rule across
        // its arguments (the activation catalog writes that message), and CG0012's code not generated yet (valid, so no
        // repair is the user's: the message says what is checked and that no code is generated).
        var exempt = new DiagnosticRule[] { DiagnosticDescriptors.WeightsMoreDifferences, DiagnosticDescriptors.ActivationArgumentsConflict, DiagnosticDescriptors.CodeNotGenerated };
        foreach (DiagnosticRule rule in DiagnosticDescriptors.All.Where(r => !exempt.Contains(r)))
        {
            string format = rule.MessageFormat.ToLowerInvariant();
            bool instructs = verbs.Any(v => System.Text.RegularExpressions.Regex.IsMatch(format, $@"(^|[;.:] |, or |, so |\{{\d\}}: ){v}\b"))
                             || System.Text.RegularExpressions.Regex.IsMatch(format, @"[;.] \{\d\}$") // the repair passed as an argument
                             || System.Text.RegularExpressions.Regex.IsMatch(format, @"; \{\d\} would use"); // the repairs, as options
            Assert.True(instructs, $"{rule.Id} gives no repair: {rule.MessageFormat}");
        }
    }

    internal static string RepoFile(string name)
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, name)) && File.Exists(Path.Combine(dir.FullName, "ConvGen.sln"))) return Path.Combine(dir.FullName, name);
        throw new FileNotFoundException(name);
    }
}
