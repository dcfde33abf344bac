using System.Globalization;

namespace ConvGen.Generator.Model;

internal enum ArgKind { Null, Int, Double, String, Bool, IntArray, DoubleArray, StringArray, Invalid }

/// <summary>The constant value of one attribute argument, as plain data (numbers are kept as double and as their kind).</summary>
internal sealed record ArgValue(ArgKind Kind, EquatableArray<double> Numbers, EquatableArray<string> Strings, bool Bool)
{
    public static ArgValue Null { get; } = new(ArgKind.Null, EquatableArray<double>.Empty, EquatableArray<string>.Empty, false);
    public static ArgValue Invalid { get; } = new(ArgKind.Invalid, EquatableArray<double>.Empty, EquatableArray<string>.Empty, false);
    public static ArgValue FromInt(long value) => new(ArgKind.Int, EquatableArray.Create((double)value), EquatableArray<string>.Empty, false);
    public static ArgValue FromDouble(double value) => new(ArgKind.Double, EquatableArray.Create(value), EquatableArray<string>.Empty, false);
    public static ArgValue FromString(string? value) => value is null ? Null : new(ArgKind.String, EquatableArray<double>.Empty, EquatableArray.Create(value), false);
    public static ArgValue FromBool(bool value) => new(ArgKind.Bool, EquatableArray<double>.Empty, EquatableArray<string>.Empty, value);
    public static ArgValue FromInts(IEnumerable<long> values) => new(ArgKind.IntArray, values.Select(v => (double)v).ToEquatableArray(), EquatableArray<string>.Empty, false);
    public static ArgValue FromDoubles(IEnumerable<double> values) => new(ArgKind.DoubleArray, values.ToEquatableArray(), EquatableArray<string>.Empty, false);
    public static ArgValue FromStrings(IEnumerable<string> values) => new(ArgKind.StringArray, EquatableArray<double>.Empty, values.ToEquatableArray(), false);

    public bool IsInteger => Kind is ArgKind.Int or ArgKind.IntArray;
    public bool IsNumber => Kind is ArgKind.Int or ArgKind.Double;
    public bool IsArray => Kind is ArgKind.IntArray or ArgKind.DoubleArray or ArgKind.StringArray;
    public string? Text => Kind == ArgKind.String ? Strings[0] : null;
    public double Number => Numbers[0];

    /// <summary>The value as C# would print it in a message: <c>3</c>, <c>[3, 5]</c>, <c>"same"</c>.</summary>
    public override string ToString() => Kind switch
    {
        ArgKind.Int or ArgKind.Double => Format(Numbers[0]),
        ArgKind.IntArray or ArgKind.DoubleArray => "[" + string.Join(", ", Numbers.Select(Format)) + "]",
        ArgKind.String => "\"" + Strings[0] + "\"",
        ArgKind.StringArray => "[" + string.Join(", ", Strings.Select(s => "\"" + s + "\"")) + "]",
        ArgKind.Bool => Bool ? "true" : "false",
        ArgKind.Null => "null",
        _ => "?",
    };

    /// <summary>The value as a C# expression that an attribute argument accepts: <c>3</c>, <c>new[] { 3, 5 }</c>, <c>"same"</c>.</summary>
    public string ToCSharp() => Kind switch
    {
        ArgKind.Int or ArgKind.Double => Format(Numbers[0]),
        ArgKind.IntArray => "new[] { " + string.Join(", ", Numbers.Select(Format)) + " }",
        // At least one element with a decimal point, so that the array is a double[].
        ArgKind.DoubleArray => "new[] { " + string.Join(", ", Numbers.Select((v, i) => i == 0 && v == Math.Floor(v) ? Format(v) + ".0" : Format(v))) + " }",
        ArgKind.String => Quote(Strings[0]),
        ArgKind.StringArray => "new[] { " + string.Join(", ", Strings.Select(Quote)) + " }",
        ArgKind.Bool => Bool ? "true" : "false",
        _ => "null",
    };

    /// <summary>This array value with element <paramref name="index"/> replaced by the single value <paramref name="element"/>.</summary>
    public ArgValue WithElement(int index, ArgValue element) => Kind switch
    {
        ArgKind.StringArray => FromStrings(Strings.Select((s, i) => i == index ? element.Strings[0] : s)),
        ArgKind.IntArray or ArgKind.DoubleArray => this with { Numbers = Numbers.Select((n, i) => i == index ? element.Number : n).ToEquatableArray() },
        _ => element,
    };

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    private static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>One argument of a layer attribute: its canonical (PascalCase) name, value and where it is written.</summary>
/// <param name="Span">The whole argument as written (<c>Stride = 3</c>, or <c>3</c> for a positional one).</param>
internal sealed record Argument(string Name, ArgValue Value, SourceSpan Span)
{
    /// <summary>The value's expression (<c>3</c> in <c>Stride = 3</c>), what a fix replaces.</summary>
    public SourceSpan ValueSpan { get; init; } = Span;

    /// <summary>For an array or params value, each element's expression (<c>"b3"</c> in <c>Concat("b1", "b3")</c>).</summary>
    public EquatableArray<SourceSpan> ElementSpans { get; init; } = EquatableArray<SourceSpan>.Empty;

    /// <summary>Element <paramref name="index"/>'s span, or the whole value's when elements were not written one by one.</summary>
    public SourceSpan ElementSpan(int index) => index >= 0 && index < ElementSpans.Count ? ElementSpans[index] : ValueSpan;
}
