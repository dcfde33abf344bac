using System.Globalization;
using ConvGen.Generator.Model;

namespace ConvGen.Generator.Diagnostics;

/// <summary>
/// A diagnostic as plain data: the condition, where (relative to the network declaration), the formatted arguments of
/// its message, and the repairs the IDE offers (<see cref="Fixes"/>, each a set of text edits verified by re-analysis).
/// </summary>
internal sealed record DiagnosticInfo(DiagnosticRule Rule, SourceSpan Span, EquatableArray<string> Arguments)
{
    public string Id => Rule.Id;
    public bool IsError => Rule.IsError;
    public string Message => string.Format(CultureInfo.InvariantCulture, Rule.MessageFormat, Arguments.Cast<object>().ToArray());

    /// <summary>Verified repairs, ready for the code-fix provider.</summary>
    public EquatableArray<CodeFix> Fixes { get; init; } = EquatableArray<CodeFix>.Empty;

    /// <summary>Repairs proposed by the analysis, still to be verified (and then turned into <see cref="Fixes"/>).</summary>
    public EquatableArray<FixProposal> Proposals { get; init; } = EquatableArray<FixProposal>.Empty;

    public DiagnosticInfo WithFix(FixProposal? proposal) =>
        proposal is null ? this : this with { Proposals = Proposals.Concat(new[] { proposal }).ToEquatableArray() };

    public DiagnosticInfo WithFixes(IEnumerable<FixProposal> proposals) =>
        this with { Proposals = Proposals.Concat(proposals).ToEquatableArray() };

    /// <summary>A fix that needs no verification (a syntactic repair such as adding <c>partial</c>).</summary>
    public DiagnosticInfo WithCodeFix(string title, params TextEdit[] edits) =>
        this with { Fixes = Fixes.Concat(new[] { new CodeFix(title, edits.ToEquatableArray()) }).ToEquatableArray() };

    public override string ToString() => $"{Id} @{Span.Start}+{Span.Length}: {Message}";
}

/// <summary>A repair the IDE offers as a code fix: its title and the text edits that make it.</summary>
internal sealed record CodeFix(string Title, EquatableArray<TextEdit> Edits);

/// <summary>Replace <see cref="Span"/> (relative to the network declaration) with <see cref="NewText"/>; an empty span inserts.</summary>
internal readonly record struct TextEdit(SourceSpan Span, string NewText);
