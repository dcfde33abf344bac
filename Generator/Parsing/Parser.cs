using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Threading;
using ConvGen.Generator.Diagnostics;
using ConvGen.Generator.Model;
using static ConvGen.Generator.Diagnostics.DiagnosticDescriptors;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ConvGen.Generator.Parsing;

/// <summary>What the parser read: the declaration (null when there is nothing to analyse) and its own diagnostics.</summary>
internal sealed record ParsedNetwork(NetworkDeclaration? Declaration, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>
/// The only Roslyn-facing step: turns a <c>[Network]</c> class and its layer attributes into a
/// <see cref="NetworkDeclaration"/> of plain data, keeping the span of every argument for diagnostics.
/// Half-typed attributes (binding errors) yield no declaration and no diagnostics: the compiler reports those.
/// </summary>
internal static class Parser
{
    public const string NetworkAttributeName = "ConvGen.NetworkAttribute";
    private const string LayerAttributeName = "ConvGen.LayerAttribute";

    public static ParsedNetwork Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetNode is not TypeDeclarationSyntax typeSyntax || context.TargetSymbol is not INamedTypeSymbol type)
            return new ParsedNetwork(null, EquatableArray<DiagnosticInfo>.Empty);

        var diagnostics = new List<DiagnosticInfo>();
        if (!CheckType(typeSyntax, type, diagnostics))
            return new ParsedNetwork(null, diagnostics.ToEquatableArray());

        AttributeData? network = context.Attributes.FirstOrDefault();
        if (network is null || network.AttributeConstructor is null || HasErrors(network))
            return new ParsedNetwork(null, diagnostics.ToEquatableArray());

        AttributeSyntax? networkSyntax = network.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
        SourceSpan networkSpan = networkSyntax is null ? Span(typeSyntax.Identifier.Span) : Span(networkSyntax.Span);
        var inputShape = new List<int>();
        if (network.ConstructorArguments.Length == 1 && network.ConstructorArguments[0].Kind == TypedConstantKind.Array)
            foreach (TypedConstant c in network.ConstructorArguments[0].Values)
                inputShape.Add(c.Value is int i ? i : 0);

        string? weightsFile = null;
        SourceSpan weightsSpan = networkSpan;
        foreach (KeyValuePair<string, TypedConstant> named in network.NamedArguments)
        {
            if (named.Key != "Weights") continue;
            weightsFile = named.Value.Value as string;
            weightsSpan = FindNamedArgument(networkSyntax, "Weights") is { } s ? Span(s.Span) : networkSpan;
        }

        // Layers are the ConvGen layer attributes of this declaration, in source order.
        var bySpan = new Dictionary<int, AttributeData>();
        foreach (AttributeData attribute in type.GetAttributes())
        {
            if (attribute.ApplicationSyntaxReference is not { } reference) continue;
            bool isLayer = attribute.AttributeClass is { } cls && DerivesFrom(cls, LayerAttributeName);
            bool here = reference.SyntaxTree == typeSyntax.SyntaxTree && typeSyntax.Span.Contains(reference.Span);
            if (here) bySpan[reference.Span.Start] = attribute;
            else if (isLayer)
            {
                diagnostics.Add(LayersOnAnotherDeclaration.At(networkSpan, type.Name));
                return new ParsedNetwork(null, diagnostics.ToEquatableArray());
            }
        }

        var layers = new List<LayerDeclaration>();
        foreach (AttributeListSyntax list in typeSyntax.AttributeLists)
        {
            foreach (AttributeSyntax syntax in list.Attributes)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!bySpan.TryGetValue(syntax.Span.Start, out AttributeData? data)) continue;
                if (data.AttributeClass is not { } cls || cls.TypeKind == TypeKind.Error)
                {
                    if (LooksLikeLayer(syntax)) return Incomplete(diagnostics);
                    continue;
                }
                if (!DerivesFrom(cls, LayerAttributeName)) continue;
                if (data.AttributeConstructor is null || HasErrors(data) || !LayerKinds.TryFromAttributeClass(cls.Name, out LayerKind kind))
                    return Incomplete(diagnostics);

                layers.Add(new LayerDeclaration(kind, layers.Count, Normalize(syntax.ToString()), ReadArguments(data, syntax),
                    Span(syntax.Span), Span(syntax.Name.Span)) { KindSpan = KindSpan(syntax, kind), Insertion = Insertion(syntax) });
            }
        }

        var declaration = new NetworkDeclaration(ReadType(type, typeSyntax), inputShape.ToEquatableArray(), networkSpan,
            weightsFile, weightsSpan, layers.ToEquatableArray())
        {
            NetworkNameSpan = networkSyntax is null ? networkSpan : Span(networkSyntax.Name.Span),
            InputShapeSpans = networkSyntax?.ArgumentList?.Arguments.Where(a => a.NameEquals is null).Select(a => Span(a.Expression.Span)).ToEquatableArray() ?? EquatableArray<SourceSpan>.Empty,
        };
        return new ParsedNetwork(declaration, diagnostics.ToEquatableArray());
    }

    private static ParsedNetwork Incomplete(List<DiagnosticInfo> diagnostics) => new(null, diagnostics.ToEquatableArray());

    // A layer attribute the compiler cannot bind yet (being typed): stop rather than number the layers wrongly.
    private static bool LooksLikeLayer(AttributeSyntax syntax)
    {
        string name = syntax.Name.ToString();
        int dot = name.LastIndexOf('.');
        if (dot >= 0) name = name.Substring(dot + 1);
        return LayerKinds.TryFromAttributeClass(name, out _);
    }

    /// <summary>CG0008: the class must be a non-generic, non-static partial class inside partial types only.</summary>
    private static bool CheckType(TypeDeclarationSyntax syntax, INamedTypeSymbol type, List<DiagnosticInfo> diagnostics)
    {
        SourceSpan at = Span(syntax.Identifier.Span);
        DiagnosticInfo? problem = null;
        string keyword = Keyword(syntax);
        if (!syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
            problem = NetworkNotPartial.At(at, type.Name, keyword).WithCodeFix($"Make '{type.Name}' partial", new TextEdit(new SourceSpan(syntax.Keyword.SpanStart, 0), "partial "));
        else if (type.IsGenericType)
            problem = NetworkGeneric.At(at, type.Name);
        else if (type.IsStatic)
        {
            SyntaxToken modifier = syntax.Modifiers.First(m => m.IsKind(SyntaxKind.StaticKeyword));
            problem = NetworkStatic.At(at, type.Name).WithCodeFix("Remove 'static'", new TextEdit(SourceSpan.FromBounds(modifier.SpanStart, modifier.GetNextToken().SpanStart), ""));
        }
        else
        {
            for (SyntaxNode? parent = syntax.Parent; parent is not null; parent = parent.Parent)
            {
                if (parent is TypeDeclarationSyntax outer && !outer.Modifiers.Any(SyntaxKind.PartialKeyword))
                {
                    problem = NetworkNestedInNonPartial.At(at, type.Name, outer.Identifier.Text)
                        .WithCodeFix($"Make '{outer.Identifier.Text}' partial", new TextEdit(new SourceSpan(outer.Keyword.SpanStart, 0), "partial "));
                    break;
                }
            }
        }
        if (problem is null) return true;
        diagnostics.Add(problem);
        return false;
    }

    private static NetworkType ReadType(INamedTypeSymbol type, TypeDeclarationSyntax syntax)
    {
        string? ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : null;
        var containing = new List<ContainingType>();
        for (SyntaxNode? parent = syntax.Parent; parent is not null; parent = parent.Parent)
        {
            if (parent is TypeDeclarationSyntax outer)
                containing.Insert(0, new ContainingType(Keyword(outer), outer.Identifier.Text + (outer.TypeParameterList?.ToString() ?? "")));
        }
        return new NetworkType(ns, type.Name, Keyword(syntax), containing.ToEquatableArray());
    }

    private static string Keyword(TypeDeclarationSyntax syntax) => syntax switch
    {
        RecordDeclarationSyntax r => r.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) ? "record struct" : "record",
        StructDeclarationSyntax => "struct",
        InterfaceDeclarationSyntax => "interface",
        _ => "class",
    };

    /// <summary>
    /// Pairs each constructor and named argument with its syntax. Constructor parameters take the PascalCase of
    /// their name (kernelSize -> KernelSize) so that both forms of an argument read the same.
    /// </summary>
    private static EquatableArray<Argument> ReadArguments(AttributeData data, AttributeSyntax syntax)
    {
        var arguments = new List<Argument>();
        ImmutableArray<IParameterSymbol> parameters = data.AttributeConstructor!.Parameters;
        SeparatedSyntaxList<AttributeArgumentSyntax> syntaxArgs = syntax.ArgumentList?.Arguments ?? default;
        var positional = syntaxArgs.Where(a => a.NameEquals is null).ToList();

        for (int p = 0; p < parameters.Length && p < data.ConstructorArguments.Length; p++)
        {
            IParameterSymbol parameter = parameters[p];
            List<AttributeArgumentSyntax> written;
            var byName = positional.FirstOrDefault(a => a.NameColon?.Name.Identifier.ValueText == parameter.Name);
            if (byName is not null) written = new List<AttributeArgumentSyntax> { byName };
            else if (parameter.IsParams) written = positional.Where(a => a.NameColon is null).Skip(p).ToList();
            else written = positional.Where(a => a.NameColon is null).Skip(p).Take(1).ToList();

            SourceSpan span = written.Count == 0 ? SourceSpan.None
                : SourceSpan.FromBounds(written[0].SpanStart, written[written.Count - 1].Span.End);
            SourceSpan valueSpan = written.Count == 0 ? SourceSpan.None
                : SourceSpan.FromBounds(written[0].Expression.SpanStart, written[written.Count - 1].Expression.Span.End);
            EquatableArray<SourceSpan> elements = parameter.IsParams && written.Count != 1
                ? written.Select(w => Span(w.Expression.Span)).ToEquatableArray()
                : written.Count == 1 ? ElementSpans(written[0].Expression) : EquatableArray<SourceSpan>.Empty;
            arguments.Add(new Argument(Pascal(parameter.Name), ToValue(data.ConstructorArguments[p]), span) { ValueSpan = valueSpan, ElementSpans = elements });
        }

        foreach (KeyValuePair<string, TypedConstant> named in data.NamedArguments)
        {
            AttributeArgumentSyntax? written = FindNamedArgument(syntax, named.Key);
            arguments.Add(written is null
                ? new Argument(named.Key, ToValue(named.Value), SourceSpan.None)
                : new Argument(named.Key, ToValue(named.Value), Span(written.Span)) { ValueSpan = Span(written.Expression.Span), ElementSpans = ElementSpans(written.Expression) });
        }
        return arguments.ToEquatableArray();
    }

    /// <summary>The elements of an array written as <c>new[] { 3, 5 }</c> (or <c>new int[] { ... }</c>, <c>[3, 5]</c>).</summary>
    private static EquatableArray<SourceSpan> ElementSpans(ExpressionSyntax expression) => expression switch
    {
        ImplicitArrayCreationExpressionSyntax a => a.Initializer.Expressions.Select(e => Span(e.Span)).ToEquatableArray(),
        ArrayCreationExpressionSyntax { Initializer: { } i } => i.Expressions.Select(e => Span(e.Span)).ToEquatableArray(),
        CollectionExpressionSyntax c => c.Elements.Select(e => Span(e.Span)).ToEquatableArray(),
        _ => EquatableArray<SourceSpan>.Empty,
    };

    /// <summary>The layer-kind part of the attribute's name: <c>Conv1d</c> in <c>Conv1d</c>, <c>Conv1dAttribute</c> or <c>ConvGen.Conv1d</c>.</summary>
    private static SourceSpan KindSpan(AttributeSyntax syntax, LayerKind kind)
    {
        SimpleNameSyntax name = syntax.Name switch { QualifiedNameSyntax q => q.Right, AliasQualifiedNameSyntax a => a.Name, SimpleNameSyntax n => n, _ => null! };
        return name is null ? Span(syntax.Name.Span) : new SourceSpan(name.SpanStart, Math.Min(name.Span.Length, kind.ToString().Length));
    }

    /// <summary>Where a fix adds a named argument: after the last argument, inside empty parentheses, or with new parentheses.</summary>
    private static ArgumentInsertion Insertion(AttributeSyntax syntax)
    {
        if (syntax.ArgumentList is not { } list) return new ArgumentInsertion(syntax.Name.Span.End, "(", ")");
        if (list.Arguments.Count == 0) return new ArgumentInsertion(list.OpenParenToken.Span.End, "", "");
        return new ArgumentInsertion(list.Arguments[list.Arguments.Count - 1].Span.End, ", ", "");
    }

    private static AttributeArgumentSyntax? FindNamedArgument(AttributeSyntax? syntax, string name) =>
        syntax?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name);

    private static ArgValue ToValue(TypedConstant constant)
    {
        if (constant.IsNull) return ArgValue.Null;
        switch (constant.Kind)
        {
            case TypedConstantKind.Primitive:
            case TypedConstantKind.Enum:
                return constant.Value switch
                {
                    int or long or short or sbyte or byte or ushort or uint => ArgValue.FromInt(Convert.ToInt64(constant.Value, CultureInfo.InvariantCulture)),
                    double d => ArgValue.FromDouble(d),
                    float f => ArgValue.FromDouble(f),
                    bool b => ArgValue.FromBool(b),
                    string s => ArgValue.FromString(s),
                    _ => ArgValue.Invalid,
                };
            case TypedConstantKind.Array:
                {
                    ImmutableArray<TypedConstant> items = constant.Values;
                    if (items.All(i => i.Value is int or long or short or sbyte or byte))
                        return ArgValue.FromInts(items.Select(i => Convert.ToInt64(i.Value, CultureInfo.InvariantCulture)));
                    if (items.All(i => i.Value is int or long or short or double or float))
                        return ArgValue.FromDoubles(items.Select(i => Convert.ToDouble(i.Value, CultureInfo.InvariantCulture)));
                    if (items.All(i => i.Value is string))
                        return ArgValue.FromStrings(items.Select(i => (string)i.Value!));
                    return ArgValue.Invalid;
                }
            default:
                return ArgValue.Invalid;
        }
    }

    private static bool HasErrors(AttributeData data) =>
        data.ConstructorArguments.Any(c => c.Kind == TypedConstantKind.Error) || data.NamedArguments.Any(n => n.Value.Kind == TypedConstantKind.Error);

    private static bool DerivesFrom(INamedTypeSymbol type, string fullName)
    {
        for (INamedTypeSymbol? t = type.BaseType; t is not null; t = t.BaseType)
            if (t.ToDisplayString() == fullName) return true;
        return false;
    }

    private static string Pascal(string name) => name.Length == 0 ? name : char.ToUpperInvariant(name[0]) + name.Substring(1);

    private static SourceSpan Span(Microsoft.CodeAnalysis.Text.TextSpan span) => new(span.Start, span.Length);

    /// <summary>The attribute as written, on one line with single spaces.</summary>
    private static string Normalize(string text)
    {
        var sb = new StringBuilder(text.Length);
        bool space = false;
        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c)) { space = sb.Length > 0; continue; }
            if (space) sb.Append(' ');
            space = false;
            sb.Append(c);
        }
        return sb.ToString();
    }
}
