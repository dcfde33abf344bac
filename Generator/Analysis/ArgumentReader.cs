using ConvGen.Generator.Diagnostics;
using ConvGen.Generator.Model;
using static ConvGen.Generator.Diagnostics.DiagnosticDescriptors;

namespace ConvGen.Generator.Analysis;

/// <summary>
/// Reads one layer's arguments into numbers, reporting CG0007 on the argument at fault when a value has the
/// wrong type or is out of range. Every read returns a usable value (the default after an error), so that the
/// analysis can go on and report the other problems of the same declaration in one pass.
/// </summary>
internal sealed class ArgumentReader
{
    private readonly LayerDeclaration _layer;
    private readonly List<DiagnosticInfo> _diagnostics;

    public ArgumentReader(LayerDeclaration layer, List<DiagnosticInfo> diagnostics)
    {
        _layer = layer;
        _diagnostics = diagnostics;
    }

    public bool HasErrors { get; private set; }
    public LayerDeclaration Layer => _layer;
    public string Who => _layer.DisplayName;

    public void Report(DiagnosticInfo diagnostic)
    {
        _diagnostics.Add(diagnostic.Span.IsNone ? diagnostic with { Span = _layer.Span } : diagnostic);
        if (diagnostic.IsError) HasErrors = true;
    }

    /// <summary>The span of the named argument (<c>Stride = 3</c>, or <c>3</c> when positional), or of the attribute's name when it was not written.</summary>
    public SourceSpan SpanOf(string name) => _layer.Find(name)?.Span ?? _layer.NameSpan;

    /// <summary>The span of the first of these arguments that was written, or of the attribute's name.</summary>
    public SourceSpan SpanOfFirst(params string[] names)
    {
        foreach (string n in names)
            if (_layer.Find(n) is { } a) return a.Span;
        return _layer.NameSpan;
    }

    public bool Has(string name) => _layer.Find(name) is { Value.Kind: not ArgKind.Null };

    /// <summary>An integer argument of at least <paramref name="min"/>; <paramref name="fix"/> says what to write instead of a value below it.</summary>
    public int Int(string name, int defaultValue, int min = int.MinValue, string fix = "")
    {
        Argument? a = _layer.Find(name);
        if (a is null || a.Value.Kind == ArgKind.Null) return defaultValue;
        if (a.Value.Kind != ArgKind.Int)
        {
            Report(NotAnInteger.At(a.Span, Who, name, a.Value.ToString()));
            return defaultValue;
        }
        double v = a.Value.Number;
        if (v < min || v > int.MaxValue)
        {
            Report(IntegerTooSmall.At(a.Span, Who, name, min, a.Value.ToString(), fix.Length > 0 ? fix : $"Use {min} or more"));
            return defaultValue;
        }
        return (int)v;
    }

    public double Double(string name, double defaultValue, double min = double.NegativeInfinity, double max = double.PositiveInfinity)
    {
        Argument? a = _layer.Find(name);
        if (a is null || a.Value.Kind == ArgKind.Null) return defaultValue;
        string defaultText = ArgValue.FromDouble(defaultValue).ToCSharp();
        if (!a.Value.IsNumber)
        {
            Report(NotANumber.At(a.Span, Who, name, a.Value.ToString(), $"{name} = {defaultText}"));
            return defaultValue;
        }
        double v = a.Value.Number;
        if (double.IsNaN(v))
        {
            Report(NumberIsNaN.At(a.Span, Who, name, $"{name} = {defaultText}"));
            return defaultValue;
        }
        if (v < min || v > max)
        {
            string range = double.IsPositiveInfinity(max) ? $"at least {min}" : $"between {min} and {max}";
            Report(NumberOutOfRange.At(a.Span, Who, name, range, a.Value.ToString(), defaultText));
            return defaultValue;
        }
        return v;
    }

    public bool Bool(string name, bool defaultValue)
    {
        Argument? a = _layer.Find(name);
        if (a is null || a.Value.Kind != ArgKind.Bool) return defaultValue;
        return a.Value.Bool;
    }

