using System.Globalization;
using ConvGen.Generator.Model;
using Microsoft.CodeAnalysis;

namespace ConvGen.Generator.Diagnostics;

/// <summary>
/// One diagnostic condition: its descriptor (stable id, several conditions may share one; severity; title; message format
/// with <c>{0}</c>-style arguments; help link). A <see cref="DiagnosticInfo"/> refers to it in the cached model (a
/// descriptor is immutable and compared by value, as in dotnet/runtime's generators). The typed subclasses below make
/// every report site pass the arguments the format expects, in order and of the right type.
/// </summary>
internal abstract class DiagnosticRule
{
    /// <summary>A condition of <paramref name="family"/> (its id, title, severity and help link) with its own message format.</summary>
    private protected DiagnosticRule(DiagnosticDescriptor family, string messageFormat) =>
        Descriptor = new DiagnosticDescriptor(family.Id, family.Title, messageFormat, family.Category, family.DefaultSeverity,
            family.IsEnabledByDefault, family.Description, family.HelpLinkUri);

    public DiagnosticDescriptor Descriptor { get; }
    public string Id => Descriptor.Id;
    public bool IsError => Descriptor.DefaultSeverity == DiagnosticSeverity.Error;
    public string MessageFormat => Descriptor.MessageFormat.ToString(CultureInfo.InvariantCulture);

    private protected DiagnosticInfo Create(SourceSpan span, params object?[] arguments) =>
        new(this, span, arguments.Select(FormatArgument).ToEquatableArray());

    /// <summary>Arguments are formatted once, invariantly (a culture's minus sign or digit grouping must not leak into messages).</summary>
    private static string FormatArgument(object? value) => value switch
    {
        null => "",
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    public override string ToString() => Id + " " + Descriptor.Title;
}

internal sealed class DiagnosticRule<T1>(DiagnosticDescriptor family, string messageFormat) : DiagnosticRule(family, messageFormat)
{
    public DiagnosticInfo At(SourceSpan span, T1 a1) => Create(span, a1);
}

internal sealed class DiagnosticRule<T1, T2>(DiagnosticDescriptor family, string messageFormat) : DiagnosticRule(family, messageFormat)
{
    public DiagnosticInfo At(SourceSpan span, T1 a1, T2 a2) => Create(span, a1, a2);
}

internal sealed class DiagnosticRule<T1, T2, T3>(DiagnosticDescriptor family, string messageFormat) : DiagnosticRule(family, messageFormat)
{
    public DiagnosticInfo At(SourceSpan span, T1 a1, T2 a2, T3 a3) => Create(span, a1, a2, a3);
}

internal sealed class DiagnosticRule<T1, T2, T3, T4>(DiagnosticDescriptor family, string messageFormat) : DiagnosticRule(family, messageFormat)
{
    public DiagnosticInfo At(SourceSpan span, T1 a1, T2 a2, T3 a3, T4 a4) => Create(span, a1, a2, a3, a4);
}

internal sealed class DiagnosticRule<T1, T2, T3, T4, T5>(DiagnosticDescriptor family, string messageFormat) : DiagnosticRule(family, messageFormat)
{
    public DiagnosticInfo At(SourceSpan span, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5) => Create(span, a1, a2, a3, a4, a5);
}

internal sealed class DiagnosticRule<T1, T2, T3, T4, T5, T6>(DiagnosticDescriptor family, string messageFormat) : DiagnosticRule(family, messageFormat)
{
    public DiagnosticInfo At(SourceSpan span, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6) => Create(span, a1, a2, a3, a4, a5, a6);
}

internal sealed class DiagnosticRule<T1, T2, T3, T4, T5, T6, T7>(DiagnosticDescriptor family, string messageFormat) : DiagnosticRule(family, messageFormat)
{
    public DiagnosticInfo At(SourceSpan span, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7) => Create(span, a1, a2, a3, a4, a5, a6, a7);
}

internal sealed class DiagnosticRule<T1, T2, T3, T4, T5, T6, T7, T8>(DiagnosticDescriptor family, string messageFormat) : DiagnosticRule(family, messageFormat)
{
    public DiagnosticInfo At(SourceSpan span, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8) => Create(span, a1, a2, a3, a4, a5, a6, a7, a8);
}
