using System.Globalization;
using ConvGen.Generator.Model;
using ConvGen.Generator.Planning;

namespace ConvGen.Generator.Emit;

internal static partial class Emitter
{
    /// <summary>
    /// The XML doc comment on the type, shown on hover: a summary line, then the layer table and the threading story in
    /// the remarks. The compiler joins the doc comments of a partial type's declarations and the IDE shows the first
    /// summary and the first remarks, which are the user's when they wrote them: so the generated comment adds only what
    /// the user left out (no summary of its own over theirs), and the table is also on <c>Run</c>, where it survives
    /// the user's own remarks (<see cref="WriteRunDocumentation"/>).
    /// </summary>
    private static void WriteDocumentation(SourceWriter w, ExecutionPlan plan)
    {
        AnalyzedNetwork net = plan.Network;
        UserDocumentation user = net.Type.Documentation;
        if (!user.Summary)
        {
            w.Line("/// <summary>");
            w.Line("/// " + SummaryLine(net));
            w.Line("/// </summary>");
        }
        if (user.Remarks) return;
        w.Line("/// <remarks>");
        if (user.Summary) w.Line("/// <para>" + SummaryLine(net) + "</para>");
        WriteLayerTable(w, net);
        WritePlanDocumentation(w, plan);
        w.Line($"/// <para>Run takes {net.InputShape.Elements} floats ({Xml(net.InputShape.ToString())}, CHW) and writes {net.OutputShape.Elements}; " +
               $"it calls {plan.Steps.Count} fused steps and uses {Group(4L * plan.ArenaLength)} bytes of scratch per instance, allocating nothing.</para>");
        w.Line("/// <para>Threading: an instance owns its scratch memory, so one instance must not run two samples at once. The weights are");
        w.Line("/// read-only after Load, and <c>Clone()</c> returns an instance that shares them with scratch of its own: use one clone per thread.</para>");
        w.Line("/// </remarks>");
    }

    /// <summary>The doc comment of <c>Run(input, output)</c>: what it takes and gives, and the layer table again.</summary>
    private static void WriteRunDocumentation(SourceWriter w, ExecutionPlan plan)
    {
        AnalyzedNetwork net = plan.Network;
        w.Line("/// <summary>");
        w.Line($"/// Runs one sample: <paramref name=\"input\"/> holds {net.InputShape.Elements} floats ({Xml(net.InputShape.ToString())}, CHW), <paramref name=\"output\"/>");
        w.Line($"/// receives {net.OutputShape.Elements} ({Xml(net.OutputShape.ToString())}). Allocates nothing. Not thread-safe on one instance: use <see cref=\"Clone\"/>.");
        w.Line("/// </summary>");
        w.Line("/// <remarks>");
        w.Line("/// <para>" + SummaryLine(net) + "</para>");
        WriteLayerTable(w, net);
        WritePlanDocumentation(w, plan);
        w.Line("/// </remarks>");
        w.Line("/// <exception cref=\"global::System.ArgumentException\">A span has the wrong length, or the two overlap.</exception>");
        w.Line("/// <exception cref=\"global::System.InvalidOperationException\">Another thread is running this instance (use <see cref=\"Clone\"/>).</exception>");
    }

    private static string SummaryLine(AnalyzedNetwork net) =>
        $"{Xml(net.Type.Name)}, compiled by ConvGen: {Xml(net.InputShape.ToString())} → {Xml(net.OutputShape.ToString())}, " +
        $"{Group(net.Parameters)} parameters, {Group(net.MultiplyAccumulates)} multiply-accumulates per sample.";

    /// <summary>One row per declared layer: output shape, parameters, multiply-accumulates, receptive field; then the totals.</summary>
    private static void WriteLayerTable(SourceWriter w, AnalyzedNetwork net)
    {
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
        w.Line("/// <para>Receptive field (RF) is in input pixels: rf = rf_prev + (k - 1) · d · (product of earlier strides); " +
               "\"(whole input)\" where that reaches the input's size on every axis, \"all\" once a layer mixes every position (Flatten mixes none).</para>");
    }

    private static string Group(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);
}
