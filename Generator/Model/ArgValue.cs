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

    private static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>One argument of a layer attribute: its canonical (PascalCase) name, value and where it is written.</summary>
internal sealed record Argument(string Name, ArgValue Value, SourceSpan Span);
