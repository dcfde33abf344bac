using Microsoft.CodeAnalysis;
using static ConvGen.Tests.Generator.DiagnosticTests;

namespace ConvGen.Tests.Generator;

/// <summary>
/// The diagnostics of the contract's 2026-12 layers: id, severity, the span of the argument at fault (marked [|...|]) and
/// the numbers and fix in the message; and CG0012 on each layer that has no generated code yet, with no generator crash.
/// </summary>
public class ModelFamilyDiagnosticTests
{
    // ---------------------------------------------------------------- broadcasting
    [Fact]
    public void CG0004_ShapesThatDoNotBroadcastNameBothShapes() => Expect("""
        [Network(3, 8, 8)]
        [Conv2d(16, 3, Padding = 1, Name = "f")]
        [AdaptiveAvgPool2d(1, From = "input"), Conv2d(8, 1), Sigmoid, Multiply([|"f"|])]
        public partial class Net;
        """, "CG0004", DiagnosticSeverity.Error, "8×1×1 and 16×8×8 do not broadcast", "dimension 1 has 8 and 16", "C×1×1");

    [Fact]
    public void CG0004_BatchedOperandsOfDifferentRanks() => Expect("""
        [Network(4, 6, 6)]
        [AdaptiveAvgPool2d(1), Flatten(Name = "v")]
        [Conv2d(4, 1, From = "input"), Add([|"v"|])]
        public partial class Net;
        """, "CG0004", DiagnosticSeverity.Error, "4×6×6 and 4 have different ranks", "batch");

    [Fact]
    public void CG0004_ParameterWhoseFirstDimensionMeetsTheBatch() => Expect("""
        [Network(4, 6, 6)]
        [Conv2d(4, 1, Name = "c")]
        [Parameter(2, 4, 1, 1, Name = "p"), Multiply([|"c"|])]
        public partial class Net;
        """, "CG0004", DiagnosticSeverity.Error, "'p' 2×4×1×1", "lines up with the batch dimension");

    [Fact]
    public void CG0010_ParameterReadByAConvolution() => Expect("""
        [Network(4, 6, 6)]
        [Parameter(4, 6, 6, Name = "p"), [|Conv2d|](4, 1)]
        public partial class Net;
        """, "CG0010", DiagnosticSeverity.Error, "Conv2d #1 reads Parameter 'p'", "only Add, Subtract and Multiply", "right before");

    [Fact]
    public void CG0010_ParameterNamedInFrom() => Expect("""
        [Network(4, 6, 6)]
        [Conv2d(4, 1, Name = "c"), Parameter(4, 1, 1, Name = "p"), Conv2d(4, 1, [|From = "p"|])]
        public partial class Net;
        """, "CG0010", DiagnosticSeverity.Error, "reads Parameter 'p'");

    [Fact]
    public void CG0010_NetworkEndingWithAParameter() => Expect("""
        [Network(4, 6, 6)]
        [Conv2d(4, 1), [|Parameter|](4, 1, 1)]
        public partial class Net;
        """, "CG0010", DiagnosticSeverity.Error, "Parameter #1 is the last layer", "does not depend on the input");

    [Fact]
    public void CG0010_MergeOfLearnedTensorsOnly() => Expect("""
        [Network(4, 6, 6)]
        [Parameter(4, 1, 1, Name = "a"), Parameter(4, 1, 1, Name = "b"), Add([|"a", "b"|]), Conv2d(4, 1)]
        public partial class Net;
        """, "CG0010", DiagnosticSeverity.Error, "combines only learned tensors");

    [Fact]
    public void CG0007_ParameterWithFrom() => Expect("""
        [Network(4, 6, 6)]
        [Conv2d(4, 1, Name = "c"), Parameter(4, 1, 1, [|From = "c"|]), Multiply("c")]
        public partial class Net;
        """, "CG0007", DiagnosticSeverity.Error, "reads no input; remove From");

