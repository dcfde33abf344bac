using System.Text;
using ConvGen.Samples;
using GatedConvSample;

// A gated convolution (GatedConvNetworks.cs) with weights from PyTorch (make_gated_conv.py): shows, per channel,
// how much of the features the learned gate lets through, and the error against PyTorch.
Console.OutputEncoding = Encoding.UTF8;
string dir = AppContext.BaseDirectory;
GatedConv net = GatedConv.Load(Path.Combine(dir, GatedConvData.WeightsFile));
GatedConvProbe probe = GatedConvProbe.Load(Path.Combine(dir, GatedConvData.WeightsFile));   // same file, same keys
float[] gateBias = SafeTensors.Read(Path.Combine(dir, GatedConvData.WeightsFile))["gate.bias"].Data;
SafeTensors.Tensor inputs = SafeTensors.Read(Path.Combine(dir, GatedConvData.ReferenceFile))["inputs"];

Console.WriteLine($"Gated convolution, {LayerTable.Format(GatedConv.InputShape)} → {LayerTable.Format(GatedConv.OutputShape)}: y = sigmoid(gate(x)) ⊙ feat(x), two 3×3 convolutions of the same input");
Console.WriteLine($"  {GatedConv.ParameterCount:N0} parameters, {GatedConv.MultiplyAccumulates:N0} multiply-accumulates (both convolutions), {GatedConv.ScratchBytes:N0} bytes of scratch");
Console.WriteLine();

// Look inside with the probe: the gate values and the features, for reference input #0.
int channels = GatedConv.OutputShape[0], plane = GatedConv.OutputShape[1] * GatedConv.OutputShape[2];
float[] halves = new float[GatedConvProbe.OutputLength], y = new float[GatedConv.OutputLength];
probe.Run(inputs.Slice(0), halves);
net.Run(inputs.Slice(0), y);
Console.WriteLine("What the gate did, per channel (reference input #0; a gate is a number in (0, 1) at every pixel):");
Console.WriteLine("  ch  gate bias  mean gate                 closed<0.1  open>0.9  mean|feat|  mean|y|  let through");
for (int c = 0; c < channels; c++)
{
    ReadOnlySpan<float> gate = halves.AsSpan(c * plane, plane), feat = halves.AsSpan((channels + c) * plane, plane), gated = y.AsSpan(c * plane, plane);
    double meanGate = 0, featAbs = 0, gatedAbs = 0;
    int closed = 0, open = 0;
    for (int i = 0; i < plane; i++)
    {
        meanGate += gate[i]; featAbs += Math.Abs(feat[i]); gatedAbs += Math.Abs(gated[i]);
        if (gate[i] < 0.1f) closed++;
        if (gate[i] > 0.9f) open++;
    }
    meanGate /= plane; featAbs /= plane; gatedAbs /= plane;
    Console.WriteLine($"  {c,2}  {gateBias[c],9:+0.00;-0.00}  {meanGate:F3} {Terminal.Bar(meanGate, 20)}  {100.0 * closed / plane,9:F0}%  {100.0 * open / plane,7:F0}%  {featAbs,10:F3}  {gatedAbs,7:F3}  {100 * gatedAbs / featAbs,10:F0}%");
}
Console.WriteLine("  The gate is a soft switch per channel and pixel, computed from the input by its own convolution (learned, in a");
Console.WriteLine("  trained network): near 0 it suppresses the feature there, near 1 it lets it through unchanged. Here the gate");
Console.WriteLine("  biases run from -3 to +3, so channel 0 is mostly closed and channel 7 mostly open; within a channel the gate");
Console.WriteLine("  still opens and closes from pixel to pixel with the input.");
Console.WriteLine();

double disagreement = GatedConvData.ProbeDisagreement(net, probe, inputs.Slice(0));
Console.WriteLine($"GatedConv vs gate × feat from the probe network: max |difference| {disagreement:0.0e+00}");
ParityResult parity = GatedConvData.CheckAgainstPyTorch(dir);
Console.WriteLine(parity);
return parity.Passed && disagreement <= 1e-6 ? 0 : 1;
