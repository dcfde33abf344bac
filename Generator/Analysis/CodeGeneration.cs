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
            case LayerKind.PReLU
                or LayerKind.Subtract or LayerKind.Parameter or LayerKind.Chunk or LayerKind.Split
                or LayerKind.Permute or LayerKind.LayerNorm or LayerKind.LayerNorm2d:
                return $"{layer.Kind} has no generated code yet";
            case LayerKind.Add or LayerKind.Multiply:
                if (layer.Geometry.Scalar is not null) return $"{layer.Kind} with a number has no generated code yet";
                if (layer.Inputs.Any(i => shapeOf(i) != layer.OutputShape))
                    return $"{layer.Kind} of broadcast shapes ({string.Join(" and ", layer.Inputs.Select(i => shapeOf(i).ToString()))}) has no generated code yet";
                return null;
            default:
                return null;
        }
    }
}
