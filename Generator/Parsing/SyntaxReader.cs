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
        WrittenDeclaration written = ReadDeclaration(type, context.SemanticModel, cancellationToken);

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

        var header = new TypeHeader(
            written.Name,
            written.Keyword,
            symbol.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : null,
            written.IsPartial,
            written.IsGeneric,
            written.Identifier,
            written.KeywordStart,
            written.StaticModifier,
            ContainingTypes(type, anchor),
            documentation);
        return new NetworkSyntax(symbol.ToDisplayString(), written.Incomplete, header, written.Attributes, other.ToEquatableArray());
    }

    /// <summary>
    /// What the declaration's own text says, from its first attribute list to its name (type parameters included): the
    /// attributes with their arguments and the header, spans relative to the declaration's start. This is a function of
    /// that text and the parse options alone unless the semantic model had to be asked (an argument that is not a
    /// literal, an attribute that is not ConvGen's), so such readings are remembered by text: a keystroke outside a
    /// declaration reads none of its attributes again (KeystrokeTests), and its equal result, the same attribute array,
    /// compares in constant time down the pipeline.
    /// </summary>
    private static WrittenDeclaration ReadDeclaration(TypeDeclarationSyntax type, SemanticModel model, CancellationToken cancellationToken)
    {
        int anchor = type.SpanStart;
        int end = type.TypeParameterList?.Span.End ?? type.Identifier.Span.End;
        string text = type.SyntaxTree.GetText(cancellationToken).ToString(Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(anchor, end));
        // A directive in the text (#if) makes its reading depend on the directives before it: not remembered.
        var key = new DeclarationText(text, type.SyntaxTree.Options);
        bool rememberable = text.IndexOf('#') < 0;
        if (rememberable && Remembered.TryGet(key, out WrittenDeclaration? known)) return known;

        DeclarationsRead++;
        var reading = new Reading(model, text, anchor, cancellationToken);
        bool incomplete = type.AttributeLists.Any(l => l.ContainsDiagnostics) || type.Modifiers.Any(m => m.ContainsDiagnostics)
                          || type.TypeParameterList?.ContainsDiagnostics == true;
        var attributes = new List<WrittenAttribute>();
        foreach (AttributeListSyntax list in type.AttributeLists)
        {
            if (list.Target is not null) continue; // [return: ...] and the like are not layers
            foreach (AttributeSyntax attribute in list.Attributes)
            {
                cancellationToken.ThrowIfCancellationRequested();
                attributes.Add(ReadAttribute(attribute, reading));
            }
        }

        SyntaxToken staticModifier = type.Modifiers.FirstOrDefault(m => m.IsKind(SyntaxKind.StaticKeyword));
        var written = new WrittenDeclaration(
            incomplete,
            attributes.ToEquatableArray(),
            type.Identifier.ValueText,
            Keyword(type),
            type.Modifiers.Any(SyntaxKind.PartialKeyword),
            type.TypeParameterList is not null,
            reading.Relative(type.Identifier.Span),
            type.Keyword.SpanStart - anchor,
            staticModifier == default ? SourceSpan.None : SourceSpan.FromBounds(staticModifier.SpanStart - anchor, staticModifier.GetNextToken().SpanStart - anchor));
        if (rememberable && !reading.AskedSemanticModel) Remembered.Add(key, written);
        return written;
    }

    /// <summary>How many declarations were read from syntax on this thread (not found in <see cref="Remembered"/>): KeystrokeTests.</summary>
    [ThreadStatic] internal static int DeclarationsRead;

    /// <summary>The part of a declaration <see cref="ReadDeclaration"/> reads from its own text.</summary>
    private sealed record WrittenDeclaration(
        bool Incomplete,
        EquatableArray<WrittenAttribute> Attributes,
        string Name,
        string Keyword,
        bool IsPartial,
        bool IsGeneric,
        SourceSpan Identifier,
        int KeywordStart,
        SourceSpan StaticModifier);

    private readonly record struct DeclarationText(string Text, ParseOptions Options);

    /// <summary>
    /// Readings by declaration text (a pure function's results, so shared by every compilation and project). Bounded:
    /// past <see cref="Capacity"/> entries it starts again, which costs one reading per declaration.
    /// </summary>
    private static class Remembered
    {
        private const int Capacity = 2048;
        private static readonly Dictionary<DeclarationText, WrittenDeclaration> Entries = new();

        public static bool TryGet(DeclarationText key, out WrittenDeclaration written)
        {
            lock (Entries) return Entries.TryGetValue(key, out written!);
        }

        public static void Add(DeclarationText key, WrittenDeclaration written)
        {
            lock (Entries)
            {
                if (Entries.Count >= Capacity) Entries.Clear();
                Entries[key] = written;
            }
        }
    }

    /// <summary>One declaration being read: its text (for the attributes' own text) and whether the semantic model was asked.</summary>
    private sealed class Reading(SemanticModel model, string text, int anchor, CancellationToken cancellationToken)
    {
        public CancellationToken CancellationToken => cancellationToken;
        public bool AskedSemanticModel { get; private set; }

        public SourceSpan Relative(Microsoft.CodeAnalysis.Text.TextSpan span) => new(span.Start - anchor, span.Length);

        /// <summary>The text of <paramref name="span"/> on one line with single spaces.</summary>
        public string Normalized(Microsoft.CodeAnalysis.Text.TextSpan span) => Normalize(text, span.Start - anchor, span.Length);

        public SemanticModel Ask()
        {
            AskedSemanticModel = true;
            return model;
        }
    }

    private static WrittenAttribute ReadAttribute(AttributeSyntax attribute, Reading reading)
    {
        CancellationToken cancellationToken = reading.CancellationToken;
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
        bool binds = ours || reading.Ask().GetSymbolInfo(attribute, cancellationToken).Symbol is not null;

        var arguments = new List<WrittenArgument>();
        foreach (AttributeArgumentSyntax argument in attribute.ArgumentList?.Arguments ?? default)
        {
            ExpressionSyntax expression = argument.Expression;
            SourceSpan valueSpan = reading.Relative(expression.Span);
            IReadOnlyList<ExpressionSyntax> elements = ElementExpressions(expression);
            var elementSpans = new SourceSpan[elements.Count];
            for (int i = 0; i < elementSpans.Length; i++) elementSpans[i] = reading.Relative(elements[i].Span);
            arguments.Add(new WrittenArgument(
                argument.NameEquals?.Name.Identifier.ValueText,
                argument.NameColon?.Name.Identifier.ValueText,
                ours ? Constant(expression, reading) : WrittenValue.Error,
                argument.NameEquals is null && argument.NameColon is null ? valueSpan : reading.Relative(argument.Span),
                valueSpan,
                elementSpans.ToEquatableArray()));
        }
        ArgumentInsertion insertion = attribute.ArgumentList is not { } list ? new ArgumentInsertion(reading.Relative(attribute.Name.Span).End, "(", ")")
            : list.Arguments.Count == 0 ? new ArgumentInsertion(reading.Relative(list.OpenParenToken.Span).End, "", "")
            : new ArgumentInsertion(arguments[arguments.Count - 1].Span.End, ", ", "");
        return new WrittenAttribute(written, qualified, binds, reading.Normalized(attribute.Span), reading.Relative(attribute.Span), reading.Relative(name.Span),
            arguments.ToEquatableArray(), insertion);
    }

    /// <summary>
    /// The constant an argument expression denotes and its C# type: literals, signs and array initializers are read
    /// from syntax; anything else (a <c>const</c>, an expression of constants) is asked of the semantic model.
    /// </summary>
    private static WrittenValue Constant(ExpressionSyntax expression, Reading reading)
    {
        switch (expression)
        {
            case ParenthesizedExpressionSyntax p:
                return Constant(p.Expression, reading);
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
                return Array(expression, reading);
            default:
                {
                    Optional<object?> constant = reading.Ask().GetConstantValue(expression, reading.CancellationToken);
                    return constant.HasValue ? FromObject(constant.Value, isNull: constant.Value is null) : WrittenValue.Error;
                }
        }
    }

    private static WrittenValue Array(ExpressionSyntax expression, Reading reading)
    {
        IReadOnlyList<ExpressionSyntax> elements = ElementExpressions(expression);
        if (expression is CollectionExpressionSyntax c && c.Elements.Any(e => e is not ExpressionElementSyntax)) return WrittenValue.Error;
        if (expression is ArrayCreationExpressionSyntax { Initializer: null }) return WrittenValue.Error;
        var values = elements.Select(e => Constant(e, reading)).ToList();
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

    /// <summary><paramref name="length"/> characters of <paramref name="text"/> from <paramref name="start"/>, on one line with single spaces.</summary>
    private static string Normalize(string text, int start, int length)
    {
        var sb = new StringBuilder(length);
        bool space = false;
        for (int i = start; i < start + length; i++)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c)) { space = sb.Length > 0; continue; }
            if (space) sb.Append(' ');
            space = false;
            sb.Append(c);
        }
        return sb.ToString();
    }
}
