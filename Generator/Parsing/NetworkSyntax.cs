using ConvGen.Generator.Model;

namespace ConvGen.Generator.Parsing;

/// <summary>
/// A <c>[Network]</c> type declaration as written, read from syntax alone (semantic binding only for an argument that
/// is not a literal): the header, the user's documentation, and every attribute with its arguments' constant values.
/// Spans are relative to the declaration's start, so an edit elsewhere in the file leaves it equal and every later step
/// cached. <see cref="Parser"/> turns it into a <see cref="NetworkDeclaration"/> against the <see cref="AttributeCatalog"/>.
/// </summary>
/// <param name="Key">The type's full name: joins the cached analysis with the declaration's current position.</param>
/// <param name="Incomplete">
/// The declaration cannot compile yet (a syntax error in its attribute lists or header, an attribute the compiler cannot
/// bind): the compiler reports that; ConvGen reports and generates nothing until it is fixed.
/// </param>
internal sealed record NetworkSyntax(
    string Key,
    bool Incomplete,
    TypeHeader Header,
    EquatableArray<WrittenAttribute> Attributes,
    EquatableArray<string> OtherPartAttributeNames);

/// <summary>The type's header as written: what CG0008 checks and the generated partial repeats.</summary>
/// <param name="KeywordStart">Where <c>partial </c> goes (the <c>class</c> keyword).</param>
/// <param name="StaticModifier">The <c>static</c> modifier with the space after it, if written.</param>
internal sealed record TypeHeader(
    string Name,
    string Keyword,
    string? Namespace,
    bool IsPartial,
    bool IsGeneric,
    SourceSpan Identifier,
    int KeywordStart,
    SourceSpan StaticModifier,
    EquatableArray<WrittenContainingType> ContainingTypes,
    UserDocumentation Documentation);

/// <summary>A type the network is nested in, with what the CG0008 fix needs.</summary>
internal sealed record WrittenContainingType(string Keyword, string NameWithTypeParameters, bool IsPartial, int KeywordStart);

/// <summary>One attribute as written.</summary>
/// <param name="Name">The rightmost name as written: <c>Conv2d</c> or <c>Conv2dAttribute</c>.</param>
/// <param name="Qualified">Written with a namespace other than ConvGen (or an alias): not one of ConvGen's.</param>
/// <param name="Binds">False when the name is not ConvGen's and the compiler cannot bind it (being typed).</param>
/// <param name="NameSpan">The rightmost name (<c>Conv2dAttribute</c> in <c>ConvGen.Conv2dAttribute</c>).</param>
internal sealed record WrittenAttribute(
    string Name,
    bool Qualified,
    bool Binds,
    string Text,
    SourceSpan Span,
    SourceSpan NameSpan,
    EquatableArray<WrittenArgument> Arguments,
    ArgumentInsertion Insertion);

/// <summary>One argument as written: positional, <c>name: value</c> or <c>Name = value</c>.</summary>
internal sealed record WrittenArgument(
    string? NameEquals,
    string? NameColon,
    WrittenValue Value,
    SourceSpan Span,
    SourceSpan ValueSpan,
    EquatableArray<SourceSpan> ElementSpans);

/// <summary>The C# type of a constant argument, which decides which parameters it can bind to.</summary>
internal enum ConstantType { Error, Null, Int, Long, Float, Double, Decimal, Bool, String, Char, IntArray, DoubleArray, StringArray, OtherArray }

/// <summary>A constant argument's value and its C# type (<see cref="ConstantType.Error"/>: not a constant the compiler accepts).</summary>
internal sealed record WrittenValue(ConstantType Type, ArgValue Value)
{
    /// <summary>A collection expression (<c>[3, 5]</c>): it has no type of its own, so it converts to an array parameter but not to <c>object</c>.</summary>
    public bool IsCollectionExpression { get; init; }

    public static WrittenValue Error { get; } = new(ConstantType.Error, ArgValue.Invalid);
}
