using System.Globalization;
using ConvGen.Generator.Diagnostics;
using ConvGen.Generator.Model;
using static ConvGen.Generator.Diagnostics.DiagnosticDescriptors;

namespace ConvGen.Generator.Analysis;

/// <summary>
/// What this version of ConvGen supports, and CG0013 for a network beyond it; each message gives the size, the
/// limit and what to change. The numbers, and why (README, Diagnostics):
/// <list type="bullet">
/// <item>a tensor (the input, the output, every intermediate) holds at most 2^30 floats, and a padded or transposed
/// axis spans at most 2^30 positions: the runtime indexes with <c>int</c>, and half its range leaves room for the
/// index arithmetic beyond a tensor's end (two vectors past a stride-2 row, a padded tap);</item>
/// <item>the scratch arena of one instance holds at most 2^30 floats (4 GiB): it is one <c>float[]</c>, allocated by
/// Load and by every Clone;</item>
/// <item>at most 2^29 parameters: Load reads the safetensors file into one span, which holds 2 GiB, 2^29 float32s.</item>
/// </list>
/// Sizes are computed in 64 bits (<see cref="CheckedSize"/>) before they are checked, so a message never prints a
/// wrapped number. The layer rules call <see cref="Output"/> and <see cref="Extent"/> where a size is computed;
/// <see cref="CheckNetwork"/> checks the totals after analysis.
/// </summary>
internal static class Limits
{
    public const long MaxTensorElements = 1L << 30;
    public const long MaxExtent = 1L << 30;
    public const long MaxScratchFloats = 1L << 30;
    public const long MaxParameters = 1L << 29;

    /// <summary>
    /// The shape of a layer's output from sizes computed in 64 bits (or as doubles, for a scale factor), or null
    /// after CG0013 on <paramref name="span"/> when it holds more than <see cref="MaxTensorElements"/> floats.
    /// Every size must be at least 1.
    /// </summary>
    public static Shape? Output(ArgumentReader a, SourceSpan span, string fix, params double[] dims)
    {
        double elements = 1;
        foreach (double d in dims) elements *= d;
        // Rounding is monotone: a product of exact integers at most 2^30 is exact, one above it stays above it.
        if (elements <= MaxTensorElements) return new Shape(dims.Select(d => (int)d).ToEquatableArray());
        a.Report(OutputBeyondLimit.At(span, a.Who, ShapeText(dims), CheckedSize.Text(elements), fix));
        return null;
    }

    /// <summary>CG0013 when a padded or transposed axis spans more than <see cref="MaxExtent"/> positions.</summary>
    /// <param name="what">What spans them, e.g. "the padded input (8 + 2 × 2147483647 padding)".</param>
    public static bool Extent(ArgumentReader a, SourceSpan span, string what, long extent, string fix)
    {
        if (extent <= MaxExtent) return true;
        a.Report(ExtentBeyondLimit.At(span, a.Who, what, extent, fix));
        return false;
    }

    /// <summary>CG0013 for a network input of more than <see cref="MaxTensorElements"/> floats.</summary>
    public static DiagnosticInfo? Input(NetworkDeclaration declaration)
    {
        long elements = CheckedSize.Product(declaration.InputShape.Select(d => (long)d).ToArray());
        if (elements <= MaxTensorElements) return null;
        return InputBeyondLimit.At(declaration.NetworkSpan, declaration.Type.Name, string.Join("×", declaration.InputShape), CheckedSize.Text(elements));
    }

    /// <summary>
    /// After analysis: CG0013 when the network has more than <see cref="MaxParameters"/> parameters (reported on the
    /// layer with the most) or needs more than <see cref="MaxScratchFloats"/> floats of scratch per instance
    /// (<paramref name="scratchFloats"/>, the planner's arena; reported on [Network]). A network beyond them is dropped.
    /// </summary>
    public static AnalysisResult CheckNetwork(NetworkDeclaration declaration, AnalysisResult analysis, long scratchFloats)
    {
        if (analysis.Network is not { } network) return analysis;
        var found = new List<DiagnosticInfo>();
        if (network.Parameters > MaxParameters)
        {
            AnalyzedLayer largest = network.Layers.OrderByDescending(l => l.Parameters).First();
            LayerDeclaration layer = declaration.Layers.First(l => l.Index == largest.Index);
            found.Add(ParametersBeyondLimit.At(layer.Span, declaration.Type.Name, CheckedSize.Text(network.Parameters), Bytes(network.Parameters),
                layer.DisplayName, CheckedSize.Text(largest.Parameters)));
        }
        if (scratchFloats > MaxScratchFloats)
        {
            found.Add(ScratchBeyondLimit.At(declaration.NetworkSpan, declaration.Type.Name, CheckedSize.Text(scratchFloats), Bytes(scratchFloats)));
        }
        return found.Count == 0 ? analysis : new AnalysisResult(null, analysis.Diagnostics.Concat(found).ToEquatableArray()) { Weights = analysis.Weights };
    }

    private static string ShapeText(double[] dims) => string.Join("×", dims.Select(d => CheckedSize.Dimension(d)));

    /// <summary>" (4.0 GiB)": a count of floats in bytes.</summary>
    private static string Bytes(long floats) => floats >= CheckedSize.Saturated / 4 ? ""
        : " (" + (4.0 * floats / (1L << 30)).ToString("0.0", CultureInfo.InvariantCulture) + " GiB)";
}
