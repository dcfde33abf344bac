using System.Text;

namespace ConvGen.Generator.Emit;

/// <summary>An indented text writer for generated C#: one line at a time, braces open and close blocks.</summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public SourceWriter Line(string line = "")
    {
        if (line.Length > 0) _text.Append(' ', _indent * 4).Append(line);
        _text.Append('\n');
        return this;
    }

    /// <summary>Writes <paramref name="line"/> (if any) and opens a block on the next line.</summary>
    public SourceWriter Open(string line = "")
    {
        if (line.Length > 0) Line(line);
        Line("{");
        _indent++;
        return this;
    }

    public SourceWriter Close(string suffix = "")
    {
        _indent--;
        return Line("}" + suffix);
    }

    public override string ToString() => _text.ToString();
}