    /// <summary>
    /// A string argument that must be one of <paramref name="allowed"/> (compared ignoring case, returned lower-case).
    /// An unknown value gets a fix to the nearest option when it looks like a misspelling of one.
    /// </summary>
    public string Choice(string name, string defaultValue, params string[] allowed)
    {
        Argument? a = _layer.Find(name);
        if (a is null || a.Value.Kind == ArgKind.Null) return defaultValue;
        string? text = a.Value.Text;
        foreach (string option in allowed)
            if (string.Equals(option, text, StringComparison.OrdinalIgnoreCase)) return option;
        DiagnosticInfo d = UnknownChoice.At(a.Span, Who, name, a.Value.ToString(), string.Join(", ", allowed.Select(o => "\"" + o + "\"")));
        if (text is not null && Spelling.Nearest(text, allowed) is { } nearest)
            d = d.WithFix(FixProposal.Set(_layer, name, ArgValue.FromString(nearest)));
        Report(d);
        return defaultValue;
    }

    /// <summary>
    /// An <c>int</c> or <c>int[]</c> argument with one value per spatial axis (PyTorch's <c>_pair</c>/<c>_single</c>).
    /// Returns (h, w); for a 1-D layer h is <paramref name="defaultValue"/>'s neutral 1 and w the value. A value below
    /// <paramref name="min"/> is CG0003 for padding (min 0) and CG0007 otherwise; where the argument has a default of
    /// <paramref name="min"/> (stride, dilation, padding), the fix raises the values at fault to it.
    /// </summary>
    public (int H, int W) Tuple(string name, int rank, (int H, int W) defaultValue, int min, string what, string fix = "")
    {
        Argument? a = _layer.Find(name);
        if (a is null || a.Value.Kind == ArgKind.Null) return defaultValue;
        ArgValue v = a.Value;
        int[]? values = null;
        if (v.Kind == ArgKind.Int) values = Enumerable.Repeat(Clamp(v.Number), rank).ToArray();
        else if (v.Kind == ArgKind.IntArray && v.Numbers.Count == rank) values = v.Numbers.Select(Clamp).ToArray();
        if (values is null)
        {
            string shape = rank == 1 ? "an int" : $"an int or an int[] of {rank} values (height, width)";
            string example = rank == 1 ? $"{name} = {Math.Max(min, 1)}" : $"{name} = new[] {{ {Math.Max(min, 1)}, {Math.Max(min, 1)} }}";
            Report(TupleShape.At(a.Span, Who, what, shape, v.ToString(), example));
            return defaultValue;
        }
        if (values.Any(x => x < min))
        {
            bool raiseToMin = min == 0 || (min == 1 && (defaultValue.H == 1 && defaultValue.W == 1) && name != "KernelSize");
            DiagnosticInfo d = min == 0
                ? NegativePadding.At(a.Span, Who, what, v.ToString())
                : TupleTooSmall.At(a.Span, Who, what, min, v.ToString(), fix.Length > 0 ? fix : raiseToMin ? $"Use {min} (PyTorch's default)" : $"Use {min} or more");
            if (raiseToMin)
                d = d.WithFix(FixProposal.Set(_layer, name, TupleValue(values.Select(x => Math.Max(x, min)).ToArray())));
            Report(d);
            return defaultValue;
        }
        return rank == 1 ? (1, values[0]) : (values[0], values[1]);
    }

    /// <summary>A per-axis value as the user would write it: one int when every axis has the same value, else an array.</summary>
    public static ArgValue TupleValue(params int[] perAxis) =>
        perAxis.All(x => x == perAxis[0]) ? ArgValue.FromInt(perAxis[0]) : ArgValue.FromInts(perAxis.Select(x => (long)x));

    private static int Clamp(double d) => (int)Math.Max(int.MinValue, Math.Min(int.MaxValue, d));
}
