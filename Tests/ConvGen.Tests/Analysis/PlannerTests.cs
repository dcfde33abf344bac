using ConvGen.Generator.Analysis;
using ConvGen.Generator.Model;
using ConvGen.Generator.Planning;
using static ConvGen.Tests.Analysis.Declarations;

namespace ConvGen.Tests.Analysis;

/// <summary>Fusion, kernel choice and the memory plan, without Roslyn.</summary>
public class PlannerTests
{
    private static ExecutionPlan Plan(NetworkDeclaration declaration)
    {
        AnalysisResult result = NetworkAnalyzer.Analyze(declaration);
        Assert.True(result.Network is not null, string.Join("\n", result.Diagnostics));
        return Planner.Plan(result.Network!);
    }

    [Fact]
    public void ConvBatchNormReLUBecomeOneStep()
    {
        ExecutionPlan plan = Plan(Network(new[] { 3, 8, 8 },
            Layer(LayerKind.Conv2d, ("OutChannels", 4), ("KernelSize", 3), ("Padding", 1)), Layer(LayerKind.BatchNorm2d), Layer(LayerKind.ReLU),
            Layer(LayerKind.MaxPool2d, ("KernelSize", 2)), Layer(LayerKind.ReLU)));
        Assert.Equal(3, plan.Steps.Count);
        PlanStep conv = plan.Steps[0];
        Assert.Equal(KernelKind.ConvIm2Col, conv.Kernel);
        Assert.NotNull(conv.FoldedBatchNorm);
        Assert.Equal("ReLU", conv.Epilogue.Activation);
        // The last ReLU cannot fuse into pooling: it runs in place on the output span.
        Assert.Equal(KernelKind.Activation, plan.Steps[2].Kernel);
        Assert.Equal(StorageKind.Output, plan.Steps[2].Inputs[0].Storage);
        Assert.Equal(StorageKind.Output, plan.Steps[1].Output.Storage);
    }

    [Fact]
    public void NamedOutputIsNotFusedAway()
    {
        ExecutionPlan plan = Plan(Network(new[] { 3, 8, 8 },
            Layer(LayerKind.Conv2d, ("OutChannels", 3), ("KernelSize", 3), ("Padding", 1), ("Name", "c")), Layer(LayerKind.ReLU),
            Layer(LayerKind.Add, ("Inputs", new[] { "c" }))));
        Assert.Equal(3, plan.Steps.Count);
        Assert.True(plan.Steps[0].Epilogue.IsNone);
    }

    [Theory]
    [InlineData(1, 1, 0, 1, "ConvPointwise")]
    [InlineData(3, 1, 1, 1, "ConvIm2Col")]
    [InlineData(3, 2, 1, 8, "ConvDepthwise")]
    [InlineData(1, 2, 0, 1, "ConvIm2Col")]
    public void KernelChoice(int kernel, int stride, int padding, int groups, string expected)
    {
        ExecutionPlan plan = Plan(Network(new[] { 8, 8, 8 },
            Layer(LayerKind.Conv2d, ("OutChannels", 8), ("KernelSize", kernel), ("Stride", stride), ("Padding", padding), ("Groups", groups))));
        Assert.Equal(expected, plan.Steps[0].Kernel.ToString());
    }

    [Fact]
    public void ArenaReusesMemoryOfDeadTensors()
    {
        // A chain of same-size convs: only two activations are ever alive, plus one im2col workspace.
        var layers = Enumerable.Range(0, 6).Select(_ => Layer(LayerKind.Conv2d, ("OutChannels", 8), ("KernelSize", 3), ("Padding", 1))).ToArray();
        ExecutionPlan plan = Plan(Network(new[] { 8, 16, 16 }, layers));
        int tensor = 8 * 16 * 16, workspace = 8 * 9 * 16 * 16;
        Assert.True(plan.ArenaLength <= 2 * tensor + workspace + 2 * Planner.Alignment, $"arena {plan.ArenaLength}");
        AssertNoLiveOverlap(plan);
    }

