using System.Threading;
using ConvGen.Generator.Model;
using Microsoft.CodeAnalysis;

namespace ConvGen.Generator.Parsing;

/// <summary>
/// ConvGen's attribute classes as the compilation references them: each class's constructors and settable properties
/// with their parameter types; the parser binds the arguments it read from syntax against it, as the compiler would.
/// Read once per attributes assembly (<see cref="For"/>): the referenced assembly's symbol is the same object from one
/// compilation to the next, so a keystroke finds the catalog made for the first and never invalidates the parse.
/// </summary>
internal sealed record AttributeCatalog(EquatableArray<AttributeClass> Classes)
{
    public const string Namespace = "ConvGen";
    public const string NetworkClass = "NetworkAttribute";
    private const string LayerBase = "ConvGen.LayerAttribute";

    public static AttributeCatalog Empty { get; } = new(EquatableArray<AttributeClass>.Empty);

    /// <summary>The class an attribute name refers to: <c>Conv2d</c> means <c>Conv2dAttribute</c> (or a class named <c>Conv2d</c>).</summary>
    public AttributeClass? Find(string writtenName)
    {
        foreach (AttributeClass c in Classes)
            if (c.Name == writtenName + "Attribute") return c;
        foreach (AttributeClass c in Classes)
            if (c.Name == writtenName) return c;
        return null;
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IAssemblySymbol, AttributeCatalog> Cache = new();

    /// <summary>The catalog of the assembly that defines <c>[Network]</c> (made once per assembly symbol).</summary>
    public static AttributeCatalog For(INamedTypeSymbol networkAttribute, CancellationToken cancellationToken)
    {
        IAssemblySymbol assembly = networkAttribute.ContainingAssembly;
        if (Cache.TryGetValue(assembly, out AttributeCatalog? cached)) return cached;
        AttributeCatalog catalog = Read(networkAttribute, assembly.GetTypeByMetadataName(LayerBase), cancellationToken);
        return Cache.GetValue(assembly, _ => catalog);
    }

    /// <summary>How many catalogs were made (a keystroke must make none: see KeystrokeTests).</summary>
    internal static int Reads;

    private static AttributeCatalog Read(INamedTypeSymbol network, INamedTypeSymbol? layer, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Reads);
        if (layer is null) return Empty;
        var classes = new List<AttributeClass> { Describe(network, isLayer: false) };
        foreach (INamedTypeSymbol type in layer.ContainingNamespace.GetTypeMembers())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (type.IsAbstract || !DerivesFrom(type, layer)) continue;
            classes.Add(Describe(type, isLayer: true));
        }
        return new AttributeCatalog(classes.OrderBy(c => c.Name, StringComparer.Ordinal).ToEquatableArray());
    }

    private static AttributeClass Describe(INamedTypeSymbol type, bool isLayer)
    {
        var constructors = type.InstanceConstructors
            .Where(c => c.DeclaredAccessibility == Accessibility.Public)
            .Select(c => new ConstructorSignature(c.Parameters.Select(p => new ParameterSignature(p.Name, TypeOf(p.Type), p.IsParams)).ToEquatableArray()))
            .ToEquatableArray();
        var properties = new List<ParameterSignature>();
        for (INamedTypeSymbol? t = type; t is not null && t.SpecialType != SpecialType.System_Object; t = t.BaseType)
            foreach (IPropertySymbol p in t.GetMembers().OfType<IPropertySymbol>())
                if (p.SetMethod is { DeclaredAccessibility: Accessibility.Public } && !p.IsStatic && properties.All(q => q.Name != p.Name))
                    properties.Add(new ParameterSignature(p.Name, TypeOf(p.Type), false));
        LayerKind? kind = null;
        string? typeName = null;
        if (isLayer && LayerKinds.TryFromAttributeClass(type.Name, out LayerKind k, out string name)) (kind, typeName) = (k, name);
        return new AttributeClass(type.Name, isLayer, kind, constructors, properties.ToEquatableArray()) { TypeName = typeName };
    }

    private static ParameterType TypeOf(ITypeSymbol type) => type switch
    {
        { SpecialType: SpecialType.System_Int32 } => ParameterType.Int,
        { SpecialType: SpecialType.System_Double } => ParameterType.Double,
        { SpecialType: SpecialType.System_Boolean } => ParameterType.Bool,
        { SpecialType: SpecialType.System_String } => ParameterType.String,
        { SpecialType: SpecialType.System_Object } => ParameterType.Object,
        IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_Int32 } => ParameterType.IntArray,
        IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_String } => ParameterType.StringArray,
        IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_Double } => ParameterType.DoubleArray,
        _ => ParameterType.Other,
    };

    private static bool DerivesFrom(INamedTypeSymbol type, INamedTypeSymbol baseType)
    {
        for (INamedTypeSymbol? t = type.BaseType; t is not null; t = t.BaseType)
            if (SymbolEqualityComparer.Default.Equals(t, baseType)) return true;
        return false;
    }
}

internal enum ParameterType { Other, Int, Double, Bool, String, Object, IntArray, DoubleArray, StringArray }

/// <summary>One attribute class: its constructors and settable properties (inherited ones included).</summary>
/// <param name="Kind">The layer kind, for a layer attribute ConvGen compiles.</param>
internal sealed record AttributeClass(string Name, bool IsLayer, LayerKind? Kind, EquatableArray<ConstructorSignature> Constructors, EquatableArray<ParameterSignature> Properties)
{
    /// <summary>The <c>torch.nn</c> name of the layer (<c>LeakyReLU</c>), for a layer attribute ConvGen compiles.</summary>
    public string? TypeName { get; init; }
}

internal sealed record ConstructorSignature(EquatableArray<ParameterSignature> Parameters);

internal sealed record ParameterSignature(string Name, ParameterType Type, bool IsParams);
