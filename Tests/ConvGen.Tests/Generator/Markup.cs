using Microsoft.CodeAnalysis.Text;

namespace ConvGen.Tests.Generator;

/// <summary>Source with the expected diagnostic span marked as <c>[|...|]</c> (one or more spans).</summary>
internal static class Markup
{
    public static (string Source, List<TextSpan> Spans) Parse(string markup)
    {
        var spans = new List<TextSpan>();
        var text = new System.Text.StringBuilder();
        int i = 0;
        var starts = new Stack<int>();
        while (i < markup.Length)
        {
            if (string.CompareOrdinal(markup, i, "[|", 0, 2) == 0) { starts.Push(text.Length); i += 2; }
            else if (string.CompareOrdinal(markup, i, "|]", 0, 2) == 0) { int s = starts.Pop(); spans.Add(TextSpan.FromBounds(s, text.Length)); i += 2; }
            else text.Append(markup[i++]);
        }
        return (text.ToString(), spans);
    }
}
