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
    public void EveryEntryHasAnAttributeWithItsArgumentsAndARuntimeOperator(string name)
    {
        ActivationDefinition definition = ActivationCatalog.Get(name);
        Type? attribute = ActivationAttributes.SingleOrDefault(t => t.Name == name + "Attribute");
        Assert.True(attribute is not null, $"no ConvGen.{name}Attribute deriving from ActivationAttribute");
        foreach (string argument in definition.Arguments.Select(a => a.Name).Concat(definition.Variant is { } v ? new[] { v.Name } : Array.Empty<string>()))
            Assert.True(attribute!.GetProperty(argument) is not null, $"{attribute.Name} has no property {argument}");
        foreach (string op in definition.Operators)
            Assert.True(Enum.TryParse(op, out ConvGen.Runtime.Kernels.ActivationKind kind) && kind.ToString() == op,
                $"{name}: the runtime has no operator {op}");
    }

    [Theory]
    [MemberData(nameof(Names))]
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
        string op = ActivationCatalog.Get(name).Operator;
        Assert.Contains($"+ #1 {name}: 2×6×6 → 4×4×4; ", text);
        Assert.Contains($"private void Step2_{name}(", text);
        Assert.Equal(2, text.Split($"ActivationKind.{op},").Length - 1);
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
