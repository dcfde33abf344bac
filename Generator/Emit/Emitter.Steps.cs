using System.Globalization;
using ConvGen.Generator.Model;
using ConvGen.Generator.Planning;

namespace ConvGen.Generator.Emit;

internal static partial class Emitter
{
    private static void WriteSteps(SourceWriter w, ExecutionPlan plan)
    {
        foreach (PlanStep step in plan.Steps)
        {
            AnalyzedLayer layer = step.Layer;
            Shape output = step.Fused[step.Fused.Count - 1].OutputShape;
            w.Line($"/// <summary>{Xml(Describe(step))}: {Xml((step.PrePad?.Input ?? layer.InputShape).ToString())} → {Xml(output.ToString())}; {KernelDescription(step)}.</summary>");
            var parameters = new List<string>();
            if (step.Inputs.Count == 1) parameters.Add($"{ReadOnlySpan} x");
            else for (int i = 0; i < step.Inputs.Count; i++) parameters.Add($"{ReadOnlySpan} x{i}");
            parameters.Add($"{Span} y");
            if (NeedsScratch(step)) parameters.Add($"{Span} scratch");
            w.Open($"private void {StepMethodName(step)}({string.Join(", ", parameters)})");
            WriteStepBody(w, step);
            w.Close();
            w.Line();
        }
    }

    private static string KernelDescription(PlanStep step)
    {
        string fused = step.Epilogue.IsNone || step.Kernel == KernelKind.Activation ? "" : $", {step.Epilogue.Activation} fused into the store";
        string folded = step.FoldedBatchNorm is null ? "" : ", BatchNorm folded into the weights at load";
        string kernel = step.Kernel switch
        {
            KernelKind.ConvIm2Col => "im2col + packed GEMM",
            KernelKind.ConvPointwise => "pointwise GEMM",
            KernelKind.ConvDepthwise => "depthwise kernel",
            KernelKind.ConvTranspose => "transposed: GEMM into columns, then col2im",
            KernelKind.Linear => "GEMV over packed weights",
            KernelKind.ChannelAffine => "per-channel scale and shift",
            KernelKind.Activation => step.Inputs[0] == step.Output ? "in place" : "element-wise",
            KernelKind.Concat => "channel concatenation (copies)",
            KernelKind.Copy => "copy",
            _ => step.Kernel.ToString(),
        };
        string padded = step.PrePad is null ? "" : $", input padded ({step.PrePad.Mode}) into scratch first";
        return kernel + padded + folded + fused;
    }

    private static string EpilogueExpression(EpilogueSpec epilogue) => epilogue.IsNone
        ? $"{Kernels}.Epilogue.None"
        : $"new {Kernels}.Epilogue({Kernels}.ActivationKind.{epilogue.Activation}, {Float(epilogue.Alpha)})";

    private static string ScratchSlice(BufferSlice slice) => $"scratch.Slice({slice.Offset}, {slice.Length})";

    // A kernel that needs no scratch for this geometry (e.g. a stride-1 unpadded conv read in place) gets an empty span.
    private static string WorkspaceExpression(PlanStep step) => step.Workspace is { } w ? ScratchSlice(w) : $"{Span}.Empty";

