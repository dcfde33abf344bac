using ConvGen.Generator.Analysis;
using ConvGen.Generator.Model;
using ConvGen.Generator.Planning;

namespace ConvGen.Generator.Emit;

internal static partial class Emitter
{
    private const string Weights = Rt + ".Weights";

    private static void WriteLoad(SourceWriter w, ExecutionPlan plan)
    {
        string name = plan.Network.Type.Name;
        w.Line("/// <summary>Loads a PyTorch <c>state_dict</c> saved as safetensors (<c>safetensors.torch.save_file(model.state_dict(), path)</c>).</summary>");
        w.Line($"/// <exception cref=\"{Weights}.WeightsException\">A tensor is missing, unexpected, of the wrong shape or dtype, or the file is malformed; the message names the key.</exception>");
        w.Line($"public static {name} Load(string safetensorsPath) => Load(global::System.IO.File.ReadAllBytes(safetensorsPath));");
        w.Line();
        if (plan.Network.Embedded is { } embedded) WriteEmbeddedLoad(w, plan, embedded);
        w.Line("/// <summary>Loads a PyTorch <c>state_dict</c> from the bytes of a safetensors file. F32 is read as is; F16 and BF16 are widened.</summary>");
        w.Line($"/// <exception cref=\"{Weights}.WeightsException\">A tensor is missing, unexpected, of the wrong shape or dtype, or the file is malformed; the message names the key.</exception>");
        w.Open($"public static {name} Load(global::System.ReadOnlySpan<byte> safetensors)");
        w.Line($"var reader = {Weights}.SafeTensorsReader.Open(safetensors);");
        w.Line("var weights = new LoadedWeights();");
        foreach (PlanStep step in plan.Steps)
        {
            if (!WeightFields(step).Any()) continue;
            w.Line($"// {Describe(step)}");
            w.Open();
            WriteStepLoad(w, step);
            w.Close();
        }
        w.Line("reader.ThrowIfUnconsumed();");
        w.Line($"return new {name}(weights);");
        w.Close();
        w.Line();
    }

    private static void WriteStepLoad(SourceWriter w, PlanStep step)
    {
        AnalyzedLayer layer = step.Layer;
        LayerGeometry g = layer.Geometry;
        string target = "weights." + WeightsField(step, "Weights");
        switch (step.Kernel)
        {
            case KernelKind.ConvIm2Col or KernelKind.ConvPointwise or KernelKind.ConvDepthwise or KernelKind.ConvTranspose or KernelKind.Linear:
                {
                    int outC = g.OutChannels;
                    string shape = Dims(WeightsManifest.WeightShape(layer));
                    w.Line($"float[] weight = reader.ReadFloat32({Literal(layer.Key + ".weight")}, {shape});");
                    w.Line(g.Bias
                        ? $"float[] bias = reader.ReadFloat32({Literal(layer.Key + ".bias")}, {Dims(outC)});"
                        : "float[] bias = global::System.Array.Empty<float>();");
                    if (step.FoldedBatchNorm is { } bn)
                    {
                        WriteBatchNormAffine(w, bn, outC);
                        w.Line(step.Kernel == KernelKind.ConvTranspose
                            ? $"bias = {Weights}.WeightTransforms.FoldAffineIntoTransposedWeights(weight, bias, scale, shift, {g.InChannels}, {outC}, {g.Groups});"
                            : $"bias = {Weights}.WeightTransforms.FoldAffineIntoWeights(weight, bias, scale, shift, {outC});");
                    }
                    if (step.Kernel == KernelKind.Linear)
                        w.Line($"{target} = {Kernels}.Linear.PackWeights(weight, {g.InChannels}, {outC});");
                    else if (step.Kernel == KernelKind.ConvTranspose)
                        w.Line($"{target} = {Kernels}.ConvTranspose2d.PackWeights(weight, in {GeometryField(step)});");
                    else
                    {
                        string method = step.Kernel == KernelKind.ConvDepthwise ? "PackDepthwiseWeights" : "PackGemmWeights";
                        w.Line($"{target} = {Kernels}.Conv2d.{method}(weight, in {GeometryField(step)});");
                    }
                    w.Line($"weights.{WeightsField(step, "Bias")} = bias;");
                    if (step.Kernel is KernelKind.ConvIm2Col or KernelKind.ConvTranspose)
                    {
                        int planned = step.Workspace?.Length ?? 0;
                        string needed = step.Kernel == KernelKind.ConvTranspose ? "ConvTranspose2d.WorkspaceLength" : "Conv2d.Im2ColWorkspaceLength";
                        w.Line($"if ({Kernels}.{needed}(in {GeometryField(step)}) > {planned})");
                        w.Line($"    throw new global::System.InvalidOperationException(\"ConvGen: the runtime needs more scratch than the generator planned for step {step.Number}; use matching ConvGen.Runtime and ConvGen.Generator versions.\");");
                    }
                    break;
                }
            case KernelKind.ChannelAffine:
                WriteBatchNormAffine(w, layer, layer.InputShape[0]);
                w.Line($"weights.{WeightsField(step, "Scale")} = scale;");
                w.Line($"weights.{WeightsField(step, "Shift")} = shift;");
                break;
        }
    }

