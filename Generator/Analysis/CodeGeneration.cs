using ConvGen.Generator.Model;

namespace ConvGen.Generator.Analysis;

/// <summary>
/// What this version compiles to code. A declaration that analyses cleanly but uses a layer outside it gets CG0012 on
/// that layer and never reaches the planner: its shapes, parameters and weights are checked, nothing is generated.
/// Every layer kind has code today; an activation of the catalog gets it once the runtime names its operator struct.
/// </summary>
internal static class CodeGeneration
{
    /// <summary>Null when code is generated for the layer; otherwise why not, for the diagnostic.</summary>
    public static string? Unsupported(AnalyzedLayer layer) =>
        // An activation of the catalog without a runtime operator struct yet (Generator/Model/Activations.cs).
        layer.Kind == LayerKind.Activation && layer.Geometry.Activation!.Operator is null
            ? $"{layer.TypeName} has no generated code yet"
            : null;
}
