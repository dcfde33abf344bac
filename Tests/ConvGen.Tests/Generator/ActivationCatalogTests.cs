using ConvGen.Generator.Model;
using Microsoft.CodeAnalysis;

namespace ConvGen.Tests.Generator;

/// <summary>
/// The activation catalog is the one definition of each activation: every activation attribute has an entry, every
/// entry has an attribute and a runtime operator, and a declaration using each one compiles to code that names it.
/// </summary>
public class ActivationCatalogTests
{
    private static readonly Type[] ActivationAttributes = typeof(ConvGen.ActivationAttribute).Assembly.GetTypes()
        .Where(t => !t.IsAbstract && typeof(ConvGen.ActivationAttribute).IsAssignableFrom(t)).ToArray();

    public static TheoryData<string> Names() => new(ActivationCatalog.All.Select(d => d.Name));

    /// <summary>The activations the runtime computes (the others are analysed, and CG0012 until they have a struct).</summary>
    public static TheoryData<string> Generated() => new(ActivationCatalog.All.Where(d => d.Operator is not null).Select(d => d.Name));

    [Fact]
    public void EveryActivationAttributeHasACatalogEntry()
    {
        Assert.NotEmpty(ActivationAttributes);
        foreach (Type attribute in ActivationAttributes)
        {
            string name = attribute.Name.Substring(0, attribute.Name.Length - "Attribute".Length);
            Assert.True(ActivationCatalog.TryGet(name, out _), $"{attribute.Name} derives from ActivationAttribute but Generator/Model/Activations.cs has no entry named {name}");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void EveryEntryHasAnAttributeWithItsArgumentsAndItsRuntimeOperators(string name)
    {
        ActivationDefinition definition = ActivationCatalog.Get(name);
        Type? attribute = ActivationAttributes.SingleOrDefault(t => t.Name == name + "Attribute");
        Assert.True(attribute is not null, $"no ConvGen.{name}Attribute deriving from ActivationAttribute");
        foreach (string argument in definition.Arguments.Select(a => a.Name).Concat(definition.Variant is { } v ? new[] { v.Name } : Array.Empty<string>()))
            Assert.True(attribute!.GetProperty(argument) is not null, $"{attribute.Name} has no property {argument}");
        foreach (string op in definition.Operators)
        {
            // The operator struct the blocked kernels are generic over, constructed from the numeric arguments in order.
            Type? type = typeof(ConvGen.Runtime.Kernels.IActivation).Assembly.GetType("ConvGen.Runtime.Kernels." + op);
            Assert.True(type is { IsValueType: true } && typeof(ConvGen.Runtime.Kernels.IActivation).IsAssignableFrom(type),
                $"{name}: the runtime has no struct ConvGen.Runtime.Kernels.{op} implementing IActivation");
            if (definition.Arguments.Count > 0)
                Assert.NotNull(type!.GetConstructor(definition.Arguments.Select(_ => typeof(float)).ToArray()));
            // The catalog and the struct agree on f(0) = 0, which keeps the padding lanes of blocked tensors zero.
            Assert.Equal(definition.ZeroAtZero, (bool)type!.GetProperty("PreservesZero")!.GetValue(null)!);
        }
    }

    [Fact]
    public void EveryEntryNamesARuntimeOperator() =>
        // An entry without one is analysed but gets CG0012 (CodeGeneration.Unsupported); none is left.
        Assert.All(ActivationCatalog.All, d => Assert.True(d.Operators.Any(), $"{d.Name} names no runtime operator struct"));

    [Theory]
    [MemberData(nameof(Generated))]
    public void EachActivationCompilesFusedAndStandalone(string name)
    {
        // Fused into a convolution's store, and on its own after pooling (nothing to fuse into).
        GeneratorHarness.Result result = GeneratorHarness.Run($$"""
            using ConvGen;
            [Network(2, 6, 6)]
            [Conv2d(4, 3), {{name}}, MaxPool2d(2), {{name}}]
            public partial class Net;
            """);
        Assert.Empty(result.Reported(""));
        string text = result.GeneratedText!;
        string op = ActivationCatalog.Get(name).Operator!;
        // Named twice: fused into the CHW convolution's epilogue when the runtime's ActivationKind has it (otherwise a
        // step of its own after the convolution), then a step of its own after the pooling.
        bool epilogue = Enum.TryParse(op, out ConvGen.Runtime.Kernels.ActivationKind kind) && kind.ToString() == op && ActivationCatalog.Get(name).Arguments.Count <= 1;
        Assert.Contains(epilogue ? $"+ #1 {name}: 2×6×6 → 4×4×4; " : $"#1 {name}: 4×4×4 → 4×4×4; ", text);
        Assert.Contains(epilogue ? $"private void Step2_{name}(" : $"private void Step1_{name}(", text);
        Assert.Contains(epilogue ? $"ActivationKind.{op}," : $"Kernels.ElementwiseOps.Activate(x, y", text);
        int named = System.Text.RegularExpressions.Regex.Matches(text, $@"ActivationKind\.{op},|Kernels\.{op}[()]").Count;
        Assert.Equal(2, named);

        // Fused into a blocked convolution: the emitted code names the operator struct.
        text = GeneratorHarness.Run($$"""
            using ConvGen;
            [Network(2, 6, 6)]
            [Conv2d(16, 3), {{name}}]
            public partial class Net;
            """).GeneratedText!;
        Assert.Contains($"global::ConvGen.Runtime.Kernels.{op}", text);
    }

    [Fact]
    public void AChecksAcrossArgumentsIsReportedOnTheArgument()
    {
        const string source = """
            using ConvGen;
            [Network(2, 6, 6)]
            [Conv2d(4, 3), Hardtanh(1.0, 0.5)]
            public partial class Net;
            """;
        Diagnostic d = Assert.Single(GeneratorHarness.Run(source).Reported(), d => d.Id == "CG0007");
        Assert.Contains("Hardtanh #1: max_val 0.5 must be greater than min_val 1", d.GetMessage());
        Assert.Equal("0.5", source.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length));
    }

    [Fact]
    public void ArgumentsOutOfRangeOrOfTheWrongKindAreReported()
    {
        GeneratorHarness.Result result = GeneratorHarness.Run("""
            using ConvGen;
            [Network(2, 6, 6)]
            [Conv2d(4, 3), GELU(Approximate = "fast")]
            public partial class Net;
            """);
        Diagnostic d = Assert.Single(result.Reported());
        Assert.Equal("CG0007", d.Id);
        Assert.Contains("unknown Approximate \"fast\"; use one of \"none\", \"tanh\"", d.GetMessage());
    }
}
