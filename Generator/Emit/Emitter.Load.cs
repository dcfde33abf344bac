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
        w.Line("/// <summary>");
        w.Line("/// Loads a PyTorch <c>state_dict</c> from the bytes of a safetensors file. F32 is read as is; F16 and BF16 are widened.");
        w.Line("/// Runs the network once on zeros before returning, so that the first Run does not wait for the JIT.");
        w.Line("/// </summary>");
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
        w.Line($"var network = new {name}(weights);");
        w.Line("// One run on zeros: the JIT compiles every kernel the plan calls here, in Load, not in the first Run.");
        w.Line("network.Run(new float[InputLength], new float[OutputLength]);");
        w.Line("return network;");
        w.Close();
        w.Line();
    }

    private static void WriteStepLoad(SourceWriter w, PlanStep step)
    {
        switch (step)
        {
            case ConvolutionStep s:
                {
                    ReadConvolutionWeights(w, s);
                    switch (s.Algorithm)
                    {
                        case ConvAlgorithm.Direct or ConvAlgorithm.Pointwise:
                            string kernel = s.Algorithm == ConvAlgorithm.Direct ? "DirectConv2d" : "PointwiseConv2d";
                            w.Line($"weights.{WeightsField(s, "Weights")} = {Kernels}.{kernel}.Pack(weight, bias, in {GeometryField(s)});");
                            if (s.Algorithm == ConvAlgorithm.Direct)
                                WriteWorkspaceCheck(w, s, $"DirectConv2d.WorkspaceLength(in {GeometryField(s)}, {Kernels}.TensorLayout.{s.Inputs[0].Layout})");
                            break;
                        case ConvAlgorithm.DirectPlanes:
                            w.Line($"weights.{WeightsField(s, "Weights")} = {Kernels}.PlaneConv2d.Pack(weight, bias, in {GeometryField(s)});");
                            WriteWorkspaceCheck(w, s, $"PlaneConv2d.WorkspaceLength(in {GeometryField(s)})");
                            break;
                        case ConvAlgorithm.PlaneDepthwise:
                            w.Line($"weights.{WeightsField(s, "Weights")} = {Kernels}.PlaneDepthwiseConv2d.Pack(weight, bias, in {GeometryField(s)});");
                            WriteWorkspaceCheck(w, s, $"PlaneDepthwiseConv2d.WorkspaceLength(in {GeometryField(s)})");
                            break;
                        case ConvAlgorithm.Depthwise:
                            w.Line($"weights.{WeightsField(s, "Weights")} = {Kernels}.DepthwiseConv2d.Pack(weight, bias, in {GeometryField(s)});");
                            WriteWorkspaceCheck(w, s, $"DepthwiseConv2d.WorkspaceLength(in {GeometryField(s)})");
                            break;
                        case ConvAlgorithm.WinogradF2 or ConvAlgorithm.WinogradF4:
                            int tile = WinogradTile(s.Algorithm);
                            w.Line($"weights.{WeightsField(s, "Weights")} = {Kernels}.WinogradConv2d.Pack(weight, bias, in {GeometryField(s)}, outputTile: {tile});");
                            WriteWorkspaceCheck(w, s, $"WinogradConv2d.WorkspaceLength(in {GeometryField(s)}, outputTile: {tile})");
                            break;
                        default:
                            string pack = s.Algorithm == ConvAlgorithm.DepthwisePlanes ? "PackDepthwiseWeights" : "PackGemmWeights";
                            w.Line($"weights.{WeightsField(s, "Weights")} = {Kernels}.Conv2d.{pack}(weight, in {GeometryField(s)});");
                            w.Line($"weights.{WeightsField(s, "Bias")} = bias;");
                            if (s.Algorithm == ConvAlgorithm.Im2ColGemm) WriteWorkspaceCheck(w, s, $"Conv2d.Im2ColWorkspaceLength(in {GeometryField(s)})");
                            if (s.Algorithm == ConvAlgorithm.ShiftedGemm) WriteWorkspaceCheck(w, s, $"Conv2d.ShiftedWorkspaceLength(in {GeometryField(s)})");
                            break;
                    }
                    break;
                }
            case PointwiseDepthwiseStep s:
                {
                    // Each part's weights in its own scope (each reads its layer's weight and bias, folds its BatchNorm).
                    foreach ((string part, ConvolutionStep conv) in new[] { ("Pointwise", s.Pointwise), ("Depthwise", s.Depthwise) })
                    {
                        w.Open();
                        ReadConvolutionWeights(w, conv);
                        w.Line($"weights.{WeightsField(s, part + "Weights")} = {Kernels}.{part}Conv2d.Pack(weight, bias, in {GeometryField(s, part)});");
                        w.Close();
                    }
                    WriteWorkspaceCheck(w, s, $"PointwiseDepthwiseConv2d.WorkspaceLength(in {GeometryField(s, "Pointwise")}, in {GeometryField(s, "Depthwise")}, new {Kernels}.ConvTile({s.Tile.Blocks}, {s.Tile.Positions}))");
                    break;
                }
            case TransposedConvolutionStep s:
                {
                    ConvTranspose2dGeometry g = s.Geometry;
                    ReadWeightsAndBias(w, s, g.OutChannels, s.Fusion.FoldedBatchNorm,
                        $"{Weights}.WeightTransforms.FoldAffineIntoTransposedWeights(weight, bias, scale, shift, {g.InChannels}, {g.OutChannels}, {g.Groups})");
                    w.Line($"weights.{WeightsField(s, "Weights")} = {Kernels}.ConvTranspose2d.PackWeights(weight, in {GeometryField(s)});");
                    w.Line($"weights.{WeightsField(s, "Bias")} = bias;");
                    WriteWorkspaceCheck(w, s, $"ConvTranspose2d.WorkspaceLength(in {GeometryField(s)})");
                    break;
                }
            case LinearStep s:
                ReadWeightsAndBias(w, s, s.OutFeatures, s.Fusion.FoldedBatchNorm,
                    $"{Weights}.WeightTransforms.FoldAffineIntoWeights(weight, bias, scale, shift, {s.OutFeatures})");
                if (s.Inputs[0].Layout == TensorLayout.Blocked16)
                {
                    (int channels, int positions) = s.Inputs[0].Planes;
                    w.Line($"weights.{WeightsField(s, "Weights")} = {Kernels}.PackedLinear.PackFromBlocked(weight, bias, channels: {channels}, positions: {positions}, outFeatures: {s.OutFeatures});");
                }
                else
                    w.Line($"weights.{WeightsField(s, "Weights")} = {Kernels}.PackedLinear.Pack(weight, bias, {s.InFeatures}, {s.OutFeatures});");
                break;
            case ParameterStep s:
                w.Line($"weights.{WeightsField(s, "Tensor")} = {Read(s.Layer, "")};");
                break;
            case PReLUStep s:
                w.Line($"weights.{WeightsField(s, "Slopes")} = {Read(s.Layer, "weight")};");
                break;
            case LayerNormStep s:
                w.Line($"weights.{WeightsField(s, "Weight")} = {Read(s.Layer, "weight")};");
                if (s.Bias) w.Line($"weights.{WeightsField(s, "Bias")} = {Read(s.Layer, "bias")};");
                break;
            case ChannelAffineStep s:
                WriteBatchNormAffine(w, s.Layer, s.Channels);
                w.Line($"weights.{WeightsField(s, "Scale")} = scale;");
                w.Line($"weights.{WeightsField(s, "Shift")} = shift;");
                break;
        }
    }

    /// <summary>A convolution's <c>weight</c> and <c>bias</c>, its BatchNorm (if any) folded in.</summary>
    private static void ReadConvolutionWeights(SourceWriter w, ConvolutionStep s) =>
        ReadWeightsAndBias(w, s, s.Geometry.OutChannels, s.Fusion.FoldedBatchNorm,
            $"{Weights}.WeightTransforms.FoldAffineIntoWeights(weight, bias, scale, shift, {s.Geometry.OutChannels})");

    /// <summary>Reads <c>weight</c> and <c>bias</c> of the step's layer, folding a BatchNorm into them with <paramref name="fold"/>.</summary>
    private static void ReadWeightsAndBias(SourceWriter w, PlanStep step, int outChannels, AnalyzedLayer? batchNorm, string fold)
    {
        AnalyzedLayer layer = step.Layer;
        w.Line($"float[] weight = {Read(layer, "weight")};");
        w.Line(layer.Geometry.Bias ? $"float[] bias = {Read(layer, "bias")};" : "float[] bias = global::System.Array.Empty<float>();");
        if (batchNorm is null) return;
        WriteBatchNormAffine(w, batchNorm, outChannels);
        w.Line($"bias = {fold};");
    }

    /// <summary>Throws at Load when the runtime would need more scratch than the plan reserved (mismatched versions).</summary>
    private static void WriteWorkspaceCheck(SourceWriter w, PlanStep step, string lengthCall)
    {
        int planned = step.Workspace?.Length ?? 0;
        w.Line($"if ({Kernels}.{lengthCall} > {planned})");
        w.Line($"    throw new global::System.InvalidOperationException(\"ConvGen: the runtime needs more scratch than the generator planned for step {step.Number}; use matching ConvGen.Runtime and ConvGen.Generator versions.\");");
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
        w.Line($"float[] scale = new float[{channels}], shift = new float[{channels}];");
        string gamma = bn.Geometry.Affine ? Read(bn, "weight") : "global::System.ReadOnlySpan<float>.Empty";
        string beta = bn.Geometry.Affine ? Read(bn, "bias") : "global::System.ReadOnlySpan<float>.Empty";
        w.Line($"{Weights}.WeightTransforms.BatchNormToAffine(");
        w.Line($"    {gamma},");
        w.Line($"    {beta},");
        w.Line($"    {Read(bn, "running_mean")},");
        w.Line($"    {Read(bn, "running_var")},");
        w.Line($"    eps: {Double(bn.Geometry.Eps)}, scale, shift);");
        w.Line($"reader.Ignore({Literal(Expected(bn, "num_batches_tracked").Key)});");
    }

    /// <summary>The reader call of the layer's tensor <paramref name="name"/>, with the key and shape <see cref="WeightsManifest"/> expects.</summary>
    private static string Read(AnalyzedLayer layer, string name)
    {
        ExpectedTensor tensor = Expected(layer, name);
        return $"reader.ReadFloat32({Literal(tensor.Key)}, {Dims(tensor.Shape.ToArray())})";
    }

    private static ExpectedTensor Expected(AnalyzedLayer layer, string name) =>
        WeightsManifest.Find(layer, name) ?? throw new InvalidOperationException($"{layer.Key} has no tensor '{name}' in the weights manifest");

    private static string Dims(params int[] dims) => "new int[] { " + string.Join(", ", dims) + " }";
}