    [Fact]
    public void CG0007_ParameterWithAZeroSize() => Expect("""
        [Network(4, 6, 6)]
        [Conv2d(4, 1, Name = "c"), Parameter([|4, 0, 1|]), Multiply("c")]
        public partial class Net;
        """, "CG0007", DiagnosticSeverity.Error, "sizes of at least 1");

    [Fact]
    public void CG0009_SubtractFromAnUnknownName() => Expect("""
        [Network(4, 6, 6)]
        [Conv2d(4, 1), Sigmoid(Name = "gate"), Subtract(1.0, [|"gat"|])]
        public partial class Net;
        """, "CG0009", DiagnosticSeverity.Error, "reads 'gat'", "'gate'");

    [Fact]
    public void CG0009_SubtractWithoutOperands() => Expect("""
        [Network(4, 6, 6)]
        [Conv2d(4, 1), [|Subtract|]]
        public partial class Net;
        """, "CG0009", DiagnosticSeverity.Error, "names no outputs", "Subtract(1.0, \"t\")");

    [Fact]
    public void CG0007_InfiniteNumber() => Expect("""
        [Network(4, 6, 6)]
        [Conv2d(4, 1), Multiply([|double.PositiveInfinity|])]
        public partial class Net;
        """, "CG0007", DiagnosticSeverity.Error, "finite");

    // ---------------------------------------------------------------- activations
    [Fact]
    public void CG0007_HardtanhWithMaxNotAboveMin() => Expect("""
        [Network(4, 6, 6)]
        [Conv2d(4, 1), Hardtanh(2.0, [|1.0|])]
        public partial class Net;
        """, "CG0007", DiagnosticSeverity.Error, "max_val 1 must be greater than min_val 2", "Hardtanh(2, 3)");

    [Fact]
    public void CG0007_SoftplusWithBetaZero() => Expect("""
        [Network(4, 6, 6)]
        [Conv2d(4, 1), Softplus([|Beta = 0|])]
        public partial class Net;
        """, "CG0007", DiagnosticSeverity.Error, "beta 0 divides by zero");

    [Fact]
    public void CG0004_PReLUWithNeitherOneNorTheChannels() => Expect("""
        [Network(3, 6, 6)]
        [Conv2d(16, 3), PReLU([|8|])]
        public partial class Net;
        """, "CG0004", DiagnosticSeverity.Error, "num_parameters is 8", "16×4×4 has 16 channels", "use 1", "or 16");

    // ---------------------------------------------------------------- normalisation, permute
    [Fact]
    public void CG0004_LayerNormOverChannelsOfAChannelsFirstMap() => Expect("""
        [Network(3, 6, 5)]
        [Conv2d(8, 1), LayerNorm([|8|])]
        public partial class Net;
        """, "CG0004", DiagnosticSeverity.Error, "normalized_shape [8] must equal the last 1 dimension of the input 8×6×5, which is [5]", "LayerNorm2d", "Permute(0, 2, 3, 1)");

    [Fact]
    public void CG0004_LayerNormLongerThanTheInput() => Expect("""
        [Network(3, 6, 5)]
        [Flatten, LayerNorm([|6, 90|])]
        public partial class Net;
        """, "CG0004", DiagnosticSeverity.Error, "last 2 dimensions of the input 90");

    [Fact]
    public void CG0010_LayerNorm2dOnAFlatInput() => Expect("""
        [Network(3, 6, 5)]
        [Flatten, [|LayerNorm2d|]]
        public partial class Net;
        """, "CG0010", DiagnosticSeverity.Error, "needs a C×H×W input", "move it before Flatten");

    [Fact]
    public void CG0004_LayerNorm2dDeclaredChannels() => Expect("""
        [Network(3, 6, 5)]
        [LayerNorm2d([|4|])]
        public partial class Net;
        """, "CG0004", DiagnosticSeverity.Error, "normalized_shape is 4", "has 3 channels");