    [Fact]
    public void UNetSkipConnectionsStayAliveAndNothingOverlaps()
    {
        ExecutionPlan plan = Plan(Network(new[] { 4, 16, 16 },
            Layer(LayerKind.Conv2d, ("OutChannels", 8), ("KernelSize", 3), ("Padding", 1), ("Name", "e1")),
            Layer(LayerKind.MaxPool2d, ("KernelSize", 2)),
            Layer(LayerKind.Conv2d, ("OutChannels", 16), ("KernelSize", 3), ("Padding", 1), ("Name", "e2")),
            Layer(LayerKind.MaxPool2d, ("KernelSize", 2)),
            Layer(LayerKind.Conv2d, ("OutChannels", 16), ("KernelSize", 1)),
            Layer(LayerKind.AdaptiveAvgPool2d, ("OutputSize", 8)),
            Layer(LayerKind.Concat, ("Inputs", new[] { "e2" })),
            Layer(LayerKind.Conv2d, ("OutChannels", 8), ("KernelSize", 1)),
            Layer(LayerKind.AdaptiveMaxPool2d, ("OutputSize", 16)),
            Layer(LayerKind.Concat, ("Inputs", new[] { "e1" })),
            Layer(LayerKind.Conv2d, ("OutChannels", 1), ("KernelSize", 1))));
        AssertNoLiveOverlap(plan);
        // Scratch never exceeds the largest set of simultaneously live tensors (plus alignment).
        Assert.True(plan.ArenaLength <= PeakLive(plan) + 16 * Planner.Alignment, $"arena {plan.ArenaLength} vs peak {PeakLive(plan)}");
    }

    /// <summary>For every step, the arena slices it touches must not overlap slices of tensors alive at that step.</summary>
    private static void AssertNoLiveOverlap(ExecutionPlan plan)
    {
        var intervals = Intervals(plan);
        foreach (var a in intervals)
            foreach (var b in intervals)
            {
                if (ReferenceEquals(a, b)) continue;
                bool timeOverlap = a.From <= b.To && b.From <= a.To;
                bool spaceOverlap = a.Slice.Offset < b.Slice.Offset + b.Slice.Length && b.Slice.Offset < a.Slice.Offset + a.Slice.Length;
                Assert.False(timeOverlap && spaceOverlap, $"{a} overlaps {b}");
            }
    }

    private sealed record Interval(BufferSlice Slice, int From, int To);

    /// <summary>
    /// Each tensor's lifetime: from the step that writes it to the last step that reads it (an in-place step continues
    /// it); each workspace lives during its own step only.
    /// </summary>
    private static List<Interval> Intervals(ExecutionPlan plan)
    {
        var done = new List<Interval>();
        var open = new Dictionary<BufferSlice, Interval>();
        foreach (PlanStep step in plan.Steps)
        {
            foreach (BufferSlice input in step.Inputs.Where(i => i.Storage == StorageKind.Arena))
                open[input] = open[input] with { To = step.Number };
            if (step.Workspace is { } w) done.Add(new Interval(w, step.Number, step.Number));
            if (step.PaddedInput is { } p) done.Add(new Interval(p, step.Number, step.Number));
            if (step.Output.Storage != StorageKind.Arena || step.Inputs.Contains(step.Output)) continue;
            if (open.Remove(step.Output, out Interval? finished)) done.Add(finished);
            open[step.Output] = new Interval(step.Output, step.Number, step.Number);
        }
        return done.Concat(open.Values).ToList();
    }

    private static long PeakLive(ExecutionPlan plan)
    {
        var intervals = Intervals(plan);
        return plan.Steps.Max(step => intervals.Where(i => i.From <= step.Number && step.Number <= i.To).Sum(i => (long)i.Slice.Length));
    }
}