    private static void WriteStepBody(SourceWriter w, PlanStep step)
    {
        AnalyzedLayer layer = step.Layer;
        LayerGeometry g = layer.Geometry;
        string weights = $"_weights.{WeightsField(step, "Weights")}", bias = $"_weights.{WeightsField(step, "Bias")}";
        string epilogue = EpilogueExpression(step.Epilogue);
        switch (step.Kernel)
        {
            case KernelKind.ConvIm2Col or KernelKind.ConvPointwise or KernelKind.ConvDepthwise:
                {
                    string x = "x";
                    if (step.PrePad is { } pad && step.PaddedInput is { } padded)
                    {
                        (int h, int wd) = HeightWidth(pad.Input);
                        w.Line($"{Span} padded = {ScratchSlice(padded)};");
                        w.Line($"{Kernels}.Pad2d.Forward(x, padded, {pad.Input[0]}, {h}, {wd}, {pad.Left}, {pad.Right}, {pad.Top}, {pad.Bottom}, {Kernels}.PaddingMode.{Pascal(pad.Mode)});");
                        x = "padded";
                    }
                    string geometry = $"in {GeometryField(step)}";
                    if (step.Kernel == KernelKind.ConvIm2Col)
                        w.Line($"{Kernels}.Conv2d.Im2ColGemm({x}, y, {weights}, {bias}, {geometry}, {epilogue}, {WorkspaceExpression(step)});");
                    else if (step.Kernel == KernelKind.ConvPointwise)
                        w.Line($"{Kernels}.Conv2d.Pointwise({x}, y, {weights}, {bias}, {geometry}, {epilogue});");
                    else
                        w.Line($"{Kernels}.Conv2d.Depthwise({x}, y, {weights}, {bias}, {geometry}, {epilogue});");
                    break;
                }
            case KernelKind.ConvTranspose:
                w.Line($"{Kernels}.ConvTranspose2d.Forward(x, y, {weights}, {bias}, in {GeometryField(step)}, {epilogue}, {WorkspaceExpression(step)});");
                break;
            case KernelKind.Linear:
                w.Line($"{Kernels}.Linear.Forward(x, y, {weights}, {bias}, rows: {g.Outer}, inFeatures: {g.InChannels}, outFeatures: {g.OutChannels}, {epilogue});");
                break;
            case KernelKind.MaxPool:
                w.Line($"{Kernels}.Pool2d.Max(x, y, in {GeometryField(step)});");
                break;
            case KernelKind.AvgPool:
                w.Line($"{Kernels}.Pool2d.Average(x, y, in {GeometryField(step)}, countIncludePad: {Bool(g.CountIncludePad)}, divisorOverride: {g.DivisorOverride});");
                break;
            case KernelKind.AdaptiveAvgPool or KernelKind.AdaptiveMaxPool:
                {
                    (int inH, int inW) = HeightWidth(layer.InputShape);
                    (int outH, int outW) = HeightWidth(layer.OutputShape);
                    string method = step.Kernel == KernelKind.AdaptiveAvgPool ? "AdaptiveAverage" : "AdaptiveMax";
                    w.Line($"{Kernels}.Pool2d.{method}(x, y, channels: {layer.InputShape[0]}, inHeight: {inH}, inWidth: {inW}, outHeight: {outH}, outWidth: {outW});");
                    break;
                }
            case KernelKind.ChannelAffine:
                w.Line($"{Kernels}.Elementwise.ChannelAffine(x, y, _weights.{WeightsField(step, "Scale")}, _weights.{WeightsField(step, "Shift")}, channels: {layer.InputShape[0]}, spatial: {layer.InputShape.Spatial}, {epilogue});");
                break;
            case KernelKind.Activation:
                w.Line(step.Inputs[0] == step.Output
                    ? $"{Kernels}.Elementwise.Activate(y, {epilogue});"
                    : $"{Kernels}.Elementwise.Activate(x, y, {epilogue});");
                break;
            case KernelKind.Add or KernelKind.Multiply:
                {
                    string method = step.Kernel == KernelKind.Add ? "Add" : "Multiply";
                    for (int i = 1; i < step.Inputs.Count; i++)
                    {
                        string a = i == 1 ? "x0" : "y";
                        string ep = step.Kernel == KernelKind.Add ? ", " + (i == step.Inputs.Count - 1 ? epilogue : EpilogueExpression(EpilogueSpec.None)) : "";
                        w.Line($"{Kernels}.Elementwise.{method}({a}, x{i}, y{ep});");
                    }
                    break;
                }
            case KernelKind.Concat:
                {
                    int offset = 0;
                    for (int i = 0; i < step.Inputs.Count; i++)
                    {
                        w.Line($"x{i}.CopyTo(y.Slice({offset}, {step.Inputs[i].Length}));");
                        offset += step.Inputs[i].Length;
                    }
                    break;
                }
            case KernelKind.Softmax or KernelKind.LogSoftmax:
                {
                    string method = step.Kernel == KernelKind.Softmax ? "Forward" : "LogForward";
                    w.Line($"{Kernels}.Softmax.{method}(x, y, outer: {g.Outer}, axis: {g.Axis}, inner: {g.Inner});");
                    break;
                }
            case KernelKind.Pad:
                {
                    Shape s = layer.InputShape;
                    string mode = layer.Kind switch { LayerKind.ReflectionPad2d => "Reflect", LayerKind.ReplicationPad2d => "Replicate", _ => "Zeros" };
                    w.Line($"{Kernels}.Pad2d.Forward(x, y, {s[0]}, {s[1]}, {s[2]}, {g.PadLeft}, {g.PadRight}, {g.PadTop}, {g.PadBottom}, {Kernels}.PaddingMode.{mode});");
                    break;
                }
            case KernelKind.Upsample:
                {
                    (int inH, int inW) = HeightWidth(layer.InputShape);
                    (int outH, int outW) = HeightWidth(layer.OutputShape);
                    string sizes = $"channels: {layer.InputShape[0]}, inHeight: {inH}, inWidth: {inW}, outHeight: {outH}, outWidth: {outW}";
                    // PyTorch maps coordinates with 1/scale_factor when one was given, else in/out: pass what was written.
                    string scales = $"scaleHeight: {Double(g.ScaleH)}, scaleWidth: {Double(g.ScaleW)}";
                    w.Line(g.Mode == "bilinear"
                        ? $"{Kernels}.Upsample.Bilinear(x, y, {sizes}, alignCorners: {Bool(g.AlignCorners)}, {scales});"
                        : $"{Kernels}.Upsample.Nearest(x, y, {sizes}, {scales});");
                    break;
                }
            case KernelKind.ChannelShuffle:
                w.Line($"{Kernels}.Elementwise.ChannelShuffle(x, y, channels: {layer.InputShape[0]}, groups: {g.Groups}, spatial: {layer.InputShape.Spatial});");
                break;
            case KernelKind.Copy:
                w.Line("x.CopyTo(y);");
                break;
        }
    }