    [Fact]
    public void CG0007_PermuteWithTooFewDims() => Expect("""
        [Network(3, 6, 5)]
        [Permute([|0, 2, 1|])]
        public partial class Net;
        """, "CG0007", DiagnosticSeverity.Error, "4 for (batch, 3×6×5)", "Permute(0, 2, 3, 1)");

    [Fact]
    public void CG0007_PermuteMovingTheBatch() => Expect("""
        [Network(3, 6, 5)]
        [Permute([|1, 0, 2, 3|])]
        public partial class Net;
        """, "CG0007", DiagnosticSeverity.Error, "moves the batch dimension");

    [Fact]
    public void CG0007_PermuteRepeatingADim() => Expect("""
        [Network(3, 6, 5)]
        [Permute([|0, 1, 1, -1|])]
        public partial class Net;
        """, "CG0007", DiagnosticSeverity.Error, "each of the dimensions 0 to 3 exactly once");

    // ---------------------------------------------------------------- chunk, split
    [Fact]
    public void CG0007_ChunkIndexBeyondThePiecesPyTorchReturns() => Expect("""
        [Network(5, 4, 4)]
        [Chunk(4, [|3|])]
        public partial class Net;
        """, "CG0007", DiagnosticSeverity.Error, "into 4 gives 3 pieces of 2", "returns fewer chunks", "use 0 to 2");

    [Fact]
    public void CG0007_ChunkAlongTheBatch() => Expect("""
        [Network(4, 4, 4)]
        [Chunk(2, 0, [|Dim = 0|])]
        public partial class Net;
        """, "CG0007", DiagnosticSeverity.Error, "dim 0 is the batch dimension");

    [Fact]
    public void CG0004_SplitSectionsNotAddingUp() => Expect("""
        [Network(7, 4, 4)]
        [Split([|new[] { 2, 4 }|], 1)]
        public partial class Net;
        """, "CG0004", DiagnosticSeverity.Error, "add up to 6", "has 7", "add up to 7");

    [Fact]
    public void CG0004_UnflattenSizesThatDoNotMultiplyToTheDimension() => Expect("""
        [Network(3, 4, 4)]
        [Flatten, Linear(36), Unflatten(1, [|new[] { 4, 3, 4 }|])]
        public partial class Net;
        """, "CG0004", DiagnosticSeverity.Error, "holds 48 values", "dimension 1 of the input 36 has 36", "product is 36");

    [Fact]
    public void CG0007_UnflattenWithTwoInferredSizes() => Expect("""
        [Network(3, 4, 4)]
        [Flatten, Unflatten(1, [|new[] { -1, 4, -1 }|])]
        public partial class Net;
        """, "CG0007", DiagnosticSeverity.Error, "one of them may be -1");

    // ---------------------------------------------------------------- max unpooling
    [Fact]
    public void CG0009_UnpoolWithoutIndices() => Expect("""
        [Network(3, 8, 8)]
        [MaxPool2d(2, ReturnIndices = true, Name = "p"), [|MaxUnpool2d(2)|]]
        public partial class Net;
        """, "CG0009", DiagnosticSeverity.Error, "needs the indices of a MaxPool2d", "Indices = \"pool\"");

    [Fact]
    public void CG0009_UnpoolWithAnUnknownPool() => Expect("""
        [Network(3, 8, 8)]
        [MaxPool2d(2, ReturnIndices = true, Name = "p"), MaxUnpool2d(2, [|Indices = "q"|])]
        public partial class Net;
        """, "CG0009", DiagnosticSeverity.Error, "reads 'q'", "'p'");

    [Fact]
    public void CG0004_UnpoolIndicesFromAConvolution() => Expect("""
        [Network(3, 8, 8)]
        [Conv2d(3, 2, Stride = 2, Name = "c"), MaxUnpool2d(2, [|Indices = "c"|])]
        public partial class Net;
        """, "CG0004", DiagnosticSeverity.Error, "from Conv2d 'c', which produces none", "name a MaxPool2d that has ReturnIndices = true");

