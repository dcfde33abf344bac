using ConvGen.Generator.Model;

namespace ConvGen.Generator.Planning;

/// <summary>What this version can compile to code. Valid layers outside it get CG0012 rather than wrong code.</summary>
internal static class CodeGeneration
{
    /// <summary>Null when the layer is supported; otherwise why not, for the diagnostic.</summary>
    public static string? Unsupported(AnalyzedLayer layer) => layer.Kind switch
    {
        _ => null,
    };
}