    /// <summary>
    /// Load() for weights embedded at compile time: from the manifest resource ConvGen.targets adds, or from a byte
    /// array in this file (stored as constant data, read in place: no file I/O, no copy before parsing).
    /// </summary>
    private static void WriteEmbeddedLoad(SourceWriter w, ExecutionPlan plan, EmbeddedWeights embedded)
    {
        string name = plan.Network.Type.Name;
        w.Line($"/// <summary>Loads the weights embedded at compile time from <c>{Xml(embedded.FileName)}</c> (checked against this declaration when it was compiled).</summary>");
        if (embedded.ResourceName is { } resource)
        {
            w.Open($"public static {name} Load()");
            w.Line($"using global::System.IO.Stream? stream = typeof({name}).Assembly.GetManifestResourceStream({Literal(resource)});");
            w.Line("if (stream is null)");
            string message = $"{name}.Load(): the embedded resource '{resource}' is missing from the assembly; build with ConvGen.targets imported.";
            w.Line($"    throw new global::System.InvalidOperationException({Literal(message)});");
            w.Line("byte[] bytes = new byte[stream.Length];");
            w.Line("stream.ReadExactly(bytes);");
            w.Line("return Load(bytes);");
            w.Close();
        }
        else
        {
            w.Line($"public static {name} Load() => Load(EmbeddedWeights);");
            w.Line();
            w.Line($"/// <summary>The bytes of <c>{Xml(embedded.FileName)}</c>, {embedded.Literal!.Length} of them.</summary>");
            w.Line("private static global::System.ReadOnlySpan<byte> EmbeddedWeights => new byte[]");
            w.Line("{");
            ReadOnlySpan<byte> bytes = embedded.Literal.Span;
            var line = new System.Text.StringBuilder();
            for (int i = 0; i < bytes.Length; i++)
            {
                line.Append(bytes[i]).Append(',');
                if (line.Length >= 120 || i == bytes.Length - 1)
                {
                    w.Line("    " + line);
                    line.Clear();
                }
            }
            w.Line("};");
        }
        w.Line();
    }

    /// <summary>Reads a BatchNorm's tensors and turns them into <c>scale</c> and <c>shift</c> arrays.</summary>
    private static void WriteBatchNormAffine(SourceWriter w, AnalyzedLayer bn, int channels)
    {
        string key = bn.Key, c = Dims(channels);
        w.Line($"float[] scale = new float[{channels}], shift = new float[{channels}];");
        string gamma = bn.Geometry.Affine ? $"reader.ReadFloat32({Literal(key + ".weight")}, {c})" : "global::System.ReadOnlySpan<float>.Empty";
        string beta = bn.Geometry.Affine ? $"reader.ReadFloat32({Literal(key + ".bias")}, {c})" : "global::System.ReadOnlySpan<float>.Empty";
        w.Line($"{Weights}.WeightTransforms.BatchNormToAffine(");
        w.Line($"    {gamma},");
        w.Line($"    {beta},");
        w.Line($"    reader.ReadFloat32({Literal(key + ".running_mean")}, {c}),");
        w.Line($"    reader.ReadFloat32({Literal(key + ".running_var")}, {c}),");
        w.Line($"    eps: {Double(bn.Geometry.Eps)}, scale, shift);");
        w.Line($"reader.Ignore({Literal(key + ".num_batches_tracked")});");
    }

    private static string Dims(params int[] dims) => "new int[] { " + string.Join(", ", dims) + " }";
}