    [Fact]
    public void CG0004_UnpoolIndicesFromAPoolWithoutReturnIndices() => Expect("""
        [Network(3, 8, 8)]
        [MaxPool2d(2, Name = "p"), MaxUnpool2d(2, [|Indices = "p"|])]
        public partial class Net;
        """, "CG0004", DiagnosticSeverity.Error, "add ReturnIndices = true to MaxPool2d 'p'");

    [Fact]
    public void CG0004_UnpoolInputOfAnotherShape() => Expect("""
        [Network(3, 8, 8)]
        [MaxPool2d(2, ReturnIndices = true, Name = "p"), Conv2d(5, 1), MaxUnpool2d(2, [|Indices = "p"|])]
        public partial class Net;
        """, "CG0004", DiagnosticSeverity.Error, "its input is 5×4×4", "output shape 3×4×4");

    [Fact]
    public void CG0004_UnpoolOfAnOddSizeNeedsOutputSize() => Expect("""
        [Network(2, 9, 7)]
        [MaxPool2d(2, ReturnIndices = true, Name = "p"), MaxUnpool2d([|2|], Indices = "p")]
        public partial class Net;
        """, "CG0004", DiagnosticSeverity.Error, "address its 9×7 input, up to position 54 (row 7, column 5)", "8×6 output", "OutputSize = new[] { 9, 7 }");

    [Fact]
    public void CG0007_UnpoolOutputSizeBeyondAStride() => Expect("""
        [Network(2, 8, 8)]
        [MaxPool2d(2, ReturnIndices = true, Name = "p"), MaxUnpool2d(2, Indices = "p", [|OutputSize = new[] { 10, 8 }|])]
        public partial class Net;
        """, "CG0007", DiagnosticSeverity.Error, "output_size 10×8 is not within a stride of the default 8×8", "7 to 9 rows");

    [Fact]
    public void CG0007_StochasticDepthProbabilityAndMode()
    {
        Expect("""
            [Network(2, 8, 8)]
            [Conv2d(2, 1), StochasticDepth([|1.5|], "row")]
            public partial class Net;
            """, "CG0007", DiagnosticSeverity.Error, "P must be between 0 and 1");
        Expect("""
            [Network(2, 8, 8)]
            [Conv2d(2, 1), StochasticDepth(0.1, [|"col"|])]
            public partial class Net;
            """, "CG0007", DiagnosticSeverity.Error, "unknown Mode \"col\"", "\"row\", \"batch\"");
    }

    // ---------------------------------------------------------------- code generated (every layer of the 2026-12 row has code: no CG0012 left)
    [Theory]
    [InlineData("[MaxPool2d(2, ReturnIndices = true, Name = \"p\"), MaxUnpool2d(2, Indices = \"p\")]")]
    [InlineData("[MaxPool2d(3, Stride = 2, Padding = 1, ReturnIndices = true, Name = \"p\"), Conv2d(4, 1), MaxUnpool2d(3, Stride = 2, Padding = 1, Indices = \"p\", OutputSize = new[] { 6, 6 })]")]
    [InlineData("[MaxPool2d(2, ReturnIndices = true)]")]
    public void MaxUnpoolingIsGenerated(string layers)
    {
        GeneratorHarness.Result result = GeneratorHarness.Run($"using ConvGen;\n[Network(4, 6, 6)]\n{layers}\npublic partial class Net;");
        Assert.Empty(result.Reported());
        Assert.NotNull(result.GeneratedText);
    }

