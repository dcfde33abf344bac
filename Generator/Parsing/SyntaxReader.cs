using System.Globalization;
using System.Threading;
using System.Text;
using ConvGen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ConvGen.Generator.Parsing;

/// <summary>
/// The first step of the pipeline, run for every <c>[Network]</c> declaration on every compilation change: reads the
/// declaration from syntax into a <see cref="NetworkSyntax"/>. It asks the semantic model only for what syntax cannot
/// tell (an argument that is not a literal, such as a <c>const</c>; whether an attribute that is not ConvGen's binds),
/// so that a keystroke costs little more than the compiler's own binding of <c>[Network]</c>.
/// </summary>
internal static class SyntaxReader
{
    public static NetworkSyntax? Read(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetNode is not TypeDeclarationSyntax type || context.TargetSymbol is not INamedTypeSymbol symbol) return null;
        // A class without a name yet (`public partial class` being typed) has nothing to generate into.
        if (type.Identifier.IsMissing || type.Identifier.ValueText.Length == 0) return null;

        int anchor = type.SpanStart;
        SourceSpan Relative(Microsoft.CodeAnalysis.Text.TextSpan span) => new(span.Start - anchor, span.Length);

        bool incomplete = type.AttributeLists.Any(l => l.ContainsDiagnostics) || type.Modifiers.Any(m => m.ContainsDiagnostics)
                          || type.TypeParameterList?.ContainsDiagnostics == true;
        var attributes = new List<WrittenAttribute>();
        foreach (AttributeListSyntax list in type.AttributeLists)
        {
            if (list.Target is not null) continue; // [return: ...] and the like are not layers
            foreach (AttributeSyntax attribute in list.Attributes)
            {
                cancellationToken.ThrowIfCancellationRequested();
                attributes.Add(ReadAttribute(attribute, context.SemanticModel, Relative, cancellationToken));
            }
        }

