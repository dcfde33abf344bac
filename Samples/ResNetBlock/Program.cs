using System.Text;
using ConvGen.Samples;
using ResNetBlockSample;

// A ResNet basic block with a projection shortcut (BasicBlock.cs), weights from PyTorch (make_resnet_block.py):
// prints the layer table, what the block computes on a PyTorch reference input, and the error against PyTorch.
Console.OutputEncoding = Encoding.UTF8;
string dir = AppContext.BaseDirectory;

Console.WriteLine($"ResNet basic block, {LayerTable.Format(BasicBlock.InputShape)} → {LayerTable.Format(BasicBlock.OutputShape)}: conv-bn-relu-conv-bn + (1×1 stride-2 conv, bn) shortcut, Add, ReLU");
LayerTable table = BasicBlockData.Table();
Console.WriteLine(table);
(bool tableOk, string verdict) = table.Verify(BasicBlock.OutputShape, BasicBlock.ParameterCount, BasicBlock.MultiplyAccumulates);
Console.WriteLine($"  {verdict}; {BasicBlock.ScratchBytes:N0} bytes of scratch per instance");
Console.WriteLine();

BasicBlock block = BasicBlock.Load(Path.Combine(dir, BasicBlockData.WeightsFile));
SafeTensors.Tensor inputs = SafeTensors.Read(Path.Combine(dir, BasicBlockData.ReferenceFile))["inputs"];
float[] output = new float[BasicBlock.OutputLength];
block.Run(inputs.Slice(0), output);

// What came out: the final ReLU zeroes part of every channel; the per-channel means.
int channels = BasicBlock.OutputShape[0], height = BasicBlock.OutputShape[1], width = BasicBlock.OutputShape[2], plane = height * width;
int positive = output.Count(v => v > 0);
Console.WriteLine($"Output for reference input #0: min {output.Min():F3}, max {output.Max():F3}, mean {output.Average():F3}; {positive} of {output.Length} values > 0 after the final ReLU");
var means = new StringBuilder("  channel means:");
for (int c = 0; c < channels; c++) means.Append($" {output.AsSpan(c * plane, plane).ToArray().Average():F2}");
Console.WriteLine(means);
Console.WriteLine($"  spatial {BasicBlock.InputShape[1]}×{BasicBlock.InputShape[2]} → {height}×{width} (stride 2 in conv1 and in the shortcut), channels {BasicBlock.InputShape[0]} → {channels}");

ParityResult parity = BasicBlockData.CheckAgainstPyTorch(dir);
Console.WriteLine(parity);

// Latency of one Run (batch 1, one thread): the median of 500 after warm-up.
float[] x0 = inputs.Slice(0).ToArray();
double micros = Timing.MedianMicroseconds(() => block.Run(x0, output));
Console.WriteLine($"Run: {micros:F1} µs median (batch 1, one thread, {BasicBlock.MultiplyAccumulates:N0} MACs, vector width {ConvGen.Runtime.Simd.Isa.ActiveWidth} floats)");
return parity.Passed && tableOk ? 0 : 1;
