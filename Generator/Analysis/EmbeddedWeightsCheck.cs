using System.Globalization;
using ConvGen.Generator.Diagnostics;
using ConvGen.Generator.Model;
using ConvGen.Generator.Weights;

namespace ConvGen.Generator.Analysis;

/// <summary>
/// Checks a network's embedded weights file against the declaration at compile time (CG0011): the file must be among
/// the AdditionalFiles, be a valid safetensors file, and hold exactly the tensors the layers expect, in their shapes.
/// Then decides how Load() gets the bytes: a manifest resource when ConvGen.targets embeds the file, otherwise a
/// data literal for a file small enough to paste into the source.
/// </summary>
internal static class EmbeddedWeightsCheck
{
    /// <summary>Largest file pasted into the generated source as a byte array (larger ones need ConvGen.targets).</summary>
    public const int LiteralLimit = 256 * 1024;

    private const int MaxReported = 6;

    public static AnalysisResult Attach(AnalysisResult analysis, EquatableArray<WeightsFile> files)
    {
        if (analysis.Weights is not { } request || analysis.Network is not { } network) return analysis;

        var problems = new List<string>();
        string requested = request.FileName.Replace('\\', '/');
        WeightsFile? file = files.FirstOrDefault(f => f.Path.Replace('\\', '/').EndsWith("/" + requested.TrimStart('/'), StringComparison.OrdinalIgnoreCase)
                                                      || string.Equals(f.FileName, requested, StringComparison.OrdinalIgnoreCase));
        EmbeddedWeights? embedded = null;
        if (file is null)
        {
            string known = files.Count == 0 ? "the project lists no .safetensors AdditionalFiles" : "the project's weights files are " + string.Join(", ", files.Select(f => "'" + f.FileName + "'"));
            problems.Add($"Network '{network.Type.Name}': the weights file '{request.FileName}' is not among the project's AdditionalFiles ({known}); add <AdditionalFiles Include=\"{request.FileName}\" /> to the project");
        }
        else if (file.Error is not null || file.Bytes is null)
            problems.Add($"Network '{network.Type.Name}': cannot read the weights file '{file.FileName}': {file.Error}");
        else
        {
            try
            {
                SafeTensorsHeaderInfo header = SafeTensorsHeader.Parse(file.Bytes.UnsafeArray);
                Compare(network, file.FileName, header, problems);
            }
            catch (WeightsException e)
            {
                problems.Add($"Network '{network.Type.Name}': '{file.FileName}' is not a valid safetensors file: {e.Message}");
            }
            if (problems.Count == 0)
            {
                if (file.ResourceName is not null) embedded = new EmbeddedWeights(file.FileName, file.ResourceName, null);
                else if (file.Bytes.Length <= LiteralLimit) embedded = new EmbeddedWeights(file.FileName, null, file.Bytes);
                else
                    problems.Add($"Network '{network.Type.Name}': '{file.FileName}' is {file.Bytes.Length / 1024.0 / 1024.0:F1} MB, too large to paste into generated source (the limit is {LiteralLimit / 1024} KB); " +
                                 "import ConvGen.targets (<Import Project=\"path/to/build/ConvGen.targets\" />) so the file travels as an embedded resource");
            }
        }

        if (problems.Count == 0)
            return analysis with { Network = network with { Embedded = embedded } };

        var diagnostics = analysis.Diagnostics.ToList();
        foreach (string problem in problems.Take(MaxReported))
            diagnostics.Add(new DiagnosticInfo(DiagnosticDescriptors.WeightsFileId, request.Span, problem));
        if (problems.Count > MaxReported)
            diagnostics.Add(new DiagnosticInfo(DiagnosticDescriptors.WeightsFileId, request.Span, $"... and {problems.Count - MaxReported} more differences between the weights file and the declaration"));
        return analysis with { Network = null, Diagnostics = diagnostics.ToEquatableArray() };
    }

    private static void Compare(AnalyzedNetwork network, string fileName, SafeTensorsHeaderInfo header, List<string> problems)
    {
        var expectedKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (ExpectedTensor expected in WeightsManifest.Of(network))
        {
            expectedKeys.Add(expected.Key);
            TensorEntry? entry = header.Find(expected.Key);
            string layer = $"layer #{expected.LayerIndex} ({network.Layers.First(l => l.Index == expected.LayerIndex).Text})";
            if (entry is null)
            {
                if (!expected.Ignored)
                    problems.Add($"'{fileName}' has no tensor '{expected.Key}'; {layer} expects shape {Format(expected.Shape)}");
                continue;
            }
            if (expected.Ignored) continue;
            if (entry.DType is not (TensorDType.F32 or TensorDType.F16 or TensorDType.BF16))
                problems.Add($"tensor '{expected.Key}' in '{fileName}' is {TensorDTypes.FileName(entry.DType)}; {layer} needs F32 (or F16/BF16, widened at load)");
            else if (!entry.Shape.SequenceEqual(expected.Shape))
                problems.Add($"tensor '{expected.Key}' in '{fileName}' has shape {entry.ShapeText}; {layer} expects {Format(expected.Shape)}");
        }
        foreach (TensorEntry entry in header.Tensors)
            if (!expectedKeys.Contains(entry.Name))
                problems.Add($"tensor '{entry.Name}' {entry.ShapeText} in '{fileName}' belongs to no layer of the declaration (unnamed layers are keyed by position, named ones by Name)");
    }

    private static string Format(EquatableArray<int> shape) => "[" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";
}