        var other = new List<string>();
        UserDocumentation documentation = default;
        foreach (SyntaxReference reference in symbol.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is not TypeDeclarationSyntax part) continue;
            documentation = Documentation(part, documentation);
            if (part == type) continue;
            foreach (AttributeListSyntax list in part.AttributeLists)
                foreach (AttributeSyntax attribute in list.Attributes)
                    other.Add(SimpleName(attribute.Name).Identifier.ValueText);
        }

        SyntaxToken staticModifier = type.Modifiers.FirstOrDefault(m => m.IsKind(SyntaxKind.StaticKeyword));
        var header = new TypeHeader(
            type.Identifier.ValueText,
            Keyword(type),
            symbol.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : null,
            type.Modifiers.Any(SyntaxKind.PartialKeyword),
            type.TypeParameterList is not null,
            Relative(type.Identifier.Span),
            type.Keyword.SpanStart - anchor,
            staticModifier == default ? SourceSpan.None : SourceSpan.FromBounds(staticModifier.SpanStart - anchor, staticModifier.GetNextToken().SpanStart - anchor),
            ContainingTypes(type, anchor),
            documentation);
        return new NetworkSyntax(symbol.ToDisplayString(), incomplete, header, attributes.ToEquatableArray(), other.ToEquatableArray());
    }

    private static WrittenAttribute ReadAttribute(AttributeSyntax attribute, SemanticModel model, Func<Microsoft.CodeAnalysis.Text.TextSpan, SourceSpan> relative,
        CancellationToken cancellationToken)
    {
        SimpleNameSyntax name = SimpleName(attribute.Name);
        string written = name.Identifier.ValueText;
        bool qualified = attribute.Name switch
        {
            QualifiedNameSyntax q => Qualifier(q.Left) != AttributeCatalog.Namespace,
            AliasQualifiedNameSyntax => true,
            _ => false,
        };
        // ConvGen's names are read from syntax; any other attribute is asked once whether it binds, so that a layer
        // being typed (`[Conv2]`) holds the network back instead of silently dropping out of it.
        bool ours = !qualified && (written is "Network" or "NetworkAttribute" || LayerKinds.TryFromAttributeClass(written, out _, out _));
        bool binds = ours || model.GetSymbolInfo(attribute, cancellationToken).Symbol is not null;

        var arguments = new List<WrittenArgument>();
        foreach (AttributeArgumentSyntax argument in attribute.ArgumentList?.Arguments ?? default)
        {
            ExpressionSyntax expression = argument.Expression;
            arguments.Add(new WrittenArgument(
                argument.NameEquals?.Name.Identifier.ValueText,
                argument.NameColon?.Name.Identifier.ValueText,
                ours ? Constant(expression, model, cancellationToken) : WrittenValue.Error,
                relative(argument.Span),
                relative(expression.Span),
                ElementExpressions(expression).Select(e => relative(e.Span)).ToEquatableArray()));
        }
        ArgumentInsertion insertion = attribute.ArgumentList is not { } list ? new ArgumentInsertion(relative(attribute.Name.Span).End, "(", ")")
            : list.Arguments.Count == 0 ? new ArgumentInsertion(relative(list.OpenParenToken.Span).End, "", "")
            : new ArgumentInsertion(relative(list.Arguments[list.Arguments.Count - 1].Span).End, ", ", "");
        return new WrittenAttribute(written, qualified, binds, Normalize(attribute.ToString()), relative(attribute.Span), relative(name.Span),
            arguments.ToEquatableArray(), insertion);
    }

    /// <summary>
    /// The constant an argument expression denotes and its C# type: literals, signs and array initializers are read
    /// from syntax; anything else (a <c>const</c>, an expression of constants) is asked of the semantic model.
    /// </summary>
    private static WrittenValue Constant(ExpressionSyntax expression, SemanticModel model, CancellationToken cancellationToken)
    {
        switch (expression)
        {
            case ParenthesizedExpressionSyntax p:
                return Constant(p.Expression, model, cancellationToken);
            case LiteralExpressionSyntax literal:
                return FromObject(literal.IsKind(SyntaxKind.NullLiteralExpression) ? null : literal.Token.Value, isNull: literal.IsKind(SyntaxKind.NullLiteralExpression));
            case PrefixUnaryExpressionSyntax { OperatorToken.RawKind: (int)SyntaxKind.MinusToken or (int)SyntaxKind.PlusToken, Operand: LiteralExpressionSyntax { RawKind: (int)SyntaxKind.NumericLiteralExpression } number } unary:
                {
                    WrittenValue v = FromObject(number.Token.Value, isNull: false);
                    if (unary.OperatorToken.IsKind(SyntaxKind.PlusToken) || v.Type is ConstantType.Error) return v;
                    // -2147483648 is an int although 2147483648 alone is a uint.
                    if (number.Token.Value is uint u && u == 2147483648u) return new WrittenValue(ConstantType.Int, ArgValue.FromInt(int.MinValue));
                    return v.Type is ConstantType.Int or ConstantType.Long ? v with { Value = ArgValue.FromInt(-(long)v.Value.Number) }
                        : v.Type is ConstantType.Float or ConstantType.Double or ConstantType.Decimal ? v with { Value = ArgValue.FromDouble(-v.Value.Number) }
                        : WrittenValue.Error;
                }
            case ImplicitArrayCreationExpressionSyntax or ArrayCreationExpressionSyntax or CollectionExpressionSyntax:
                return Array(expression, model, cancellationToken);
            default:
                {
                    Optional<object?> constant = model.GetConstantValue(expression, cancellationToken);
                    return constant.HasValue ? FromObject(constant.Value, isNull: constant.Value is null) : WrittenValue.Error;
                }
        }
    }

    private static WrittenValue Array(ExpressionSyntax expression, SemanticModel model, CancellationToken cancellationToken)
    {
        IReadOnlyList<ExpressionSyntax> elements = ElementExpressions(expression);
        if (expression is CollectionExpressionSyntax c && c.Elements.Any(e => e is not ExpressionElementSyntax)) return WrittenValue.Error;
        if (expression is ArrayCreationExpressionSyntax { Initializer: null }) return WrittenValue.Error;
        var values = elements.Select(e => Constant(e, model, cancellationToken)).ToList();
        if (values.Any(v => v.Type is ConstantType.Error)) return WrittenValue.Error;

        // The element type: written (new int[] { }), or the best common type of the elements (new[] { }).
        string? declared = expression is ArrayCreationExpressionSyntax a ? a.Type.ElementType.ToString() : null;
        bool allInt = values.All(v => v.Type is ConstantType.Int), allNumber = values.All(v => v.Type is ConstantType.Int or ConstantType.Long or ConstantType.Float or ConstantType.Double);
        bool allString = values.All(v => v.Type is ConstantType.String or ConstantType.Null);
        ConstantType type = declared switch
        {
            "int" or "System.Int32" or "Int32" => allInt ? ConstantType.IntArray : ConstantType.Error,
            "double" or "System.Double" or "Double" => allNumber ? ConstantType.DoubleArray : ConstantType.Error,
            "string" or "System.String" or "String" => allString ? ConstantType.StringArray : ConstantType.Error,
            null when values.Count == 0 => expression is CollectionExpressionSyntax ? ConstantType.OtherArray : ConstantType.Error,
            null when allInt => ConstantType.IntArray,
            null when allNumber && values.Any(v => v.Type is ConstantType.Double or ConstantType.Float) && values.All(v => v.Type is not ConstantType.Long) => ConstantType.DoubleArray,
            null when allString && values.Any(v => v.Type is ConstantType.String) => ConstantType.StringArray,
            _ => ConstantType.OtherArray,
        };
        ArgValue value = type switch
        {
            ConstantType.IntArray => ArgValue.FromInts(values.Select(v => (long)v.Value.Number)),
            ConstantType.DoubleArray => ArgValue.FromDoubles(values.Select(v => v.Value.Number)),
            ConstantType.StringArray => ArgValue.FromStrings(values.Select(v => v.Value.Text ?? "")),
            _ => ArgValue.Invalid,
        };
        return new WrittenValue(type, value) { IsCollectionExpression = expression is CollectionExpressionSyntax };
    }

    private static WrittenValue FromObject(object? value, bool isNull) => value switch
    {
        _ when isNull => new WrittenValue(ConstantType.Null, ArgValue.Null),
        int i => new WrittenValue(ConstantType.Int, ArgValue.FromInt(i)),
        long or uint or ulong => new WrittenValue(ConstantType.Long, ArgValue.FromInt(Convert.ToInt64(value, CultureInfo.InvariantCulture))),
        short or sbyte or byte or ushort => new WrittenValue(ConstantType.Int, ArgValue.FromInt(Convert.ToInt64(value, CultureInfo.InvariantCulture))),
        double d => new WrittenValue(ConstantType.Double, ArgValue.FromDouble(d)),
        float f => new WrittenValue(ConstantType.Float, ArgValue.FromDouble(f)),
        decimal m => new WrittenValue(ConstantType.Decimal, ArgValue.FromDouble((double)m)),
        bool b => new WrittenValue(ConstantType.Bool, ArgValue.FromBool(b)),
        string s => new WrittenValue(ConstantType.String, ArgValue.FromString(s)),
        char ch => new WrittenValue(ConstantType.Char, ArgValue.FromInt(ch)),
        _ => WrittenValue.Error,
    };

    /// <summary>The elements of an array written as <c>new[] { 3, 5 }</c>, <c>new int[] { ... }</c> or <c>[3, 5]</c>.</summary>
    private static IReadOnlyList<ExpressionSyntax> ElementExpressions(ExpressionSyntax expression) => expression switch
    {
        ImplicitArrayCreationExpressionSyntax a => a.Initializer.Expressions,
        ArrayCreationExpressionSyntax { Initializer: { } i } => i.Expressions,
        CollectionExpressionSyntax c => c.Elements.OfType<ExpressionElementSyntax>().Select(e => e.Expression).ToList(),
        _ => System.Array.Empty<ExpressionSyntax>(),
    };

    private static SimpleNameSyntax SimpleName(NameSyntax name) => name switch
    {
        QualifiedNameSyntax q => q.Right,
        AliasQualifiedNameSyntax a => a.Name,
        SimpleNameSyntax s => s,
        _ => SyntaxFactory.IdentifierName(name.ToString()),
    };

    private static string Qualifier(NameSyntax name) => name switch
    {
        AliasQualifiedNameSyntax { Alias.Identifier.ValueText: "global" } a => a.Name.Identifier.ValueText,
        _ => name.ToString(),
    };

    /// <summary>Which of summary and remarks a part's doc comment has, added to what earlier parts had.</summary>
    private static UserDocumentation Documentation(TypeDeclarationSyntax part, UserDocumentation sofar)
    {
        bool summary = sofar.Summary, remarks = sofar.Remarks;
        foreach (SyntaxTrivia trivia in part.GetLeadingTrivia())
        {
            if (trivia.GetStructure() is not DocumentationCommentTriviaSyntax doc) continue;
            foreach (XmlNodeSyntax node in doc.Content)
            {
                string? tag = node switch
                {
                    XmlElementSyntax e => e.StartTag.Name.LocalName.ValueText,
                    XmlEmptyElementSyntax e => e.Name.LocalName.ValueText,
                    _ => null,
                };
                summary |= tag == "summary" || tag == "inheritdoc";
                remarks |= tag == "remarks" || tag == "inheritdoc";
            }
        }
        return new UserDocumentation(summary, remarks);
    }

    private static EquatableArray<WrittenContainingType> ContainingTypes(TypeDeclarationSyntax type, int anchor)
    {
        var containing = new List<WrittenContainingType>();
        for (SyntaxNode? parent = type.Parent; parent is not null; parent = parent.Parent)
            if (parent is TypeDeclarationSyntax outer)
                containing.Insert(0, new WrittenContainingType(Keyword(outer), outer.Identifier.Text + (outer.TypeParameterList?.ToString() ?? ""),
                    outer.Modifiers.Any(SyntaxKind.PartialKeyword), outer.Keyword.SpanStart - anchor));
        return containing.ToEquatableArray();
    }

    private static string Keyword(TypeDeclarationSyntax syntax) => syntax switch
    {
        RecordDeclarationSyntax r => r.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) ? "record struct" : "record",
        StructDeclarationSyntax => "struct",
        InterfaceDeclarationSyntax => "interface",
        _ => "class",
    };

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
