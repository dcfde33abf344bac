using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ConvGen.Tests.Generator;

/// <summary>
/// Nothing broken while typing: no generated source for a declaration that cannot compile yet, and no CG diagnostic
/// on what the compiler already rejects. The parser reads from syntax, so it must also bind as the compiler does.
/// </summary>
public class TypingTests
{
    private static void AssertQuiet(string source)
    {
        GeneratorHarness.Result result = GeneratorHarness.Run("using ConvGen;\n" + source);
        Assert.Contains(result.Reported("CS"), d => d.Severity == DiagnosticSeverity.Error); // the compiler does reject it
        Assert.Empty(result.Reported("CG"));
        Assert.Null(result.GeneratedText);
    }

    [Fact]
    public void AClassWithoutANameYetGeneratesNothing() => AssertQuiet("[Network(1, 8, 8)] [Conv2d(8, 3)] public partial class");

    [Fact]
    public void AHalfTypedArrayGetsNoCGOnTopOfTheCompilersError() => AssertQuiet("[Network(1, 8, 8)] [Conv2d(8, new[] { 3 )] public partial class Net;");

    [Fact]
    public void AHalfTypedLayerNameHoldsTheNetworkBack() => AssertQuiet("[Network(1, 8, 8)] [Conv2d(8, 3), ReL, Conv2d(8, 1)] public partial class Net;");

    [Theory]
    [InlineData("[Network(1, 8, 8)] [Conv2d(\"8\", 3)] public partial class Net;")]          // no overload takes a string
    [InlineData("[Network(1, 8, 8)] [Conv2d(8, 3, Groups = 2.5)] public partial class Net;")] // double to int
    [InlineData("[Network(1, 8, 8)] [Conv2d(8, 3, Strde = 2)] public partial class Net;")]    // no such property
    [InlineData("[Network(1, 8, 8)] [Conv2d(8, 3, 3, 1, 0, 1, 1, true, \"zeros\", 1)] public partial class Net;")] // too many arguments
    [InlineData("[Network(1, 8, 8)] [Conv2d(8, [3, 3])] public partial class Net;")]          // a collection expression has no type for object
    [InlineData("[Network(1, 8, 8L)] [ReLU] public partial class Net;")]                      // long to int
    [InlineData("[Network(1, 8, 8)] [Conv2d(8, 3, Bias = 1)] public partial class Net;")]     // int to bool
    [InlineData("[Network(1, 8, 8)] [Conv2d(8, System.DateTime.Now.Second)] public partial class Net;")] // not a constant
    public void WhatTheCompilerRejectsGetsNoCG(string source) => AssertQuiet(source);

    [Fact]
    public void ConstantsAndNamedParametersBindAsTheCompilerBindsThem()
    {
        GeneratorHarness.Result result = GeneratorHarness.Run("""
            using ConvGen;
            static class Sizes { public const int Channels = 8; public const int Kernel = 3; }
            [Network(1, Sizes.Kernel * 4, 12)]
            [Conv2d(outChannels: Sizes.Channels, kernelSize: new[] { Sizes.Kernel, 1 + 2 }, Padding = (Sizes.Kernel - 1) / 2), ConvGen.ReLUAttribute, global::ConvGen.MaxPool2d(2)]
            [Conv2d(Sizes.Channels, 16, kernelSize: 1, Name = nameof(Sizes)), Concat(new[] { nameof(Sizes) }), Flatten(StartDim = +1), Linear(-1 + 11)]
            public partial class Net;
            """);
        Assert.True(!result.Reported("").Any(), string.Join("\n", result.Reported("")));
        Assert.Contains("32×6×6", result.GeneratedText);
        Assert.Contains("Conv2d(outChannels: Sizes.Channels, kernelSize: new[] { Sizes.Kernel, 1 + 2 }, Padding = (Sizes.Kernel - 1) / 2)", result.GeneratedText);
    }

    [Fact]
    public void OtherAttributesOnTheClassAreNotLayers()
    {
        GeneratorHarness.Result result = GeneratorHarness.Run("using ConvGen;\n[System.Serializable, Network(1, 8, 8)] [System.Obsolete(\"old\"), Conv2d(8, 3)] public partial class Net;");
        Assert.Empty(result.Reported("CG"));
        Assert.Contains("Conv2d(8, 3)", result.GeneratedText);
    }

    /// <summary>
    /// Every prefix of a declaration as it is typed: a CG diagnostic never lands on a span the compiler reports an error
    /// in, and generated source is always well-formed C#.
    /// </summary>
    [Fact]
    public void EveryPrefixKeepsCGOffTheCompilersErrorsAndGeneratesOnlyWellFormedSource()
    {
        const string declaration = """
            using ConvGen;
            [Network(3, 16, 16)]
            [Conv2d(8, new[] { 3, 3 }, Stride = 2, Padding = 1, Name = "a"), BatchNorm2d(8), ReLU]
            [Conv2d(8, 3, Padding = "same", From = "a"), Add("a"), Concat("a", "input"), Flatten, Linear(10)]
            public partial class Net { }
            """;
        for (int length = declaration.IndexOf('[', StringComparison.Ordinal); length <= declaration.Length; length++)
        {
            GeneratorHarness.Result result = GeneratorHarness.Run(declaration.Substring(0, length));
            var errors = result.Reported("CS").Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.IsInSource
                                                          && d.Location.SourceTree!.FilePath.StartsWith("/src/", StringComparison.Ordinal)).ToList();
            foreach (Diagnostic cg in result.Reported("CG"))
                Assert.False(errors.Any(e => e.Location.SourceSpan.IntersectsWith(cg.Location.SourceSpan)),
                    $"prefix of {length}: {cg} on a span the compiler rejects: {string.Join("; ", errors)}");
            foreach (SyntaxTree generated in result.Run.GeneratedSources.Select(s => s.SyntaxTree))
                Assert.Empty(generated.GetDiagnostics());
        }
    }
}