    // The layers of the 2026-12 row that have code: no diagnostic at all, generated code that compiles.
    [Theory]
    [InlineData("[Conv2d(4, 1), Hardsigmoid]")]
    [InlineData("[Conv2d(4, 1), Hardtanh(-2, 2)]")]
    [InlineData("[Conv2d(4, 1), PReLU(4)]")]
    [InlineData("[Conv2d(4, 1), ELU]")]
    [InlineData("[Conv2d(4, 1), Softplus(2.0)]")]
    [InlineData("[Conv2d(4, 1), Mish]")]
    [InlineData("[Conv2d(4, 1, Name = \"c\"), Sigmoid(Name = \"t\"), Subtract(1.0, \"t\")]")]
    [InlineData("[Conv2d(4, 1, Name = \"c\"), Parameter(4, 6, 6), Multiply(\"c\")]")]
    [InlineData("[Chunk(2, 1)]")]
    [InlineData("[Split(new[] { 1, 3 }, 0)]")]
    [InlineData("[Permute(0, 2, 3, 1)]")]
    [InlineData("[Conv2d(4, 1), LayerNorm(6, Eps = 1e-6)]")]
    [InlineData("[LayerNorm2d]")]
    [InlineData("[AdaptiveAvgPool2d(1, Name = \"g\"), Conv2d(4, 1, From = \"input\"), Multiply(\"g\")]")]
    [InlineData("[Conv2d(4, 1), Add(0.5)]")]
    [InlineData("[AdaptiveAvgPool2d(1), Add(\"input\")]")]
    [InlineData("[Chunk(int.MaxValue, 0)]")]
    [InlineData("[Split(int.MaxValue, 0)]")]
    public void LayersWithCodeGenerate(string layers)
    {
        GeneratorHarness.Result result = GeneratorHarness.Run($"using ConvGen;\n[Network(4, 6, 6)]\n{layers}\npublic partial class Net;");
        Assert.Empty(result.Reported(""));
        Assert.NotNull(result.GeneratedText);
    }

    // ---------------------------------------------------------------- half-typed and impossible declarations
    private const string Declaration = """
        using ConvGen;
        [Network(8, 9, 7)]
        [Conv2d(8, 3, Padding = 1, Name = "c"), Hardsigmoid, PReLU(8), MaxPool2d(2, ReturnIndices = true, Name = "p")]
        [Chunk(2, 1, Dim = 1, Name = "x"), Split(new[] { 4, 4 }, 0, From = "p"), Concat("x"), Permute(0, 2, 3, 1), LayerNorm(8, Eps = 1e-6)]
        [Permute(0, 3, 1, 2), LayerNorm2d(8), Hardtanh(-2.0, 2.0), ELU(0.5), Softplus(2.0, 10.0), Mish, Sigmoid(Name = "t")]
        [Subtract(1.0, "t"), Parameter(8, 1, 1, Name = "s"), Multiply("t"), Add(0.5), StochasticDepth(0.1, "row")]
        [Conv2d(8, 1), MaxUnpool2d(2, Indices = "p", OutputSize = new[] { 9, 7 })]
        public partial class Net;
        """;

    [Fact]
    public void EveryPrefixOfADeclarationWithTheNewLayersIsHandled()
    {
        GeneratorHarness.Result whole = GeneratorHarness.Run(Declaration);
        // Every layer has code now (max unpooling included): the whole declaration generates, with only its CG0002.
        Assert.Equal(new[] { "CG0002" }, whole.Reported().Select(d => d.Id).Distinct().Order());
        Assert.NotNull(whole.GeneratedText);
        for (int length = 0; length < Declaration.Length; length += 3)
        {
            GeneratorHarness.Result result = GeneratorHarness.Run(Declaration.Substring(0, length));
            Assert.False(result.GeneratorDiagnostics.Any(d => d.Id is "CS8784" or "CS8785"),
                $"generator failed on a prefix of {length} characters: {string.Join("; ", result.GeneratorDiagnostics)}");
        }
    }

