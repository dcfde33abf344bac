namespace ConvGen.Generator.Model;

/// <summary>A character span in the file that declares the network: where a diagnostic goes, as plain data.</summary>
internal readonly record struct SourceSpan(int Start, int Length)
{
    public static SourceSpan None => default;
    public bool IsNone => Start == 0 && Length == 0;
}
