using System.Text;
using ConvGen.Samples;
using UNetSample;

// A tiny U-Net trained in PyTorch (train_unet.py) segments a fresh synthetic image generated here (Shapes.cs):
// draws the image, the true mask and the predicted mask side by side, prints the IoU for it and over 500 more
// images, and the error against PyTorch's outputs on two of its held-out images. An optional argument picks another
// image: dotnet run --project Samples/UNet -c Release -- 6
Console.OutputEncoding = Encoding.UTF8;
string dir = AppContext.BaseDirectory;
TinyUNet net = TinyUNet.Load(Path.Combine(dir, TinyUNetData.WeightsFile));
Console.WriteLine($"Tiny U-Net, {LayerTable.Format(TinyUNet.InputShape)} → {LayerTable.Format(TinyUNet.OutputShape)}: {TinyUNet.ParameterCount:N0} parameters, {TinyUNet.MultiplyAccumulates:N0} multiply-accumulates, {TinyUNet.ScratchBytes:N0} bytes of scratch");
Console.WriteLine("Task: find the discs and rectangles in noise; ignore the one-pixel lines (they are bright too, but not shapes).");
Console.WriteLine();

const int Size = Shapes.Size;
float[] image = new float[TinyUNet.InputLength], probability = new float[TinyUNet.OutputLength];
bool[] truth = new bool[image.Length], predicted = new bool[image.Length];
Shapes.Generate(new Random(args.Length > 0 ? int.Parse(args[0]) : 5), image, truth);
net.Run(image, probability);
for (int i = 0; i < image.Length; i++) predicted[i] = probability[i] > 0.5f;
(int intersection, int union) = Shapes.Overlap(predicted, truth);
Console.WriteLine(Terminal.SideBySide(
    ("input (32×32)", Terminal.Shade(image, Size, Size, 0.1f, 1.3f)),
    ("true mask", Terminal.Blocks(truth, Size, Size)),
    ("predicted (p > 0.5)", Terminal.Blocks(predicted, Size, Size))));
Console.WriteLine($"IoU on this image: {(double)intersection / union:F3} ({intersection} pixels in both, {union} in either)");

const int Count = 500;
(double iou, double thresholdIoU) = TinyUNetData.MeasureIoU(net, Count, seed: 1);
Console.WriteLine($"IoU over {Count} fresh images: {iou:F3} (a plain threshold on the pixels: {thresholdIoU:F3})");
Console.WriteLine();

ParityResult parity = TinyUNetData.CheckAgainstPyTorch(dir);
Console.WriteLine(parity);
double micros = Timing.MedianMicroseconds(() => net.Run(image, probability), warmup: 500, runs: 300);
Console.WriteLine($"Run: {micros:F1} µs median per image (batch 1, one thread)");
return parity.Passed && iou > 0.8 ? 0 : 1;
