using System.Globalization;
using ConvGen.Generator.Diagnostics;
using ConvGen.Generator.Model;

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

    private const string TensorLimit = "ConvGen supports tensors of at most 1,073,741,824 (2^30) floats";

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
        a.Report(DiagnosticDescriptors.BeyondLimitsId, span,
            $"{a.Who}: its output would be {ShapeText(dims)}, {CheckedSize.Text(elements)} floats; {TensorLimit}. {fix}");
        return null;
    }

    /// <summary>CG0013 when a padded or transposed axis spans more than <see cref="MaxExtent"/> positions.</summary>
    /// <param name="what">What spans them, e.g. "the padded input (8 + 2 × 2147483647 padding)".</param>
    public static bool Extent(ArgumentReader a, SourceSpan span, string what, long extent, string fix)
    {
        if (extent <= MaxExtent) return true;
        a.Report(DiagnosticDescriptors.BeyondLimitsId, span,
            $"{a.Who}: {what} spans {extent} positions along one axis; ConvGen supports at most 1,073,741,824 (2^30). {fix}");
        return false;
    }

    /// <summary>CG0013 for a network input of more than <see cref="MaxTensorElements"/> floats.</summary>
    public static DiagnosticInfo? Input(NetworkDeclaration declaration)
    {
        long elements = CheckedSize.Product(declaration.InputShape.Select(d => (long)d).ToArray());
        if (elements <= MaxTensorElements) return null;
        return new DiagnosticInfo(DiagnosticDescriptors.BeyondLimitsId, declaration.NetworkSpan,
            $"Network '{declaration.Type.Name}': the input {string.Join("×", declaration.InputShape)} has {CheckedSize.Text(elements)} floats; {TensorLimit}. Use a smaller input (crop or downsample it)");
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
            found.Add(new DiagnosticInfo(DiagnosticDescriptors.BeyondLimitsId, layer.Span,
                $"Network '{declaration.Type.Name}' has {CheckedSize.Text(network.Parameters)} parameters{Bytes(network.Parameters)}; ConvGen supports at most 536,870,912 (2^29), " +
                $"as Load reads the safetensors file into one span of at most 2 GiB. {layer.DisplayName} has {CheckedSize.Text(largest.Parameters)} of them: use fewer channels or features, or a smaller kernel"));
        }
        if (scratchFloats > MaxScratchFloats)
        {
            found.Add(new DiagnosticInfo(DiagnosticDescriptors.BeyondLimitsId, declaration.NetworkSpan,
                $"Network '{declaration.Type.Name}' needs {CheckedSize.Text(scratchFloats)} floats{Bytes(scratchFloats)} of scratch per instance for its intermediate tensors and convolution workspaces; " +
                "ConvGen supports at most 1,073,741,824 (2^30, 4 GiB) per instance, allocated by Load and by every Clone. Use a smaller input or fewer channels"));
        }
        return found.Count == 0 ? analysis : new AnalysisResult(null, analysis.Diagnostics.Concat(found).ToEquatableArray()) { Weights = analysis.Weights };
    }

    private static string ShapeText(double[] dims) => string.Join("×", dims.Select(d => CheckedSize.Dimension(d)));

    /// <summary>" (4.0 GiB)": a count of floats in bytes.</summary>
    private static string Bytes(long floats) => floats >= CheckedSize.Saturated / 4 ? ""
        : " (" + (4.0 * floats / (1L << 30)).ToString("0.0", CultureInfo.InvariantCulture) + " GiB)";
}
