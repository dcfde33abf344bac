using ConvGen.Generator.Model;

namespace ConvGen.Tests.Analysis;

/// <summary>Builds declarations by hand, so shape inference is tested without Roslyn.</summary>
internal static class Declarations
{
    public static LayerDeclaration Layer(LayerKind kind, params (string Name, object Value)[] args) =>
        new(kind, 0, kind.ToString(), args.Select(a => new Argument(a.Name, Value(a.Value), SourceSpan.None)).ToEquatableArray(), SourceSpan.None, SourceSpan.None);

    /// <summary>An activation layer of the catalog (<c>ReLU</c>, <c>LeakyReLU</c>, ...), as the parser declares it.</summary>
    public static LayerDeclaration Activation(string name, params (string Name, object Value)[] args) =>
        Layer(LayerKind.Activation, args) with { TypeName = name, Text = name };

    public static NetworkDeclaration Network(int[] input, params LayerDeclaration[] layers) =>
        new(new NetworkType("Tests", "Net", "class", EquatableArray<ContainingType>.Empty), input.ToEquatableArray(), SourceSpan.None, null, SourceSpan.None,
            layers.Select((l, i) => l with { Index = i }).ToEquatableArray());

    private static ArgValue Value(object value) => value switch
    {
        int i => ArgValue.FromInt(i),
        double d => ArgValue.FromDouble(d),
        bool b => ArgValue.FromBool(b),
        string s => ArgValue.FromString(s),
        int[] a => ArgValue.FromInts(a.Select(x => (long)x)),
        string[] s => ArgValue.FromStrings(s),
        _ => throw new ArgumentException(value.ToString()),
    };
}
