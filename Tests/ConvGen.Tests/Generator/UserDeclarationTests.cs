namespace ConvGen.Tests.Generator;
/// <summary>Declarations as a PyTorch user would first write them (torchvision stems, the PyTorch MNIST example, 1-D, upsampling, transposed): no diagnostic, code that compiles.</summary>
public class UserDeclarationTests
{
    [Theory]
    [InlineData("[Network(3, 224, 224)] [Conv2d(64, 7, Stride = 2, Padding = 3, Bias = false), BatchNorm2d, ReLU, MaxPool2d(3, Stride = 2, Padding = 1)] [AdaptiveAvgPool2d(new[] { 1, 1 }), Flatten, Linear(1000)] public partial class R;")]
    [InlineData("[Network(1, 28, 28)] [Conv2d(1, 32, 3), ReLU, Conv2d(32, 64, 3), ReLU, MaxPool2d(2), Dropout(0.25), Flatten, Linear(9216, 128), ReLU, Dropout(0.5), Linear(128, 10), LogSoftmax(Dim = 1)] public partial class MnistExample;")]
    [InlineData("[Network(16, 100)] [Conv1d(32, 3, Padding = 1), BatchNorm1d(32), ReLU, MaxPool1d(2), Conv1d(64, 3, Padding = \"same\"), ReLU, AdaptiveAvgPool1d(1), Flatten, Linear(5)] public partial class Seq;")]
    [InlineData("[Network(3, 32, 32)] [Conv2d(16, kernelSize: 3, Padding = 1), ReLU, Upsample(ScaleFactor = 2, Mode = \"bilinear\", AlignCorners = true), Conv2d(3, 1), Tanh] public partial class Up;")]
    [InlineData("[Network(4, 8, 8)] [ConvTranspose2d(4, 2, 4, Stride = 2, Padding = 1), GELU, ChannelShuffle(2), Hardswish, SiLU] public partial class T;")]
    public void UserDeclarationsCompileCleanly(string declaration)
    {
        var r = GeneratorHarness.Run("using ConvGen;\n" + declaration);
        Assert.True(r.GeneratedText is not null, string.Join("\n", r.Reported("")));
        Assert.Empty(r.Reported(""));
    }
}

