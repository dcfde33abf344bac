namespace ConvGen.Tests.Generator;

internal static class DiagnosticHelp
{
    /// <summary>The README section of an id: its heading is the id, so GitHub's anchor is the id in lower case.</summary>
    public static string Link(string id) => "README.md#" + id.ToLowerInvariant();
}
