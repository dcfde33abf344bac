using ConvGen.Generator.Model;

namespace ConvGen.Generator.Planning;

internal static partial class Planner
{
    /// <summary>
    /// Fuses each blocked pointwise step with the depthwise step right after it when the depthwise reads only its
    /// output, nothing else does, and <see cref="PointwiseDepthwiseConv2d.Fuses"/> accepts the pair (the intermediate
    /// map too large to pass through the caches cheaply): one <see cref="PointwiseDepthwiseStep"/> replaces the two,
    /// and the intermediate value is no longer stored.
    /// </summary>
    private static List<Draft> FusePointwiseDepthwise(List<Draft> drafts, List<Value> values, int outputValue)
    {
        var readers = new Dictionary<int, int>();
        foreach (Draft d in drafts)
            foreach (int v in d.InputValues) readers[v] = readers.TryGetValue(v, out int n) ? n + 1 : 1;

        var fused = new List<Draft>(drafts.Count);
        for (int i = 0; i < drafts.Count; i++)
        {
            Draft first = drafts[i];
            if (i + 1 < drafts.Count && drafts[i + 1] is var second
                && first.Step is ConvolutionStep { Algorithm: ConvAlgorithm.Pointwise, Residual: false, PoolsMax2x2: false } pointwise
                && second.Step is ConvolutionStep { Algorithm: ConvAlgorithm.Depthwise, Residual: false } depthwise
                && values[first.InputValues[0]].Layout == TensorLayout.Blocked16
                && second.InputValues.Count == 1 && second.InputValues[0] == first.OutputValue
                && readers[first.OutputValue] == 1 && first.OutputValue != outputValue && first.SecondOutputValue < 0
                && PointwiseDepthwiseConv2d.Fuses(pointwise.Geometry, depthwise.Geometry)
                && PointwiseDepthwiseConv2d.ChooseTile(pointwise.Geometry) is var tile
                && IntSize(() => PointwiseDepthwiseConv2d.WorkspaceLength(pointwise.Geometry, depthwise.Geometry, tile)) is { } workspace)
            {
                var step = new PointwiseDepthwiseStep(pointwise, depthwise, tile)
                {
                    Layer = depthwise.Layer,
                    Layers = pointwise.Layers.Concat(depthwise.Layers).ToEquatableArray(),
                };
                fused.Add(new Draft { Step = step, InputValues = first.InputValues, OutputValue = second.OutputValue, WorkspaceLength = workspace });
                i++;
                continue;
            }
            fused.Add(first);
        }
        return fused;
    }
}