    private static (int H, int W) HeightWidth(Shape s) => s.Rank == 3 ? (s[1], s[2]) : (1, s[s.Rank - 1]);

    private static string Bool(bool value) => value ? "true" : "false";

    private static string Pascal(string mode) => mode.Length == 0 ? mode : char.ToUpperInvariant(mode[0]) + mode.Substring(1);

    private static void WriteGeometries(SourceWriter w, ExecutionPlan plan)
    {
        foreach (PlanStep step in plan.Steps)
        {
            AnalyzedLayer layer = step.Layer;
            LayerGeometry g = layer.Geometry;
            (int inH, int inW) = HeightWidth(layer.InputShape);
            (int outH, int outW) = HeightWidth(layer.OutputShape);
            switch (step.Kernel)
            {
                case KernelKind.ConvIm2Col or KernelKind.ConvPointwise or KernelKind.ConvDepthwise:
                    {
                        w.Line($"private static readonly {Kernels}.Conv2dGeometry {GeometryField(step)} = new {Kernels}.Conv2dGeometry(");
                        w.Line($"    InChannels: {g.InChannels}, InHeight: {inH}, InWidth: {inW}, OutChannels: {g.OutChannels}, OutHeight: {outH}, OutWidth: {outW},");
                        w.Line($"    KernelHeight: {g.KernelH}, KernelWidth: {g.KernelW}, StrideHeight: {g.StrideH}, StrideWidth: {g.StrideW}, PadTop: {g.PadTop}, PadLeft: {g.PadLeft},");
                        w.Line($"    DilationHeight: {g.DilationH}, DilationWidth: {g.DilationW}, Groups: {g.Groups});");
                        break;
                    }
                case KernelKind.ConvTranspose:
                    w.Line($"private static readonly {Kernels}.ConvTranspose2dGeometry {GeometryField(step)} = new {Kernels}.ConvTranspose2dGeometry(");
                    w.Line($"    InChannels: {g.InChannels}, InHeight: {inH}, InWidth: {inW}, OutChannels: {g.OutChannels}, OutHeight: {outH}, OutWidth: {outW},");
                    w.Line($"    KernelHeight: {g.KernelH}, KernelWidth: {g.KernelW}, StrideHeight: {g.StrideH}, StrideWidth: {g.StrideW}, PadTop: {g.PadTop}, PadLeft: {g.PadLeft},");
                    w.Line($"    DilationHeight: {g.DilationH}, DilationWidth: {g.DilationW}, Groups: {g.Groups});");
                    break;
                case KernelKind.MaxPool or KernelKind.AvgPool:
                    w.Line($"private static readonly {Kernels}.Pool2dGeometry {GeometryField(step)} = new {Kernels}.Pool2dGeometry(");
                    w.Line($"    Channels: {g.InChannels}, InHeight: {inH}, InWidth: {inW}, OutHeight: {outH}, OutWidth: {outW},");
                    w.Line($"    KernelHeight: {g.KernelH}, KernelWidth: {g.KernelW}, StrideHeight: {g.StrideH}, StrideWidth: {g.StrideW},");
                    w.Line($"    PadHeight: {g.PadTop}, PadWidth: {g.PadLeft}, DilationHeight: {g.DilationH}, DilationWidth: {g.DilationW});");
                    break;
                default:
                    continue;
            }
            w.Line();
        }
    }

    private static void WriteWeightsClass(SourceWriter w, ExecutionPlan plan)
    {
        w.Line("/// <summary>The weights after load: packed for the kernels, BatchNorm folded. Shared by clones; never written after Load.</summary>");
        w.Open("private sealed class LoadedWeights");
        foreach (PlanStep step in plan.Steps)
        {
            foreach (string field in WeightFields(step))
                w.Line($"public float[] {WeightsField(step, field)} = global::System.Array.Empty<float>();");
        }
        w.Close();
    }

    private static IEnumerable<string> WeightFields(PlanStep step) => step.Kernel switch
    {
        KernelKind.ConvIm2Col or KernelKind.ConvPointwise or KernelKind.ConvDepthwise or KernelKind.ConvTranspose or KernelKind.Linear => new[] { "Weights", "Bias" },
        KernelKind.ChannelAffine => new[] { "Scale", "Shift" },
        _ => Array.Empty<string>(),
    };

    private static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);
}
