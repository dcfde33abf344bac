using System.Text;

namespace ConvGen.Samples;

/// <summary>
/// The per-layer table the generator writes into the network's XML doc comment (visible on hover in an IDE, not at
/// run time), recomputed here from the layer hyper-parameters so a console program can print it. Shapes are
/// channels first without the batch dimension; parameters count as PyTorch's <c>parameters()</c> (BatchNorm's
/// running statistics are buffers); multiply-accumulates count convolution and linear layers only, as the
/// generated <c>MultiplyAccumulates</c> does. <see cref="Verify"/> compares the totals with the generated constants.
/// </summary>
public sealed class LayerTable
{
    private readonly List<(string Key, string Layer, int[] Shape, long Parameters, long Macs)> _rows = [];

    /// <summary>Sum of the parameter column.</summary>
    public long Parameters => _rows.Sum(r => r.Parameters);

    /// <summary>Sum of the multiply-accumulate column.</summary>
    public long MultiplyAccumulates => _rows.Sum(r => r.Macs);

    /// <summary>A layer that the caller has computed: its state_dict key, its declaration, its output shape.</summary>
    public int[] Row(string key, string layer, int[] shape, long parameters = 0, long macs = 0)
    {
        _rows.Add((key, layer, shape, parameters, macs));
        return shape;
    }

    /// <summary>Conv1d/Conv2d: output size (in + 2p - d(k - 1) - 1) / s + 1 per spatial axis.</summary>
    public int[] Conv(string key, string layer, int[] input, int outChannels, int[] kernel, int[]? stride = null,
        int[]? padding = null, int[]? dilation = null, int groups = 1, bool bias = true)
    {
        int axes = input.Length - 1;
        int[] output = new int[input.Length];
        output[0] = outChannels;
        long window = input[0] / groups;
        for (int a = 0; a < axes; a++)
        {
            int s = stride?[a] ?? 1, p = padding?[a] ?? 0, d = dilation?[a] ?? 1;
            output[a + 1] = (input[a + 1] + 2 * p - d * (kernel[a] - 1) - 1) / s + 1;
            window *= kernel[a];
        }
        long positions = output.Skip(1).Aggregate(1L, (x, y) => x * y);
        return Row(key, layer, output, outChannels * window + (bias ? outChannels : 0), outChannels * positions * window);
    }

    /// <summary>A square 2-D convolution: <c>Conv2d(out, k, Stride = s, Padding = p, Groups = g)</c>.</summary>
    public int[] Conv2d(string key, string layer, int[] input, int outChannels, int kernel, int stride = 1, int padding = 0, int groups = 1, bool bias = true)
        => Conv(key, layer, input, outChannels, [kernel, kernel], [stride, stride], [padding, padding], null, groups, bias);

    /// <summary>ConvTranspose2d with a square kernel: output (in - 1) s - 2p + k per axis; weight [in, out/groups, k, k].</summary>
    public int[] ConvTranspose2d(string key, string layer, int[] input, int outChannels, int kernel, int stride = 1, int padding = 0, bool bias = true)
    {
        int[] output = [outChannels, (input[1] - 1) * stride - 2 * padding + kernel, (input[2] - 1) * stride - 2 * padding + kernel];
        long weights = (long)input[0] * outChannels * kernel * kernel;
        return Row(key, layer, output, weights + (bias ? outChannels : 0), weights * input[1] * input[2]);
    }

    /// <summary>BatchNorm1d/2d: weight and bias per channel.</summary>
    public int[] BatchNorm(string key, string layer, int[] input) => Row(key, layer, input, 2L * input[0]);

    /// <summary>Linear on a flat input.</summary>
    public int[] Linear(string key, string layer, int inFeatures, int outFeatures, bool bias = true)
        => Row(key, layer, [outFeatures], (long)inFeatures * outFeatures + (bias ? outFeatures : 0), (long)inFeatures * outFeatures);

    /// <summary>"16×8×8".</summary>
    public static string Format(ReadOnlySpan<int> shape)
    {
        var sb = new StringBuilder();
        foreach (int d in shape) sb.Append(sb.Length == 0 ? "" : "×").Append(d);
        return sb.ToString();
    }

    /// <summary>The table, one row per layer, then the totals.</summary>
    public override string ToString()
    {
        int keyWidth = Math.Max(3, _rows.Max(r => r.Key.Length)), layerWidth = Math.Max(5, _rows.Max(r => r.Layer.Length));
        int shapeWidth = Math.Max(6, _rows.Max(r => Format(r.Shape).Length));
        var sb = new StringBuilder();
        sb.AppendLine($"  {"key".PadRight(keyWidth)}  {"layer".PadRight(layerWidth)}  {"output".PadRight(shapeWidth)}  {"params",8}  {"MACs",10}");
        foreach (var (key, layer, shape, parameters, macs) in _rows)
            sb.AppendLine($"  {key.PadRight(keyWidth)}  {layer.PadRight(layerWidth)}  {Format(shape).PadRight(shapeWidth)}  {parameters,8:N0}  {macs,10:N0}");
        sb.Append($"  {"".PadRight(keyWidth)}  {"total".PadRight(layerWidth)}  {"".PadRight(shapeWidth)}  {Parameters,8:N0}  {MultiplyAccumulates,10:N0}");
        return sb.ToString();
    }

    /// <summary>
    /// Checks the table against the generator's constants: the last row's shape against <c>OutputShape</c>, the totals
    /// against <c>ParameterCount</c> and <c>MultiplyAccumulates</c>. Returns a one-line verdict.
    /// </summary>
    public (bool Ok, string Message) Verify(ReadOnlySpan<int> outputShape, long parameterCount, long multiplyAccumulates)
    {
        bool shapeOk = _rows[^1].Shape.AsSpan().SequenceEqual(outputShape);
        bool ok = shapeOk && Parameters == parameterCount && MultiplyAccumulates == multiplyAccumulates;
        string message = $"generated constants: OutputShape {Format(outputShape)}, ParameterCount {parameterCount:N0}, MultiplyAccumulates {multiplyAccumulates:N0}"
            + (ok ? " (the table agrees)" : $" DISAGREE with the table ({Format(_rows[^1].Shape)}, {Parameters:N0}, {MultiplyAccumulates:N0})");
        return (ok, message);
    }
}
