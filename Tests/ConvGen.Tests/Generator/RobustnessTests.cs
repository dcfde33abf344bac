namespace ConvGen.Tests.Generator;

/// <summary>The generator runs on every keystroke: no prefix of a declaration may make it throw.</summary>
public class RobustnessTests
{
    private const string Declaration = """
        using ConvGen;
        [Network(1, 28, 28)]
        [Conv2d(6, new[] { 5, 5 }, Padding = "same", Stride = 1, PaddingMode = "zeros"), ReLU, MaxPool2d(2, CeilMode = true)]
        [Conv2d(16, 5, Name = "c"), BatchNorm2d(16), LeakyReLU(0.1), Add("c"), Concat("c", "input")]
        [Flatten(StartDim = 1), Linear(120), Dropout(0.5), Linear(10), Softmax(Dim = 1)]
        public partial class Net;
        """;

    [Fact]
    public void EveryPrefixOfADeclarationIsHandled()
    {
        for (int length = 0; length <= Declaration.Length; length++)
        {
            GeneratorHarness.Result result = GeneratorHarness.Run(Declaration.Substring(0, length));
            Assert.False(result.GeneratorDiagnostics.Any(d => d.Id is "CS8784" or "CS8785"),
                $"generator failed on a prefix of {length} characters: {string.Join("; ", result.GeneratorDiagnostics)}");
        }
    }

    [Theory]
    [InlineData("[Network(1, 8, 8)] [Conv2d(8, 3, Stride = \"two\")] public partial class Net;", "CG0007")]
    [InlineData("[Network(1, 8, 8)] [Conv2d(8, 3, Padding = \"full\")] public partial class Net;", "CG0007")]
    [InlineData("[Network(1, 8, 8)] [Conv2d(8, 3, Padding = new[] { 1, 2, 3, 4 })] public partial class Net;", "CG0007")]
    [InlineData("[Network(1, 8, 8)] [Upsample] public partial class Net;", "CG0007")]
    [InlineData("[Network(0, 8, 8)] [ReLU] public partial class Net;", "CG0007")]
    [InlineData("[Network(1, 8, 8, 8)] [ReLU] public partial class Net;", "CG0010")]
    [InlineData("[Network(1, 8, 8)] [Concat] public partial class Net;", "CG0009")]
    [InlineData("[Network(1, 8, 8)] [Softmax(Dim = 7)] public partial class Net;", "CG0007")]
    public void ImpossibleDeclarationsGetADiagnosticNotACrash(string declaration, string id)
    {
        GeneratorHarness.Result result = GeneratorHarness.Run("using ConvGen;\n" + declaration);
        Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id is "CS8784" or "CS8785");
        Assert.Contains(result.Reported(), d => d.Id == id);
        Assert.Null(result.GeneratedText);
    }
}
