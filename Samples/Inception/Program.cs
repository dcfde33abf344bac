using System.Text;
using ConvGen.Samples;
using InceptionSample;

// An Inception module (InceptionModule.cs), weights from PyTorch (make_inception.py): prints the layer table, what
// each branch contributes to the concatenated output for a PyTorch reference input, and the error against PyTorch.
Console.OutputEncoding = Encoding.UTF8;
string dir = AppContext.BaseDirectory;

Console.WriteLine($"Inception module, {LayerTable.Format(InceptionModule.InputShape)} → {LayerTable.Format(InceptionModule.OutputShape)}: four branches from one input, Concat along the channels");
LayerTable table = InceptionData.Table();
Console.WriteLine(table);
(bool tableOk, string verdict) = table.Verify(InceptionModule.OutputShape, InceptionModule.ParameterCount, InceptionModule.MultiplyAccumulates);
Console.WriteLine($"  {verdict}; {InceptionModule.ScratchBytes:N0} bytes of scratch per instance");
Console.WriteLine();

InceptionModule module = InceptionModule.Load(Path.Combine(dir, InceptionData.WeightsFile));
SafeTensors.Tensor inputs = SafeTensors.Read(Path.Combine(dir, InceptionData.ReferenceFile))["inputs"];
float[] output = new float[InceptionModule.OutputLength];
module.Run(inputs.Slice(0), output);

// Each branch owns a contiguous block of output channels, in Concat order.
int plane = InceptionModule.OutputShape[1] * InceptionModule.OutputShape[2];
Console.WriteLine("What each branch contributes for reference input #0 (all end in ReLU):");
Console.WriteLine("  branch  computes              field  channels  mean   active  share of the output's sum");
double total = output.Sum(v => (double)v);
int first = 0;
foreach ((string name, int channels, string what, int field) in InceptionData.Branches)
{
    ReadOnlySpan<float> block = output.AsSpan(first * plane, channels * plane);
    double sum = 0;
    int active = 0;
    foreach (float v in block) { sum += v; if (v > 0) active++; }
    Console.WriteLine($"  {name,-6}  {what,-20}  {field}×{field}    {first,2}..{first + channels - 1,-2}    {sum / block.Length,5:F3}  {100.0 * active / block.Length,5:F0}%  {Terminal.Bar(sum / total, 20)} {100 * sum / total:F0}%");
    first += channels;
}
Console.WriteLine();

ParityResult parity = InceptionData.CheckAgainstPyTorch(dir);
Console.WriteLine(parity);
float[] x0 = inputs.Slice(0).ToArray();
double micros = Timing.MedianMicroseconds(() => module.Run(x0, output));
Console.WriteLine($"Run: {micros:F1} µs median (batch 1, one thread, {InceptionModule.MultiplyAccumulates:N0} MACs)");
return parity.Passed && tableOk ? 0 : 1;
