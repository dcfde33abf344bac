using ConvGen.Generator.Diagnostics;
using ConvGen.Generator.Model;

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

    public void Report(string id, SourceSpan span, string message)
    {
        _diagnostics.Add(new DiagnosticInfo(id, span.IsNone ? _layer.Span : span, message));
        if (DiagnosticDescriptors.IsError(id)) HasErrors = true;
    }

    /// <summary>The span of the named argument, or of the whole attribute when it was not written.</summary>
    public SourceSpan SpanOf(string name) => _layer.Find(name)?.Span ?? _layer.Span;

    /// <summary>The span of the first of these arguments that was written, or of the whole attribute.</summary>
    public SourceSpan SpanOfFirst(params string[] names)
    {
        foreach (string n in names)
            if (_layer.Find(n) is { } a) return a.Span;
        return _layer.Span;
    }

    public bool Has(string name) => _layer.Find(name) is { Value.Kind: not ArgKind.Null };

    public int Int(string name, int defaultValue, int min = int.MinValue, string? fix = null)
    {
        Argument? a = _layer.Find(name);
        if (a is null || a.Value.Kind == ArgKind.Null) return defaultValue;
        if (a.Value.Kind != ArgKind.Int)
        {
            Report(DiagnosticDescriptors.OutOfRangeId, a.Span, $"{Who}: {name} must be an integer; got {a.Value}");
            return defaultValue;
        }
        double v = a.Value.Number;
        if (v < min || v > int.MaxValue)
        {
            Report(DiagnosticDescriptors.OutOfRangeId, a.Span, $"{Who}: {name} must be at least {min}; got {a.Value}{Fix(fix)}");
            return defaultValue;
        }
        return (int)v;
    }

    public double Double(string name, double defaultValue, double min = double.NegativeInfinity, double max = double.PositiveInfinity)
    {
        Argument? a = _layer.Find(name);
        if (a is null || a.Value.Kind == ArgKind.Null) return defaultValue;
        if (!a.Value.IsNumber)
        {
            Report(DiagnosticDescriptors.OutOfRangeId, a.Span, $"{Who}: {name} must be a number; got {a.Value}");
            return defaultValue;
        }
        double v = a.Value.Number;
        if (double.IsNaN(v))
        {
            Report(DiagnosticDescriptors.OutOfRangeId, a.Span, $"{Who}: {name} must be a number; got NaN");
            return defaultValue;
        }
        if (v < min || v > max)
        {
            string range = double.IsPositiveInfinity(max) ? $"at least {min}" : $"between {min} and {max}";
            Report(DiagnosticDescriptors.OutOfRangeId, a.Span, $"{Who}: {name} must be {range}; got {a.Value}");
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

    /// <summary>A string argument that must be one of <paramref name="allowed"/> (compared ignoring case, returned lower-case).</summary>
    public string Choice(string name, string defaultValue, params string[] allowed)
    {
        Argument? a = _layer.Find(name);
        if (a is null || a.Value.Kind == ArgKind.Null) return defaultValue;
        string? text = a.Value.Text;
        foreach (string option in allowed)
            if (string.Equals(option, text, StringComparison.OrdinalIgnoreCase)) return option;
        Report(DiagnosticDescriptors.OutOfRangeId, a.Span,
            $"{Who}: unknown {name} {a.Value}; use one of {string.Join(", ", allowed.Select(o => "\"" + o + "\""))}");
        return defaultValue;
    }

    /// <summary>
    /// An <c>int</c> or <c>int[]</c> argument with one value per spatial axis (PyTorch's <c>_pair</c>/<c>_single</c>).
    /// Returns (h, w); for a 1-D layer h is <paramref name="defaultValue"/>'s neutral 1 and w the value.
    /// </summary>
    public (int H, int W) Tuple(string name, int rank, (int H, int W) defaultValue, int min, string what, string? fix = null)
    {
        Argument? a = _layer.Find(name);
        if (a is null || a.Value.Kind == ArgKind.Null) return defaultValue;
        ArgValue v = a.Value;
        int[]? values = null;
        if (v.Kind == ArgKind.Int) values = Enumerable.Repeat((int)Math.Max(int.MinValue, Math.Min(int.MaxValue, v.Number)), rank).ToArray();
        else if (v.Kind == ArgKind.IntArray && v.Numbers.Count == rank) values = v.Numbers.Select(d => (int)Math.Max(int.MinValue, Math.Min(int.MaxValue, d))).ToArray();
        if (values is null)
        {
            string shape = rank == 1 ? "an int" : $"an int or an int[] of {rank} values";
            Report(DiagnosticDescriptors.OutOfRangeId, a.Span, $"{Who}: {what} must be {shape}; got {v}");
            return defaultValue;
        }
        if (values.Any(x => x < min))
        {
            Report(min == 0 ? DiagnosticDescriptors.InvalidPaddingId : DiagnosticDescriptors.OutOfRangeId, a.Span,
                $"{Who}: {what} must be at least {min}; got {v}{Fix(fix)}");
            return defaultValue;
        }
        return rank == 1 ? (1, values[0]) : (values[0], values[1]);
    }

    private static string Fix(string? fix) => fix is null ? "" : "; " + fix;
}