/// <summary>
/// PyTorch's own spellings: positional forms (<c>Conv2d(3, 8, 3, 2, 1)</c>, <c>MaxPool2d(3, 2, 1)</c>, <c>Flatten(1)</c>) and
/// default-valued arguments written out (<c>Concat(..., Dim = 1)</c>, <c>DivisorOverride = null</c>). Each compiles to
/// exactly the code of the named form.
/// </summary>
public class TorchSpellingTests
{
    private static string Generated(string layers)
    {
        GeneratorHarness.Result r = GeneratorHarness.Run("using ConvGen;\n[Network(3, 16, 16)] [" + layers + "] public partial class Net;");
        Assert.True(r.GeneratedText is not null && !r.Reported("").Any(), string.Join("\n", r.Reported("")));
        // The code, without the comments that quote the declaration as written.
        return string.Join("\n", r.GeneratedText!.Split('\n').Where(l => !l.TrimStart().StartsWith("//", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("Conv2d(3, 8, 3, 2, 1)", "Conv2d(3, 8, 3, Stride = 2, Padding = 1)")]
    [InlineData("Conv2d(3, 8, 3, 1, 2, 2, 1, false, \"reflect\")", "Conv2d(3, 8, 3, Padding = 2, Dilation = 2, Bias = false, PaddingMode = \"reflect\")")]
    [InlineData("ConvTranspose2d(3, 4, 4, 2, 1, 1)", "ConvTranspose2d(3, 4, 4, Stride = 2, Padding = 1, OutputPadding = 1)")]
    [InlineData("MaxPool2d(3, 2, 1)", "MaxPool2d(3, Stride = 2, Padding = 1)")]
    [InlineData("MaxPool2d(3, null, 1, 1)", "MaxPool2d(3, Padding = 1)")]
    [InlineData("AvgPool2d(3, 1, 1, false, false)", "AvgPool2d(3, Stride = 1, Padding = 1, CountIncludePad = false)")]
    [InlineData("AvgPool2d(2, DivisorOverride = null)", "AvgPool2d(2)")]
    [InlineData("Flatten(1), Linear(768, 10, false)", "Flatten, Linear(768, 10, Bias = false)")]
    [InlineData("Flatten(1, -1)", "Flatten(StartDim = 1, EndDim = -1)")]
    [InlineData("BatchNorm2d(3, 0.001)", "BatchNorm2d(3, Eps = 0.001)")]
    [InlineData("ChannelShuffle(Groups = 3)", "ChannelShuffle(3)")]
    [InlineData("Conv2d(8, 1, Name = \"a\"), Concat(\"a\", Dim = 1)", "Conv2d(8, 1, Name = \"a\"), Concat(\"a\")")]
    [InlineData("Conv2d(8, 1, Name = \"a\"), Concat(\"a\", Dim = -3)", "Conv2d(8, 1, Name = \"a\"), Concat(\"a\")")]
    [InlineData("Upsample(ScaleFactor = 2, RecomputeScaleFactor = false)", "Upsample(ScaleFactor = 2)")]
    public void TheTorchFormCompilesToTheNamedFormsCode(string torch, string named) =>
        Assert.Equal(Generated(named), Generated(torch));

    [Fact]
    public void RecomputeScaleFactorInterpolatesWithTheSizeRatio()
    {
        string recomputed = Generated("Upsample(ScaleFactor = 1.5, RecomputeScaleFactor = true)");
        Assert.Contains("scaleHeight: 0, scaleWidth: 0", recomputed);
        Assert.DoesNotContain("scaleHeight: 0, scaleWidth: 0", Generated("Upsample(ScaleFactor = 1.5)"));
    }

    [Theory]
    [InlineData("[Network(3, 8, 8)] [[|ChannelShuffle|]] public partial class Net;", "CG0007", "groups is required")]
    [InlineData("[Network(3, 8, 8)] [Conv2d(8, 1, Name = \"a\"), Concat(\"a\", [|Dim = 2|])] public partial class Net;", "CG0007", "dim 2 is not the channels")]
    [InlineData("[Network(3, 8, 8)] [AvgPool2d(2, [|DivisorOverride = 0|])] public partial class Net;", "CG0007", "Use null (PyTorch's None)")]
    public void WrongTorchArgumentsAreReportedOnTheArgument(string markup, string id, string message)
    {
        (string source, List<Microsoft.CodeAnalysis.Text.TextSpan> spans) = Markup.Parse("using ConvGen;\n" + markup);
        var reported = GeneratorHarness.Run(source).Reported().ToList();
        Microsoft.CodeAnalysis.Diagnostic d = Assert.Single(reported);
        Assert.Equal(id, d.Id);
        Assert.Equal(spans[0], d.Location.SourceSpan);
        Assert.Contains(message, d.GetMessage());
    }
}

/// <summary>The README's examples compile as written, with no diagnostic.</summary>
public class ReadmeExampleTests
{
    [Fact]
    public void TheGraphExamplesCompileCleanly()
    {
        string readme = File.ReadAllText(DiagnosticPlacementTests.RepoFile("README.md")).Replace("\r", "");
        int section = readme.IndexOf("\n### Graphs\n", StringComparison.Ordinal);
        int start = readme.IndexOf("```csharp\n", section, StringComparison.Ordinal) + "```csharp\n".Length;
        string code = readme.Substring(start, readme.IndexOf("```", start, StringComparison.Ordinal) - start);
        GeneratorHarness.Result r = GeneratorHarness.Run("using ConvGen;\n" + code);
        Assert.True(!r.Reported("").Any(), string.Join("\n", r.Reported("")));
        Assert.Equal(3, r.Run.GeneratedSources.Length);
    }
}
