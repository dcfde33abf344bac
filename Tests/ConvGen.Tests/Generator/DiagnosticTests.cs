using Microsoft.CodeAnalysis;

namespace ConvGen.Tests.Generator;

/// <summary>
/// One test per diagnostic id and condition: the id, the severity, the exact span (the argument at fault, marked
/// [|...|] in the source) and the numbers and fix in the message.
/// </summary>
public class DiagnosticTests
{
    internal static List<Diagnostic> Expect(string markup, string id, DiagnosticSeverity severity, params string[] messageParts)
    {
        (string source, List<Microsoft.CodeAnalysis.Text.TextSpan> spans) = Markup.Parse("using ConvGen;\n" + markup);
        GeneratorHarness.Result result = GeneratorHarness.Run(source);
        Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id == "CS8785"); // the generator threw
        var reported = result.Reported().ToList();
        var matching = reported.Where(d => d.Id == id).ToList();
        Assert.True(matching.Count > 0, $"expected {id}; got: {string.Join("\n", reported)}");
        foreach (Diagnostic d in matching)
        {
            Assert.Equal(severity, d.Severity);
            Assert.Contains(d.Location.SourceSpan, spans);
            Assert.True(d.Location.IsInSource, "diagnostic location must be in source so #pragma can suppress it");
            Assert.Equal(DiagnosticHelp.Link(id), d.Descriptor.HelpLinkUri);
        }
        // One diagnostic per fault: each marked span carries exactly one of them.
        foreach (Microsoft.CodeAnalysis.Text.TextSpan span in spans)
            Assert.Single(matching, d => d.Location.SourceSpan == span);
        string message = string.Join("\n", matching.Select(d => d.GetMessage()));
        foreach (string part in messageParts) Assert.Contains(part, message);
        return matching;
    }

    // CG0001: output would be empty.
    [Fact]
    public void CG0001_KernelLargerThanPaddedInput() => Expect("""
        [Network(1, 4, 4)]
        [Conv2d(8, [|5|])]
        public partial class Net;
        """, "CG0001", DiagnosticSeverity.Error, "Conv2d #0", "spans 5 rows", "only 4 (input 1×4×4)", "a kernel of at most 4 rows or 1 more padding");

    [Fact]
    public void CG0001_DilatedKernelReportedOnDilation() => Expect("""
        [Network(1, 6, 6)]
        [Conv2d(8, 3, [|Dilation = 3|])]
        public partial class Net;
        """, "CG0001", DiagnosticSeverity.Error, "(dilation 3)", "spans 7 rows", "Use dilation 2 at most, a kernel of at most 2 rows or 1 more padding");

    [Fact]
    public void CG0001_PoolOnTooSmallInput() => Expect("""
        [Network(3, 8, 8)]
        [Conv2d(4, 3), MaxPool2d(2), MaxPool2d(2), MaxPool2d([|2|])]
        public partial class Net;
        """, "CG0001", DiagnosticSeverity.Error, "MaxPool2d #3", "only 1");

    // CG0002: stride leaves rows/columns unread.
    [Fact]
    public void CG0002_StrideLeavesColumnsUnread()
    {
        var found = Expect("""
            [Network(1, 14, 14)]
            [Conv2d(8, 3, [|Stride = 3|], Name = "conv3")]
            public partial class Net;
            """, "CG0002", DiagnosticSeverity.Warning,
            "Conv2d 'conv3': stride 3 leaves the last 2 rows and 2 columns of the 14×14 input unread; padding 1 or stride 1 would use all of it");
        Assert.Single(found); // rows and columns are one fault of one argument
    }

    [Fact]
    public void CG0002_PoolingWithDefaultStrideReportedOnKernel() => Expect("""
        [Network(1, 7, 7)]
        [MaxPool2d([|2|])]
        public partial class Net;
        """, "CG0002", DiagnosticSeverity.Warning, "stride 2 leaves the last 1 row and 1 column of the 7×7 input unread", "padding 1, stride 1 or CeilMode = true");

    [Fact]
    public void CG0002_NotReportedWhenOnlyEndPaddingIsUnread()
    {
        // 3×3, stride 2, padding 1 on 32: the one unread row is the bottom padding, so no input is lost.
        GeneratorHarness.Result result = GeneratorHarness.Run("using ConvGen;\n[Network(3, 32, 32)] [Conv2d(8, 3, Stride = 2, Padding = 1)] public partial class Net;");
        Assert.Empty(result.Reported("CG"));
    }

    [Fact]
    public void CG0002_NotReportedForAWindowNarrowerThanTheStride()
    {
        // A ResNet projection shortcut: 1×1, stride 2, skips every other row by design.
        GeneratorHarness.Result result = GeneratorHarness.Run("using ConvGen;\n[Network(8, 16, 16)] [Conv2d(16, 1, Stride = 2)] public partial class Net;");
        Assert.Empty(result.Reported("CG"));
    }

    [Fact]
    public void CG0002_NotReportedInCeilMode()
    {
        GeneratorHarness.Result result = GeneratorHarness.Run("using ConvGen;\n[Network(1, 7, 7)] [MaxPool2d(2, CeilMode = true)] public partial class Net;");
        Assert.Empty(result.Reported());
    }

    // CG0003: invalid padding.
    [Fact]
    public void CG0003_NegativePadding() => Expect("""
        [Network(1, 8, 8)]
        [Conv2d(8, 3, [|Padding = -1|])]
        public partial class Net;
        """, "CG0003", DiagnosticSeverity.Error, "padding must be at least 0 on every axis; got -1. Use 0");

    [Fact]
    public void CG0003_SameWithStride() => Expect("""
        [Network(1, 8, 8)]
        [Conv2d(8, 3, Stride = 2, [|Padding = "same"|])]
        public partial class Net;
        """, "CG0003", DiagnosticSeverity.Error, "padding \"same\" needs stride 1", "Padding = 1");

    [Fact]
    public void CG0003_PoolPaddingMoreThanHalfKernel() => Expect("""
        [Network(1, 8, 8)]
        [MaxPool2d(3, [|Padding = 2|])]
        public partial class Net;
        """, "CG0003", DiagnosticSeverity.Error, "padding 2 is more than half the 3×3 window", "at most 1");

    [Fact]
    public void CG0003_ReflectPaddingAsLargeAsInput() => Expect("""
        [Network(1, 3, 3)]
        [Conv2d(8, 3, [|Padding = 3|], PaddingMode = "reflect")]
        public partial class Net;
        """, "CG0003", DiagnosticSeverity.Error, "reflect padding 3 must be smaller than the input size 3");

    // CG0004: channel or shape mismatch.
    [Fact]
    public void CG0004_GroupsDoNotDivideChannels() => Expect("""
        [Network(4, 8, 8)]
        [Conv2d(8, 3, [|Groups = 3|])]
        public partial class Net;
        """, "CG0004", DiagnosticSeverity.Error, "groups 3 does not divide the 4 input and the 8 output channels", "use one of 1, 2, 4");

    [Fact]
    public void CG0004_DeclaredInChannelsContradictInput() => Expect("""
        [Network(1, 28, 28)]
        [Conv2d([|3|], 6, 5)]
        public partial class Net;
        """, "CG0004", DiagnosticSeverity.Error, "in_channels is 3, but the input 1×28×28 has 1 channel");

    [Fact]
    public void CG0004_LinearInFeaturesWithoutFlatten() => Expect("""
        [Network(16, 5, 5)]
        [Linear([|400|], 120)]
        public partial class Net;
        """, "CG0004", DiagnosticSeverity.Error, "in_features is 400", "put Flatten before it");

    [Fact]
    public void CG0004_BatchNormFeatures() => Expect("""
        [Network(3, 8, 8)]
        [Conv2d(16, 3), BatchNorm2d([|32|])]
        public partial class Net;
        """, "CG0004", DiagnosticSeverity.Error, "num_features is 32, but the input 16×6×6 has 16 channels");

    [Fact]
    public void CG0004_AddShapesDiffer() => Expect("""
        [Network(3, 8, 8)]
        [Conv2d(16, 3, Padding = 1, Name = "a"), Conv2d(32, 3, Stride = 2, Padding = 1), Add([|"a"|])]
        public partial class Net;
        """, "CG0004", DiagnosticSeverity.Error, "32×4×4 and 16×8×8 do not broadcast", "dimension 3 has 4 and 8");

    // CG0005, CG0006: transposed convolutions.
    [Fact]
    public void CG0005_TransposedKernelNotDivisibleByStride() => Expect("""
        [Network(8, 4, 4)]
        [ConvTranspose2d(4, [|3|], Stride = 2)]
        public partial class Net;
        """, "CG0005", DiagnosticSeverity.Warning, "kernel 3×3 is not divisible by stride 2", "checkerboard", "use kernel 4");

    [Fact]
    public void CG0006_OutputPaddingNotSmallerThanStride() => Expect("""
        [Network(8, 4, 4)]
        [ConvTranspose2d(4, 4, Stride = 2, [|OutputPadding = 2|])]
        public partial class Net;
        """, "CG0006", DiagnosticSeverity.Error, "output_padding 2 must be smaller than the stride 2 or the dilation 1");

    // CG0007: out of range.
    [Fact]
    public void CG0007_ZeroKernel() => Expect("""
        [Network(1, 8, 8)]
        [Conv2d(8, [|0|])]
        public partial class Net;
        """, "CG0007", DiagnosticSeverity.Error, "kernel_size must be at least 1 on every axis; got 0. Use 1 or more");

    [Fact]
    public void CG0007_ZeroStrideTuple() => Expect("""
        [Network(1, 8, 8)]
        [Conv2d(8, 3, [|Stride = new[] { 1, 0 }|])]
        public partial class Net;
        """, "CG0007", DiagnosticSeverity.Error, "stride must be at least 1 on every axis; got [1, 0]. Use 1 (PyTorch's default)");

    [Fact]
    public void CG0007_TupleOfWrongLength() => Expect("""
        [Network(1, 8, 8)]
        [Conv2d(8, [|new[] { 3, 3, 3 }|])]
        public partial class Net;
        """, "CG0007", DiagnosticSeverity.Error, "kernel_size must be an int or an int[] of 2 values (height, width); got [3, 3, 3]. Write e.g.");

    [Fact]
    public void CG0007_UnknownPaddingMode() => Expect("""
        [Network(1, 8, 8)]
        [Conv2d(8, 3, [|PaddingMode = "mirror"|])]
        public partial class Net;
        """, "CG0007", DiagnosticSeverity.Error, "unknown PaddingMode \"mirror\"", "\"reflect\"");

    [Fact]
    public void CG0007_ZeroOutChannels() => Expect("""
        [Network(1, 8, 8)]
        [Conv2d([|0|], 3)]
        public partial class Net;
        """, "CG0007", DiagnosticSeverity.Error, "OutChannels must be at least 1; got 0");

    [Fact]
    public void CG0007_FlattenIntoBatch() => Expect("""
        [Network(1, 8, 8)]
        [Flatten([|StartDim = 0|])]
        public partial class Net;
        """, "CG0007", DiagnosticSeverity.Error, "start_dim 0 is the batch dimension");

    // CG0008: the class cannot be generated into.
    [Fact]
    public void CG0008_NotPartial() => Expect("""
        [Network(1, 8, 8)]
        [Conv2d(8, 3)]
        public class [|Net|] { }
        """, "CG0008", DiagnosticSeverity.Error, "must be partial", "partial class Net");

    [Fact]
    public void CG0008_Generic() => Expect("""
        [Network(1, 8, 8)]
        [Conv2d(8, 3)]
        public partial class [|Net|]<T> { }
        """, "CG0008", DiagnosticSeverity.Error, "cannot be generic");

    [Fact]
    public void CG0008_NestedInNonPartial() => Expect("""
        public class Outer
        {
            [Network(1, 8, 8)]
            [Conv2d(8, 3)]
            public partial class [|Net|] { }
        }
        """, "CG0008", DiagnosticSeverity.Error, "nested in 'Outer', which is not partial");

    // CG0009: names.
    [Fact]
    public void CG0009_UnknownFrom() => Expect("""
        [Network(1, 8, 8)]
        [Conv2d(8, 3, Name = "a"), Conv2d(8, 1, [|From = "b"|])]
        public partial class Net;
        """, "CG0009", DiagnosticSeverity.Error, "reads 'b', but no layer before it has Name = \"b\"; use one of the outputs known here: 'input', 'a'");

    [Fact]
    public void CG0009_NameUsedTwice() => Expect("""
        [Network(1, 8, 8)]
        [Conv2d(8, 3, Name = "a"), Conv2d(8, 1, [|Name = "a"|])]
        public partial class Net;
        """, "CG0009", DiagnosticSeverity.Error, "the name 'a' is already the name of layer #0");

    // CG0010: structure.
    [Fact]
    public void CG0010_NoLayers() => Expect("""
        [[|Network|](1, 8, 8)]
        public partial class Net;
        """, "CG0010", DiagnosticSeverity.Error, "has no layers", "e.g. [Conv2d(8, 3), ReLU]");

    [Fact]
    public void CG0010_NoInputShape() => Expect("""
        [[|Network|]]
        [Conv2d(8, 3)]
        public partial class Net;
        """, "CG0010", DiagnosticSeverity.Error, "input shape must be (C, L) for a 1-D network or (C, H, W)");

    [Fact]
    public void CG0010_Conv1dInTwoDimensionalNetwork() => Expect("""
        [Network(1, 8, 8)]
        [[|Conv1d|](8, 3)]
        public partial class Net;
        """, "CG0010", DiagnosticSeverity.Error, "Conv1d #0 needs a C×L input, but its input is 1×8×8 (C×H×W, 2-D)", "use Conv2d");

    [Fact]
    public void CG0010_Conv2dAfterFlatten() => Expect("""
        [Network(1, 8, 8)]
        [Flatten, [|Conv2d|](8, 3)]
        public partial class Net;
        """, "CG0010", DiagnosticSeverity.Error, "its input is 64 (flat)", "move it before Flatten");

    [Fact]
    public void PragmaSuppressesWarning()
    {
        GeneratorHarness.Result result = GeneratorHarness.Run("""
            using ConvGen;
            #pragma warning disable CG0002
            [Network(1, 7, 7)]
            [MaxPool2d(2)]
            public partial class Net;
            #pragma warning restore CG0002
            """);
        Assert.Contains(result.GeneratorDiagnostics, d => d.Id == "CG0002" && d.IsSuppressed);
        Assert.Empty(result.Reported());
        Assert.NotNull(result.GeneratedText); // a warning does not stop code generation
    }

    [Fact]
    public void ErrorStopsCodeGeneration()
    {
        GeneratorHarness.Result result = GeneratorHarness.Run("using ConvGen;\n[Network(4, 8, 8)] [Conv2d(8, 3, Groups = 3)] public partial class Net;");
        Assert.Null(result.GeneratedText);
    }

    [Fact]
    public void IndependentErrorsAreAllReportedInOnePass()
    {
        GeneratorHarness.Result result = GeneratorHarness.Run("using ConvGen;\n[Network(4, 8, 8)] [Conv2d(8, 3, Groups = 3, PaddingMode = \"mirror\")] public partial class Net;");
        Assert.Contains(result.Reported(), d => d.Id == "CG0004");
        Assert.Contains(result.Reported(), d => d.Id == "CG0007");
    }
}
