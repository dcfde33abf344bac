using ConvGen.Generator.Diagnostics;
using ConvGen.Generator.Model;
using static ConvGen.Generator.Diagnostics.DiagnosticDescriptors;

namespace ConvGen.Generator.Parsing;

/// <summary>What the parser read: the declaration (null when there is nothing to analyse) and its own diagnostics.</summary>
/// <param name="Key">The type's full name, which joins the analysis with the declaration's position for diagnostics.</param>
internal sealed record ParsedNetwork(string Key, NetworkDeclaration? Declaration, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>
/// Binds a <see cref="NetworkSyntax"/> against the <see cref="AttributeCatalog"/> as the compiler binds attributes
/// (constructor overloads by position and <c>name:</c>, settable properties, constant types), producing the
/// <see cref="NetworkDeclaration"/> of plain data. Pure: no Roslyn. A declaration the compiler will reject (an unknown
/// argument, a value of the wrong type, a half-typed attribute) yields no declaration and no diagnostics: the compiler
/// reports those, and ConvGen says nothing on a token the compiler already rejects.
/// </summary>
internal static class Parser
{
    public const string NetworkAttributeName = AttributeCatalog.Namespace + "." + AttributeCatalog.NetworkClass;

    public static ParsedNetwork Parse(NetworkSyntax syntax, AttributeCatalog catalog)
    {
        var diagnostics = new List<DiagnosticInfo>();
        ParsedNetwork Nothing() => new(syntax.Key, null, diagnostics.ToEquatableArray());
        if (syntax.Incomplete || catalog.Classes.IsEmpty) return Nothing();
        if (CheckType(syntax.Header) is { } problem)
        {
            diagnostics.Add(problem);
            return Nothing();
        }

        WrittenAttribute? network = null;
        var layers = new List<LayerDeclaration>();
        var networkArguments = new List<Argument>();
        foreach (WrittenAttribute attribute in syntax.Attributes)
        {
            if (!attribute.Binds) return Nothing();
            if (attribute.Qualified || catalog.Find(attribute.Name) is not { } cls) continue;
            if (!TryBind(attribute, cls, out List<Argument> arguments)) return Nothing();
            if (cls.Name == AttributeCatalog.NetworkClass)
            {
                network ??= attribute;
                if (network == attribute) networkArguments = arguments;
                continue;
            }
            if (!cls.IsLayer) continue;
            if (cls.Kind is not { } kind) return Nothing(); // a layer this version of the generator does not know
            string typeName = cls.TypeName ?? kind.ToString();
            layers.Add(new LayerDeclaration(kind, layers.Count, attribute.Text, arguments.ToEquatableArray(), attribute.Span, attribute.NameSpan)
            {
                TypeName = typeName,
                KindSpan = new SourceSpan(attribute.NameSpan.Start, Math.Min(attribute.NameSpan.Length, typeName.Length)),
                Insertion = attribute.Insertion,
            });
        }
        if (network is null) return Nothing();

        if (syntax.OtherPartAttributeNames.Any(n => catalog.Find(n) is { IsLayer: true }))
        {
            diagnostics.Add(LayersOnAnotherDeclaration.At(network.NameSpan, syntax.Header.Name));
            return Nothing();
        }

        Argument? shape = networkArguments.FirstOrDefault(a => a.Name == "InputShape");
        Argument? weights = networkArguments.FirstOrDefault(a => a.Name == "Weights");
        var declaration = new NetworkDeclaration(
            TypeOf(syntax.Header),
            (shape?.Value.Numbers ?? EquatableArray<double>.Empty).Select(d => (int)d).ToEquatableArray(),
            network.Span,
            weights?.Value.Text,
            weights?.Span ?? network.Span,
            layers.ToEquatableArray())
        {
            NetworkNameSpan = network.NameSpan,
            InputShapeSpans = shape?.ElementSpans ?? EquatableArray<SourceSpan>.Empty,
        };
        return new ParsedNetwork(syntax.Key, declaration, diagnostics.ToEquatableArray());
    }

    /// <summary>CG0008: the class must be a non-generic, non-static partial class inside partial types only.</summary>
    private static DiagnosticInfo? CheckType(TypeHeader header)
    {
        if (!header.IsPartial)
            return NetworkNotPartial.At(header.Identifier, header.Name, header.Keyword)
                .WithCodeFix($"Make '{header.Name}' partial", new TextEdit(new SourceSpan(header.KeywordStart, 0), "partial "));
        if (header.IsGeneric)
            return NetworkGeneric.At(header.Identifier, header.Name);
        if (!header.StaticModifier.IsNone)
            return NetworkStatic.At(header.Identifier, header.Name).WithCodeFix("Remove 'static'", new TextEdit(header.StaticModifier, ""));
        // The innermost containing type that is not partial.
        foreach (WrittenContainingType outer in header.ContainingTypes.Reverse())
        {
            if (outer.IsPartial) continue;
            string name = outer.NameWithTypeParameters;
            return NetworkNestedInNonPartial.At(header.Identifier, header.Name, name)
                .WithCodeFix($"Make '{name}' partial", new TextEdit(new SourceSpan(outer.KeywordStart, 0), "partial "));
        }
        return null;
    }

    private static NetworkType TypeOf(TypeHeader header) =>
        new(header.Namespace, header.Name, header.Keyword, header.ContainingTypes.Select(t => new ContainingType(t.Keyword, t.NameWithTypeParameters)).ToEquatableArray())
        {
            Documentation = header.Documentation,
        };

    /// <summary>
    /// Binds the arguments as the compiler would: the first constructor whose parameters the positional and <c>name:</c>
    /// arguments fill with values of compatible types, then each <c>Name = value</c> to a settable property. Constructor
    /// parameters take the PascalCase of their name (kernelSize -> KernelSize) so that both forms of an argument read
    /// the same. False when the compiler would reject the attribute.
    /// </summary>
    private static bool TryBind(WrittenAttribute attribute, AttributeClass cls, out List<Argument> arguments)
    {
        arguments = new List<Argument>();
        var positional = attribute.Arguments.Where(a => a.NameEquals is null).ToList();
        List<Argument>? bound = null;
        foreach (ConstructorSignature constructor in cls.Constructors)
            if ((bound = TryBindConstructor(constructor, positional)) is not null) break;
        if (bound is null) return false;
        arguments.AddRange(bound);

        foreach (WrittenArgument named in attribute.Arguments.Where(a => a.NameEquals is not null))
        {
            ParameterSignature? property = cls.Properties.FirstOrDefault(p => p.Name == named.NameEquals);
            if (property is null || !Compatible(named.Value, property.Type) || arguments.Any(a => a.Name == property.Name)) return false;
            arguments.Add(new Argument(property.Name, named.Value.Value, named.Span) { ValueSpan = named.ValueSpan, ElementSpans = named.ElementSpans });
        }
        return true;
    }

    private static List<Argument>? TryBindConstructor(ConstructorSignature constructor, List<WrittenArgument> positional)
    {
        EquatableArray<ParameterSignature> parameters = constructor.Parameters;
        var slots = new List<WrittenArgument>?[parameters.Count];
        int next = 0;
        foreach (WrittenArgument argument in positional)
        {
            int index;
            if (argument.NameColon is { } name)
            {
                index = -1;
                for (int i = 0; i < parameters.Count; i++) if (parameters[i].Name == name) index = i;
                if (index < 0 || slots[index] is not null) return null;
            }
            else
            {
                while (next < parameters.Count && slots[next] is not null && !parameters[next].IsParams) next++;
                if (next >= parameters.Count) return null;
                index = next;
                if (!parameters[index].IsParams) next++;
            }
            (slots[index] ??= new List<WrittenArgument>()).Add(argument);
        }

        var arguments = new List<Argument>();
        for (int i = 0; i < parameters.Count; i++)
        {
            ParameterSignature parameter = parameters[i];
            List<WrittenArgument> written = slots[i] ?? new List<WrittenArgument>();
            if (parameter.IsParams)
            {
                if (Params(parameter, written) is not { } value) return null;
                arguments.Add(value);
                continue;
            }
            if (written.Count != 1 || !Compatible(written[0].Value, parameter.Type)) return null;
            WrittenArgument w = written[0];
            arguments.Add(new Argument(Pascal(parameter.Name), w.Value.Value, w.Span) { ValueSpan = w.ValueSpan, ElementSpans = w.ElementSpans });
        }
        return arguments;
    }

    /// <summary>A <c>params</c> parameter: an array written as one argument, or the elements written one by one.</summary>
    private static Argument? Params(ParameterSignature parameter, List<WrittenArgument> written)
    {
        string name = Pascal(parameter.Name);
        if (written.Count == 1 && written[0].Value.Type is not (ConstantType.Int or ConstantType.String or ConstantType.Char) && Compatible(written[0].Value, parameter.Type))
            return new Argument(name, written[0].Value.Value, written[0].Span) { ValueSpan = written[0].ValueSpan, ElementSpans = written[0].ElementSpans };
        ParameterType element = parameter.Type switch { ParameterType.IntArray => ParameterType.Int, ParameterType.StringArray => ParameterType.String, ParameterType.DoubleArray => ParameterType.Double, _ => ParameterType.Other };
        if (written.Any(w => !Compatible(w.Value, element) || w.Value.Type is ConstantType.Null)) return null;
        ArgValue value = element switch
        {
            ParameterType.Int => ArgValue.FromInts(written.Select(w => (long)w.Value.Value.Number)),
            ParameterType.Double => ArgValue.FromDoubles(written.Select(w => w.Value.Value.Number)),
            _ => ArgValue.FromStrings(written.Select(w => w.Value.Value.Text ?? "")),
        };
        if (written.Count == 0) return new Argument(name, value, SourceSpan.None) { ValueSpan = SourceSpan.None };
        return new Argument(name, value, SourceSpan.FromBounds(written[0].Span.Start, written[written.Count - 1].Span.End))
        {
            ValueSpan = SourceSpan.FromBounds(written[0].ValueSpan.Start, written[written.Count - 1].ValueSpan.End),
            ElementSpans = written.Select(w => w.ValueSpan).ToEquatableArray(),
        };
    }

    /// <summary>Whether a constant of C# type <paramref name="type"/> converts implicitly to a parameter of type <paramref name="parameter"/>.</summary>
    private static bool Compatible(WrittenValue value, ParameterType parameter) =>
        !(value.IsCollectionExpression && parameter is ParameterType.Object) && Compatible(value.Type, parameter);

    private static bool Compatible(ConstantType type, ParameterType parameter) => parameter switch
    {
        ParameterType.Int => type is ConstantType.Int or ConstantType.Char,
        ParameterType.Double => type is ConstantType.Int or ConstantType.Long or ConstantType.Float or ConstantType.Double or ConstantType.Char,
        ParameterType.Bool => type is ConstantType.Bool,
        ParameterType.String => type is ConstantType.String or ConstantType.Null,
        ParameterType.Object => type is not ConstantType.Error and not ConstantType.Decimal,
        ParameterType.IntArray => type is ConstantType.IntArray or ConstantType.Null,
        ParameterType.DoubleArray => type is ConstantType.DoubleArray or ConstantType.Null,
        ParameterType.StringArray => type is ConstantType.StringArray or ConstantType.Null,
        _ => false,
    };

    private static string Pascal(string name) => name.Length == 0 ? name : char.ToUpperInvariant(name[0]) + name.Substring(1);
}
