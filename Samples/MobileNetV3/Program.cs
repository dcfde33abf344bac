using System.Text;
using ConvGen.Samples;
using MobileNetV3Sample;

// torchvision's MobileNetV3-Small (width 0.5, 10 classes, 3×64×64 input), exported from PyTorch with
// Export/convgen_export.py (make_mobilenetv3.py, weights committed): its squeeze-excitation gates, Hardswish and
// Hardsigmoid run as generated code. Prints what the network is, the top-3 outputs beside PyTorch's, the error against
// PyTorch on four inputs and the latency of Run; exits non-zero if a check fails.
Console.OutputEncoding = Encoding.UTF8;
string dir = AppContext.BaseDirectory;
const string Weights = "MobileNetV3Small.safetensors", Reference = "mobilenetv3.reference.safetensors";

Console.WriteLine($"MobileNetV3-Small (torchvision, width 0.5), {LayerTable.Format(MobileNetV3Small.InputShape)} → {LayerTable.Format(MobileNetV3Small.OutputShape)}");
Console.WriteLine($"  {MobileNetV3Small.ParameterCount:N0} parameters, {MobileNetV3Small.MultiplyAccumulates:N0} multiply-accumulates per image, " +
                  $"{MobileNetV3Small.ScratchBytes:N0} bytes of scratch per instance");
Console.WriteLine("  its blocks: inverted residuals with Hardswish, and squeeze-excitation gates (a C×1×1 Hardsigmoid gate times the C×H×W map)");
Console.WriteLine();

MobileNetV3Small net = MobileNetV3Small.Load(Path.Combine(dir, Weights));
var reference = SafeTensors.Read(Path.Combine(dir, Reference));
float[] logits = new float[MobileNetV3Small.OutputLength];
net.Run(reference["inputs"].Slice(0), logits);
float[] expected = reference["outputs"].Slice(0).ToArray();
int[] top = Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).Take(3).ToArray();
int[] pytorchTop = Enumerable.Range(0, logits.Length).OrderByDescending(i => expected[i]).Take(3).ToArray();
Console.WriteLine("Top-3 outputs for reference input #0 (random weights: the ten outputs are not classes of anything):");
foreach (int i in top) Console.WriteLine($"  output {i}: {logits[i],8:F4}   PyTorch {expected[i],8:F4}");
Console.WriteLine($"  same top-3 as PyTorch: {(top.SequenceEqual(pytorchTop) ? "yes" : "NO")}");
Console.WriteLine();

ParityResult parity = ParityResult.Check(Path.Combine(dir, Reference), MobileNetV3Small.InputLength, MobileNetV3Small.OutputLength, (x, y) => net.Run(x, y));
Console.WriteLine(parity);
float[] x0 = reference["inputs"].Slice(0).ToArray();
double micros = Timing.MedianMicroseconds(() => net.Run(x0, logits), warmup: 500, runs: 300);
Console.WriteLine($"Run: {micros:F1} µs median of 300 runs after 500 warm-up (batch 1, one thread, vector width {ConvGen.Runtime.Simd.Isa.ActiveWidth} floats)");
return parity.Passed && top.SequenceEqual(pytorchTop) ? 0 : 1;
