using System.Text;

namespace ConvGen.Samples;

/// <summary>Small text drawings of images for the console samples.</summary>
public static class Terminal
{
    private const string Ramp = " .:-=+*#%@";

    /// <summary>
    /// A grayscale image as text: one character per pixel column, one line per two pixel rows (their mean), so that
    /// the drawing keeps the image's proportions in a terminal font. Values are mapped from [lo, hi] onto a ramp of
    /// ten characters from blank to '@'.
    /// </summary>
    public static string[] Shade(ReadOnlySpan<float> image, int height, int width, float lo, float hi)
    {
        var lines = new string[(height + 1) / 2];
        var sb = new StringBuilder(width);
        for (int row = 0; row < height; row += 2)
        {
            sb.Clear();
            for (int col = 0; col < width; col++)
            {
                float v = row + 1 < height ? 0.5f * (image[row * width + col] + image[(row + 1) * width + col]) : image[row * width + col];
                float t = Math.Clamp((v - lo) / (hi - lo), 0f, 1f);
                sb.Append(Ramp[(int)MathF.Round(t * (Ramp.Length - 1))]);
            }
            lines[row / 2] = sb.ToString();
        }
        return lines;
    }

    /// <summary>A binary mask as text with half blocks (▀ ▄ █): one character per pixel column and two pixel rows, exact.</summary>
    public static string[] Blocks(ReadOnlySpan<bool> mask, int height, int width)
    {
        var lines = new string[(height + 1) / 2];
        var sb = new StringBuilder(width);
        for (int row = 0; row < height; row += 2)
        {
            sb.Clear();
            for (int col = 0; col < width; col++)
            {
                bool top = mask[row * width + col], bottom = row + 1 < height && mask[(row + 1) * width + col];
                sb.Append(top && bottom ? '█' : top ? '▀' : bottom ? '▄' : ' ');
            }
            lines[row / 2] = sb.ToString();
        }
        return lines;
    }

    /// <summary>Drawings side by side in frames, each under its title.</summary>
    public static string SideBySide(params (string Title, string[] Lines)[] panels)
    {
        var sb = new StringBuilder();
        int[] widths = panels.Select(p => Math.Max(p.Title.Length, p.Lines.Length == 0 ? 0 : p.Lines.Max(l => l.Length))).ToArray();
        int height = panels.Max(p => p.Lines.Length);
        for (int i = 0; i < panels.Length; i++) sb.Append(' ').Append(panels[i].Title.PadRight(widths[i])).Append(' ').Append(i + 1 < panels.Length ? "  " : "");
        sb.AppendLine();
        for (int i = 0; i < panels.Length; i++) sb.Append('┌').Append(new string('─', widths[i])).Append('┐').Append(i + 1 < panels.Length ? "  " : "");
        sb.AppendLine();
        for (int row = 0; row < height; row++)
        {
            for (int i = 0; i < panels.Length; i++)
            {
                string line = row < panels[i].Lines.Length ? panels[i].Lines[row] : "";
                sb.Append('│').Append(line.PadRight(widths[i])).Append('│').Append(i + 1 < panels.Length ? "  " : "");
            }
            sb.AppendLine();
        }
        for (int i = 0; i < panels.Length; i++) sb.Append('└').Append(new string('─', widths[i])).Append('┘').Append(i + 1 < panels.Length ? "  " : "");
        return sb.ToString();
    }

    /// <summary>A horizontal bar for a value in [0, 1]: "█████▌    ".</summary>
    public static string Bar(double fraction, int width)
    {
        double cells = Math.Clamp(fraction, 0, 1) * width;
        int full = (int)cells;
        var sb = new StringBuilder(new string('█', full));
        if (full < width && cells - full >= 0.5) sb.Append('▌');
        return sb.ToString().PadRight(width);
    }
}
