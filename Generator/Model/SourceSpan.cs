namespace ConvGen.Generator.Model;

/// <summary>
/// A character span, as plain data: where a diagnostic or a fix's edit goes. Spans in the model are relative to the
/// start of the network's type declaration (its first attribute list), so that an edit above a network does not change
/// that network's model; the diagnostics step adds the declaration's position back.
/// </summary>
internal readonly record struct SourceSpan(int Start, int Length)
{
    /// <summary>No span (an argument that is not written).</summary>
    public static SourceSpan None => new(0, -1);
    public bool IsNone => Length < 0;
    public int End => Start + Length;
    public static SourceSpan FromBounds(int start, int end) => new(start, end - start);
    public SourceSpan Shift(int offset) => IsNone ? this : new SourceSpan(Start + offset, Length);
}
