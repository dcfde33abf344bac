using ConvGen.Generator.Model;

namespace ConvGen.Generator.Diagnostics;

/// <summary>A diagnostic as plain data: which descriptor, where in the declaring file, and the message.</summary>
internal sealed record DiagnosticInfo(string Id, SourceSpan Span, string Message)
{
    public override string ToString() => $"{Id} @{Span.Start}+{Span.Length}: {Message}";
}
