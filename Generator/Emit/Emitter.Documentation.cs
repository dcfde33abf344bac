using System.Globalization;
using ConvGen.Generator.Model;
using ConvGen.Generator.Planning;

namespace ConvGen.Generator.Emit;

internal static partial class Emitter
{
    /// <summary>
    /// The XML doc comment on the type, shown on hover: a summary line, then a table with one row per declared
    /// layer (output shape, parameters, multiply-accumulates, receptive field) and the threading story.
    /// </summary>
    private static void WriteDocumentation(SourceWriter w, ExecutionPlan plan)
    {
        AnalyzedNetwork net = plan.Network;
        w.Line("/// <summary>");
        w.Line($"/// {Xml(net.Type.Name)}, compiled by ConvGen: {Xml(net.InputShape.ToString())} → {Xml(net.OutputShape.ToString())}, " +
               $"{Group(net.Parameters)} parameters, {Group(net.MultiplyAccumulates)} multiply-accumulates per sample.");
        w.Line("/// </summary>");
        w.Line("/// <remarks>");
        w.Line("/// <code>");

        var rows = new List<string[]> { new[] { "#", "layer", "output", "params", "MACs", "RF" } };
        foreach (AnalyzedLayer layer in net.Layers)
            rows.Add(new[] { layer.Index.ToString(CultureInfo.InvariantCulture), layer.Text, layer.OutputShape.ToString(), Group(layer.Parameters), Group(layer.MultiplyAccumulates), layer.ReceptiveField });
        rows.Add(new[] { "", "total", "", Group(net.Parameters), Group(net.MultiplyAccumulates), "" });
        int[] widths = Enumerable.Range(0, 6).Select(c => rows.Max(r => r[c].Length)).ToArray();
        bool[] right = { true, false, false, true, true, false };
        foreach (string[] row in rows)
        {
            string line = string.Join("  ", row.Select((cell, c) => right[c] ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]))).TrimEnd();
            w.Line("/// " + Xml(line));
        }
        w.Line("/// </code>");
        WritePlanDocumentation(w, plan);
        w.Line($"/// <para>Run takes {net.InputShape.Elements} floats ({Xml(net.InputShape.ToString())}, CHW) and writes {net.OutputShape.Elements}; " +
               $"it calls {plan.Steps.Count} fused steps and uses {Group(4L * plan.ArenaLength)} bytes of scratch per instance, allocating nothing.</para>");
        w.Line("/// <para>Threading: an instance owns its scratch memory, so one instance must not run two samples at once. The weights are");
        w.Line("/// read-only after Load, and <c>Clone()</c> returns an instance that shares them with scratch of its own: use one clone per thread.</para>");
        w.Line("/// <para>Receptive field (RF) is in input pixels: rf = rf_prev + (k - 1) · d · (product of earlier strides); \"all\" once a layer sees every position.</para>");
        w.Line("/// </remarks>");
    }

    private static string Group(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);
}
