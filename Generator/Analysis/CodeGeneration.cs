using ConvGen.Generator.Model;

namespace ConvGen.Generator.Analysis;

/// <summary>
/// What this version compiles to code. A declaration that analyses cleanly but uses a layer outside it gets CG0012 on
/// that layer and never reaches the planner: its shapes, parameters and weights are checked, nothing is generated.
/// The layers of the contract's 2026-12 row are analysed here before the planner and runtime have their kernels.
/// </summary>
internal static class CodeGeneration
{
    /// <summary>Null when code is generated for the layer; otherwise why not, for the diagnostic.</summary>
    /// <param name="shapeOf">The output shape of a layer by index, -1 being the network input.</param>
    public static string? Unsupported(AnalyzedLayer layer, Func<int, Shape> shapeOf)
    {
        switch (layer.Kind)
        {
            case LayerKind.Activation:
                // An activation of the catalog without a runtime operator struct yet (Generator/Model/Activations.cs).
                return layer.Geometry.Activation!.Operator is null ? $"{layer.TypeName} has no generated code yet" : null;
            default:
                return null;
        }
    }
}
