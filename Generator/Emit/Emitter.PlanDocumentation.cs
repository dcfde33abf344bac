using ConvGen.Generator.Model;
using ConvGen.Generator.Planning;

namespace ConvGen.Generator.Emit;

internal static partial class Emitter
{
    /// <summary>
    /// The plan in the hover documentation: one line per step of Run, with the declared layers it implements and what
    /// the planner chose (algorithm, layouts, tile, fusion), in the words of the step methods' summaries.
    /// </summary>
    private static void WritePlanDocumentation(SourceWriter w, ExecutionPlan plan)
    {
        w.Line("/// <para>How Run computes it, one step per line (layers by index):</para>");
        w.Line("/// <code>");
        int width = plan.Steps.Max(s => LayerRange(s).Length);
        foreach (PlanStep step in plan.Steps)
            w.Line("/// " + Xml($"step {step.Number,-3} {LayerRange(step).PadRight(width)}  {StepKindName(step)}: {Choices(step)}"));
        w.Line("/// </code>");
    }

    /// <summary>"#0-2" for consecutive layers, "#10, #12" otherwise, "#3" for one.</summary>
    private static string LayerRange(PlanStep step)
    {
        EquatableArray<AnalyzedLayer> layers = step.Layers;
        int first = layers[0].Index, last = layers[layers.Count - 1].Index;
        if (layers.Count == 1) return $"#{first}";
        bool consecutive = last - first == layers.Count - 1;
        return consecutive ? $"#{first}-{last}" : string.Join(", ", layers.Select(l => $"#{l.Index}"));
    }
}
