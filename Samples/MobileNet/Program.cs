using System.Text;
using ConvGen.Samples;
using MobileNetSample;

// A small MobileNet (MobileNetTiny.cs) with weights from PyTorch (make_mobilenet.py): prints the per-layer table,
// the saving of depthwise-separable blocks, the top-3 outputs for a reference input, the error against PyTorch and
// the latency of Run.
Console.OutputEncoding = Encoding.UTF8;
string dir = AppContext.BaseDirectory;

Console.WriteLine($"MobileNet (v1 blocks), {LayerTable.Format(MobileNetTiny.InputShape)} → {LayerTable.Format(MobileNetTiny.OutputShape)}");
LayerTable table = MobileNetData.Table();
Console.WriteLine(table);
(bool tableOk, string verdict) = table.Verify(MobileNetTiny.OutputShape, MobileNetTiny.ParameterCount, MobileNetTiny.MultiplyAccumulates);
Console.WriteLine($"  {verdict}; {MobileNetTiny.ScratchBytes:N0} bytes of scratch per instance");

// What the factorisation saves: a dense 3x3 convolution with the same input and output shapes, per block.
long separable = 0, dense = 0;
int size = 16;
foreach ((int cin, int cout, int stride) in MobileNetData.Blocks)
{
    size /= stride;
    separable += (long)size * size * (cin * 9 + cin * cout);
    dense += (long)size * size * cout * cin * 9;
}
Console.WriteLine($"  the four blocks: {separable:N0} MACs as depthwise 3×3 + pointwise 1×1; {dense:N0} as dense 3×3 convolutions ({(double)dense / separable:F1}× more)");
Console.WriteLine();

MobileNetTiny net = MobileNetTiny.Load(Path.Combine(dir, MobileNetData.WeightsFile));
var reference = SafeTensors.Read(Path.Combine(dir, MobileNetData.ReferenceFile));
float[] logits = new float[MobileNetTiny.OutputLength];
net.Run(reference["inputs"].Slice(0), logits);
int[] top = Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).Take(3).ToArray();
int[] pytorchTop = Enumerable.Range(0, logits.Length).OrderByDescending(i => reference["outputs"].Slice(0)[i]).Take(3).ToArray();
Console.WriteLine("Top-3 outputs for reference input #0 (untrained weights: the ten outputs are not classes of anything):");
foreach (int i in top) Console.WriteLine($"  output {i}: {logits[i],8:F4}   PyTorch {reference["outputs"].Slice(0)[i],8:F4}");
Console.WriteLine($"  same top-3 as PyTorch: {(top.SequenceEqual(pytorchTop) ? "yes" : "NO")}");
Console.WriteLine();

ParityResult parity = MobileNetData.CheckAgainstPyTorch(dir);
Console.WriteLine(parity);
float[] x0 = reference["inputs"].Slice(0).ToArray();
double micros = Timing.MedianMicroseconds(() => net.Run(x0, logits), warmup: 2000, runs: 500);
Console.WriteLine($"Run: {micros:F1} µs median of 500 runs after 2,000 warm-up (batch 1, one thread, {MobileNetTiny.MultiplyAccumulates / micros / 1000:F1} GMAC/s, vector width {ConvGen.Runtime.Simd.Isa.ActiveWidth} floats)");
return parity.Passed && tableOk && top.SequenceEqual(pytorchTop) ? 0 : 1;