    [Theory]
    [InlineData("[Permute]", "CG0007")]
    [InlineData("[LayerNorm]", "CG0007")]
    [InlineData("[Parameter(-1), Add(\"input\")]", "CG0007")]
    [InlineData("[Chunk(0, 0)]", "CG0007")]
    [InlineData("[Split(\"x\", 0)]", "CG0007")]
    [InlineData("[Split(0, 0)]", "CG0007")]
    [InlineData("[MaxUnpool2d(2, Indices = \"input\")]", "CG0004")]
    [InlineData("[Add(\"input\", \"input\"), Subtract(2.0, \"nothing\")]", "CG0009")]
    public void ImpossibleDeclarationsGetADiagnosticNotACrash(string layers, string id)
    {
        GeneratorHarness.Result result = GeneratorHarness.Run($"using ConvGen;\n[Network(4, 8, 8)] {layers} public partial class Net;");
        Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id is "CS8784" or "CS8785");
        Assert.Contains(result.Reported(), d => d.Id == id);
        Assert.Null(result.GeneratedText);
    }

    // Absurd but well-typed: extreme sizes end in a diagnostic with true numbers, never a crash or a wrapped size.
    [Theory]
    [InlineData("[Parameter(int.MaxValue, int.MaxValue), Add(\"input\")]", "CG0013")]
    [InlineData("[Parameter(1 << 15, 1 << 15, 2), Add(\"input\")]", "CG0013")]
    [InlineData("[AdaptiveAvgPool2d(new[] { 1 << 15, 1 }, Name = \"h\"), AdaptiveAvgPool2d(new[] { 1, 1 << 15 }, From = \"input\"), Multiply(\"h\")]", "CG0013")]
    [InlineData("[MaxPool2d(2, ReturnIndices = true, Name = \"p\"), MaxUnpool2d(2, Stride = int.MaxValue, Indices = \"p\")]", "CG0013")]
    [InlineData("[MaxPool2d(2, ReturnIndices = true, Name = \"p\"), MaxUnpool2d(int.MaxValue, Indices = \"p\")]", "CG0013")]
    [InlineData("[MaxPool2d(2, ReturnIndices = true, Name = \"p\"), MaxUnpool2d(2, Padding = int.MaxValue, Indices = \"p\")]", "CG0001")]
    [InlineData("[MaxPool2d(2, ReturnIndices = true, Name = \"p\"), MaxUnpool2d(2, Indices = \"p\", OutputSize = int.MaxValue)]", "CG0007")]
    [InlineData("[Chunk(int.MaxValue, int.MaxValue)]", "CG0007")]
    [InlineData("[Split(new[] { int.MaxValue, 1 }, 0)]", "CG0004")]
    [InlineData("[Flatten, Unflatten(1, new[] { int.MaxValue, int.MaxValue, -1 })]", "CG0004")]
    [InlineData("[LayerNorm(int.MaxValue)]", "CG0004")]
    [InlineData("[PReLU(int.MaxValue)]", "CG0004")]
    [InlineData("[Permute(0, int.MaxValue, 1, 2)]", "CG0007")]
    public void AbsurdSizesEndInADiagnostic(string layers, string id)
    {
        GeneratorHarness.Result result = GeneratorHarness.Run($"using ConvGen;\n[Network(4, 8, 8)] {layers} public partial class Net;");
        Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id is "CS8784" or "CS8785");
        var reported = result.Reported().ToList();
        Assert.True(reported.Any(d => d.Id == id), string.Join("\n", reported));
        Assert.DoesNotContain(reported, d => System.Text.RegularExpressions.Regex.IsMatch(d.GetMessage(), @"(?<![\w.])-\d{3,}"));
        Assert.Null(result.GeneratedText);
    }

    [Fact]
    public void SupportedFormsStillGenerate()
    {
        // StochasticDepth is a no-op at inference; a MaxPool2d with ReturnIndices still outputs its values; Add and
        // Multiply of equal shapes are the existing kernels.
        GeneratorHarness.Result result = GeneratorHarness.Run("""
            using ConvGen;
            [Network(4, 8, 8)]
            [Conv2d(4, 3, Padding = 1, Name = "a"), StochasticDepth(0.1, "row"), Add("input"), MaxPool2d(2, ReturnIndices = true)]
            [Conv2d(4, 1, Name = "b"), Sigmoid, Multiply("b"), Flatten, Unflatten(1, new[] { 4, -1, 2 })]
            public partial class Net;
            """);
        Assert.Empty(result.Reported());
        Assert.NotNull(result.GeneratedText);
    }
}
