using System.Globalization;
using ConvGen.Generator.Diagnostics;
using ConvGen.Generator.Model;
using ConvGen.Generator.Weights;
using static ConvGen.Generator.Diagnostics.DiagnosticDescriptors;

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

        var problems = new List<DiagnosticInfo>();
        SourceSpan at = request.Span;
        string name = network.Type.Name;
        string requested = request.FileName.Replace('\\', '/');
        WeightsFile? file = files.FirstOrDefault(f => f.Path.Replace('\\', '/').EndsWith("/" + requested.TrimStart('/'), StringComparison.OrdinalIgnoreCase)
                                                      || string.Equals(f.FileName, requested, StringComparison.OrdinalIgnoreCase));
        EmbeddedWeights? embedded = null;
        if (file is null)
        {
            string known = files.Count == 0 ? "the project lists no .safetensors AdditionalFiles" : "the project's weights files are " + string.Join(", ", files.Select(f => "'" + f.FileName + "'"));
            problems.Add(WeightsFileNotListed.At(at, name, request.FileName, known));
        }
        else if (file.Error is not null || file.Bytes is null)
            problems.Add(WeightsFileUnreadable.At(at, name, file.FileName, file.Error ?? "no bytes"));
        else
        {
            try
            {
                SafeTensorsHeaderInfo header = SafeTensorsHeader.Parse(file.Bytes.UnsafeArray);
                Compare(network, file.FileName, header, at, problems);
            }
            catch (WeightsException e)
            {
                problems.Add(WeightsFileInvalid.At(at, name, file.FileName, e.Message));
            }
            if (problems.Count == 0)
            {
                if (file.ResourceName is not null) embedded = new EmbeddedWeights(file.FileName, file.ResourceName, null);
                else if (file.Bytes.Length <= LiteralLimit) embedded = new EmbeddedWeights(file.FileName, null, file.Bytes);
                else
                    problems.Add(WeightsFileTooLarge.At(at, name, file.FileName, (file.Bytes.Length / 1024.0 / 1024.0).ToString("F1", CultureInfo.InvariantCulture), LiteralLimit / 1024));
            }
        }

        if (problems.Count == 0)
            return analysis with { Network = network with { Embedded = embedded } };

        var diagnostics = analysis.Diagnostics.ToList();
        diagnostics.AddRange(problems.Take(MaxReported));
        if (problems.Count > MaxReported)
            diagnostics.Add(WeightsMoreDifferences.At(at, problems.Count - MaxReported));
        return analysis with { Network = null, Diagnostics = diagnostics.ToEquatableArray() };
    }

    private static void Compare(AnalyzedNetwork network, string fileName, SafeTensorsHeaderInfo header, SourceSpan at, List<DiagnosticInfo> problems)
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
                    problems.Add(WeightsTensorMissing.At(at, fileName, expected.Key, layer, Format(expected.Shape)));
                continue;
            }
            if (expected.Ignored) continue;
            if (entry.DType is not (TensorDType.F32 or TensorDType.F16 or TensorDType.BF16))
                problems.Add(WeightsTensorDType.At(at, expected.Key, fileName, TensorDTypes.FileName(entry.DType), layer));
            else if (!entry.Shape.SequenceEqual(expected.Shape))
                problems.Add(WeightsTensorShape.At(at, expected.Key, fileName, entry.ShapeText, layer, Format(expected.Shape)));
        }
        foreach (TensorEntry entry in header.Tensors)
            if (!expectedKeys.Contains(entry.Name))
                problems.Add(WeightsTensorUnexpected.At(at, entry.Name, entry.ShapeText, fileName));
    }

    private static string Format(EquatableArray<int> shape) => "[" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";
}
