using ConvGen.Runtime.Simd;

namespace ConvGen.Runtime.Kernels;

/// <summary>
/// A 1x1, stride-1, unpadded <c>Conv2d</c> (any groups the direct kernel accepts) to a blocked output, as a GEMM over
/// the flattened positions. The epilogue adds bias, then the residual, then applies the activation, as the tile stores.
/// </summary>
public static partial class PointwiseConv2d
{
    /// <summary>Packs weights <c>[OutChannels, InChannels/Groups, 1, 1]</c> and bias (empty: none), as <see cref="DirectConv2d.Pack"/>.</summary>
    public static float[] Pack(ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, in Conv2dGeometry g)
    {
        string? problem = Rejects(g, TensorLayout.Blocked16);
        if (problem is not null && !g.IsPointwise) throw new ArgumentException($"PointwiseConv2d cannot run {DirectConv2d.Describe(g)}: {problem}.", nameof(g));
        return DirectConv2d.Pack(weights, bias, g);
    }

    /// <summary>
    /// Runs the convolution; <paramref name="residual"/> is empty or the output's length (it may be the output span);
    /// <paramref name="tile"/> accepted by <see cref="TileRejects"/>. No workspace.
    /// </summary>
    public static void Run<TAct>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packed, ReadOnlySpan<float> residual,
        in Conv2dGeometry g, TensorLayout inputLayout, ConvTile tile, TAct activation)
        where TAct : struct, IActivation
        => Run(0, input, output, packed, residual, g, inputLayout, tile, activation);

    internal static void Run<TAct>(int lanes, ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packed, ReadOnlySpan<float> residual,
        in Conv2dGeometry g, TensorLayout inputLayout, ConvTile tile, TAct activation)
        where TAct : struct, IActivation
    {
        g.Validate();
        string? problem = Rejects(g, inputLayout) ?? TileRejects(g, tile);
        Conv2d.CheckRuns(problem, "PointwiseConv2d", g);
        if (HoldsWeightsInRegisters(g, inputLayout) && (lanes == 16 || lanes == 0 && Vec512.IsHardwareAccelerated))
        {
            DirectConv2d.CheckSpans(input, output, packed, residual, g, inputLayout);
            RunChwShortReduction(input, output, packed, residual, g, activation);
            return;
        }

        // The flattened geometry is valid and takes the tile when g does (the checks above): the direct kernel checks the
        // spans only, not the geometry a second time.
        DirectConv2d.CheckSpans(input, output, packed, residual, g, inputLayout);
        DirectConv2d.RunChecked(lanes, input, output, packed, residual, Flattened(g), inputLayout, tile, activation, default);
    }
}
