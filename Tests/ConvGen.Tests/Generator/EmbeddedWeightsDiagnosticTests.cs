using Microsoft.CodeAnalysis;

namespace ConvGen.Tests.Generator;

/// <summary>CG0011: the embedded weights file is checked against the declaration at compile time.</summary>
public class EmbeddedWeightsDiagnosticTests
{
    private static readonly string Data = Path.Combine(AppContext.BaseDirectory, "Golden", "data");

    private static GeneratorHarness.Result Run(string markup, out List<Microsoft.CodeAnalysis.Text.TextSpan> spans, params (string Path, byte[] Bytes)[] files)
    {
        (string source, spans) = Markup.Parse("using ConvGen;\n" + markup);
        return GeneratorHarness.Run(new[] { source }, files.Select(f => (AdditionalText)new BinaryAdditionalText(f.Path, f.Bytes)).ToArray());
    }

    private static byte[] ConvBasic => File.ReadAllBytes(Path.Combine(Data, "conv_basic.safetensors"));

    private static void ExpectCG0011(GeneratorHarness.Result result, List<Microsoft.CodeAnalysis.Text.TextSpan> spans, params string[] parts)
    {
        var found = result.Reported().Where(d => d.Id == "CG0011").ToList();
        Assert.True(found.Count > 0, string.Join("\n", result.Reported()));
        Assert.All(found, d => { Assert.Equal(DiagnosticSeverity.Error, d.Severity); Assert.Contains(d.Location.SourceSpan, spans); });
        string messages = string.Join("\n", found.Select(d => d.GetMessage()));
        foreach (string part in parts) Assert.Contains(part, messages);
        Assert.Null(result.GeneratedText);
    }

    [Fact]
    public void FileNotInAdditionalFiles()
    {
        var result = Run("""[Network(3, 8, 8, [|Weights = "missing.safetensors"|])] [Conv2d(4, 3)] public partial class Net;""", out var spans, ("/p/conv_basic.safetensors", ConvBasic));
        ExpectCG0011(result, spans, "'missing.safetensors' is not among the project's AdditionalFiles", "'conv_basic.safetensors'", "<AdditionalFiles Include=\"missing.safetensors\" />");
    }

    [Fact]
    public void ShapeMismatchNamesTheKeyAndBothShapes()
    {
        var result = Run("""[Network(3, 8, 8, [|Weights = "conv_basic.safetensors"|])] [Conv2d(4, 5)] public partial class Net;""", out var spans, ("/p/conv_basic.safetensors", ConvBasic));
        ExpectCG0011(result, spans, "tensor '0.weight' in 'conv_basic.safetensors' has shape [4, 3, 3, 3]; layer #0 (Conv2d(4, 5)) expects [4, 3, 5, 5]");
    }

    [Fact]
    public void UnexpectedAndMissingTensors()
    {
        var result = Run("""[Network(3, 8, 8, [|Weights = "conv_basic.safetensors"|])] [ReLU, Conv2d(4, 3, Bias = false)] public partial class Net;""", out var spans, ("/p/conv_basic.safetensors", ConvBasic));
        ExpectCG0011(result, spans, "has no tensor '1.weight'", "tensor '0.bias' [4] in 'conv_basic.safetensors' belongs to no layer");
    }

    [Fact]
    public void MalformedFile()
    {
        byte[] truncated = ConvBasic.AsSpan(0, 40).ToArray();
        var result = Run("""[Network(3, 8, 8, [|Weights = "conv_basic.safetensors"|])] [Conv2d(4, 3)] public partial class Net;""", out var spans, ("/p/conv_basic.safetensors", truncated));
        ExpectCG0011(result, spans, "is not a valid safetensors file");
    }

    [Fact]
    public void LargeFileWithoutTheTargetsIsReported()
    {
        byte[] resnet = File.ReadAllBytes(Path.Combine(Data, "peer_resnet8.safetensors"));
        var result = Run("""[Network(3, 32, 32, [|Weights = "peer_resnet8.safetensors"|])] [Conv2d(16, 3, Padding = 1, Name = "stem")] public partial class Net;""", out var spans, ("/p/peer_resnet8.safetensors", resnet));
        // The declaration is only the stem: the file's other tensors are reported, and so would the size be.
        ExpectCG0011(result, spans, "belongs to no layer");
    }

    [Fact]
    public void SmallFileBecomesDataAndCompiles()
    {
        var result = Run("""[Network(3, 8, 8, Weights = "conv_basic.safetensors")] [Conv2d(4, 3)] public partial class Net;""", out _, ("/p/conv_basic.safetensors", ConvBasic));
        Assert.Empty(result.Reported(""));
        Assert.Contains("public static Net Load() => Load(EmbeddedWeights);", result.GeneratedText);
    }

    [Fact]
    public void FileEmbeddedByTheTargetsIsReadAsAResource()
    {
        (string source, _) = Markup.Parse("""using ConvGen; [Network(3, 8, 8, Weights = "conv_basic.safetensors")] [Conv2d(4, 3)] public partial class Net;""");
        var file = new BinaryAdditionalText("conv_basic.safetensors", ConvBasic);
        var result = GeneratorHarness.Run(new[] { source }, new AdditionalText[] { file },
            new Dictionary<string, string> { [file.Path] = "ConvGen.Weights.conv_basic.safetensors" });
        Assert.Empty(result.Reported(""));
        Assert.Contains("GetManifestResourceStream(\"ConvGen.Weights.conv_basic.safetensors\")", result.GeneratedText);
        Assert.DoesNotContain("EmbeddedWeights =>", result.GeneratedText);
    }
}
