using System.Globalization;
using ConvGen.Generator.Model;
using ConvGen.Generator.Planning;

namespace ConvGen.Generator.Emit;

/// <summary>
/// What the profiling members read of one step of Run: the statement Run executes for it, its method name, its
/// kind for the per-kind breakdown, the declared layers it implements, its output shape and its multiply-accumulates.
/// <see cref="Emitter.ProfiledSteps"/> is the only code here that reads the plan.
/// </summary>
internal readonly record struct ProfiledStep(string Call, string Method, string Kind, string Layers, string Output, long MultiplyAccumulates);

internal static partial class Emitter
{
    /// <summary>The kinds a step is counted under: the layer families whose kernels differ.</summary>
    internal static class ProfileKinds
    {
        /// <summary>A convolution with a kernel larger than 1 (grouped or not, transposed included), not depthwise.</summary>
        public const string Dense = "dense";
        /// <summary>A 1x1 (or length-1) convolution, any stride, not depthwise.</summary>
        public const string Pointwise = "pointwise";
        /// <summary>A convolution with groups = input channels (depth multiplier allowed).</summary>
        public const string Depthwise = "depthwise";
        /// <summary>A pointwise convolution and the depthwise convolution after it, run as one step (their times cannot be told apart).</summary>
        public const string PointwiseDepthwise = "pointwise+depthwise";
        public const string Linear = "linear";
        /// <summary>Pooling, merges, activations, normalisation, padding, resampling, softmax, copies.</summary>
        public const string Other = "other";
    }

    /// <summary>The steps of Run as the profiling members see them, in Run's order.</summary>
    internal static IEnumerable<ProfiledStep> ProfiledSteps(ExecutionPlan plan) => plan.Steps.Select(step => new ProfiledStep(
        StepCall(step),
        StepMethodName(step),
        ProfileKind(step),
        Describe(step),
        step.OutputShape.ToString(),
        step is ReorderStep || (step is PadStep && step.Layer.Kind.IsConvolution()) ? 0 : step.Layers.Sum(layer => layer.MultiplyAccumulates)));

    /// <summary>The step's kind: by the kernel it calls, and for a convolution by its geometry.</summary>
    internal static string ProfileKind(PlanStep step) => step switch
    {
        LinearStep => ProfileKinds.Linear,
        ConvolutionStep conv => ConvolutionKind(conv.Geometry),
        PointwiseDepthwiseStep => ProfileKinds.PointwiseDepthwise,
        TransposedConvolutionStep => step.Layer.Geometry.KernelH == 1 && step.Layer.Geometry.KernelW == 1 ? ProfileKinds.Pointwise : ProfileKinds.Dense,
        _ => ProfileKinds.Other,
    };

    private static string ConvolutionKind(Conv2dGeometry g)
    {
        if (g.Groups > 1 && g.IsDepthwise) return ProfileKinds.Depthwise; // the planner's test (Planner.Choices), multiplier included
        return g.KernelHeight == 1 && g.KernelWidth == 1 ? ProfileKinds.Pointwise : ProfileKinds.Dense;
    }

    /// <summary>
    /// The profiling members, written only when the build sets ConvGenProfile=true, after everything else in the
    /// class (so a profiling build's text is the normal text with this block added): a table of the steps and a
    /// copy of Run that takes a timestamp before the first step and after each one.
    /// </summary>
    private static void WriteProfile(SourceWriter w, ExecutionPlan plan)
    {
        AnalyzedNetwork net = plan.Network;
        List<ProfiledStep> steps = ProfiledSteps(plan).ToList();
        w.Line();
        w.Line("// Profiling members: this build sets the MSBuild property ConvGenProfile=true.");
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// The steps of Run, in order, for profiling: the generated method, its kind (dense, pointwise, depthwise, pointwise+depthwise, linear");
        w.Line("/// or other), the declared layers it implements, its output shape and its multiply-accumulates.");
        w.Line("/// </summary>");
        w.Line("public static readonly (string Method, string Kind, string Layers, string Output, long MultiplyAccumulates)[] ProfileSteps =");
        w.Open();
        foreach (ProfiledStep step in steps)
            w.Line($"({Literal(step.Method)}, {Literal(step.Kind)}, {Literal(step.Layers)}, {Literal(step.Output)}, {step.MultiplyAccumulates.ToString(CultureInfo.InvariantCulture)}L),");
        w.Close(";");
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Run, with a <see cref=\"global::System.Diagnostics.Stopwatch\"/> timestamp before the first step and after each:");
        w.Line("/// step i of <see cref=\"ProfileSteps\"/> took <c>stepTimestamps[i + 1] - stepTimestamps[i]</c> ticks. Allocates nothing.");
        w.Line("/// </summary>");
        w.Line($"/// <param name=\"stepTimestamps\">ProfileSteps.Length + 1 = {steps.Count + 1} timestamps.</param>");
        w.Open($"public void RunProfiled({ReadOnlySpan} input, {Span} output, global::System.Span<long> stepTimestamps)");
        WriteRunChecks(w, net, "RunProfiled");
        w.Line($"if (stepTimestamps.Length != {steps.Count + 1})");
        w.Line($"    throw new global::System.ArgumentException(\"{net.Type.Name}.RunProfiled: stepTimestamps has \" + stepTimestamps.Length + \" elements; expected ProfileSteps.Length + 1 = {steps.Count + 1}.\", nameof(stepTimestamps));");
        var body = new List<string> { $"{Span} scratch = new {Span}(_scratch, _scratchStart, ScratchLength);", "stepTimestamps[0] = global::System.Diagnostics.Stopwatch.GetTimestamp();" };
        for (int i = 0; i < steps.Count; i++)
        {
            body.Add(steps[i].Call);
            body.Add($"stepTimestamps[{i + 1}] = global::System.Diagnostics.Stopwatch.GetTimestamp();");
        }
        WriteGuarded(w, body.ToArray());
        w.Close();
    }
}
