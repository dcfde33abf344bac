using System.IO;
using System.Threading;
using ConvGen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace ConvGen.Generator.Parsing;

/// <summary>
/// Reads a .safetensors file of the project's AdditionalFiles. The compiler only hands additional files over as
/// text, and refuses binary ones (CS2015) when asked for their text, so the bytes are read from the file's path:
/// the one place the generator touches the file system, and only for files the project lists.
/// </summary>
internal static class WeightsFileReader
{
    /// <summary>The item metadata ConvGen.targets sets on a weights file it also embeds as a manifest resource.</summary>
    public const string ResourceMetadata = "build_metadata.AdditionalFiles.ConvGenEmbeddedResource";

    public static WeightsFile Read(AdditionalText file, AnalyzerConfigOptions options, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string name = Path.GetFileName(file.Path);
        string? resource = options.TryGetValue(ResourceMetadata, out string? value) && !string.IsNullOrWhiteSpace(value) ? value : null;
        try
        {
#pragma warning disable RS1035 // File IO: binary additional files cannot be read through AdditionalText.GetText.
            byte[] bytes = File.ReadAllBytes(file.Path);
#pragma warning restore RS1035
            return new WeightsFile(file.Path, name, new FileBytes(bytes), resource, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return new WeightsFile(file.Path, name, null, resource, e.Message);
        }
    }
}
