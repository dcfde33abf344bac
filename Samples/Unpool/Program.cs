using System.Text;
using ConvGen.Samples;
using UnpoolSample;

// A SegNet-style autoencoder trained in PyTorch (train_unpool.py) cleans a fresh noisy image generated here
// (NoisyShapes.cs): its max pools keep their indices and its decoder unpools to them. Draws the noisy input, the
// reconstruction and the clean image side by side, prints the error for it and over 500 more images (beside a box
// blur's), and the error against PyTorch's outputs on two of its held-out images. An optional argument picks another
// image: dotnet run --project Samples/Unpool -c Release -- 6
Console.OutputEncoding = Encoding.UTF8;
string dir = AppContext.BaseDirectory;
SegNetAutoencoder net = SegNetAutoencoder.Load(Path.Combine(dir, SegNetAutoencoderData.WeightsFile));
Console.WriteLine($"SegNet-style autoencoder, {LayerTable.Format(SegNetAutoencoder.InputShape)} → {LayerTable.Format(SegNetAutoencoder.OutputShape)}: {SegNetAutoencoder.ParameterCount:N0} parameters, {SegNetAutoencoder.MultiplyAccumulates:N0} multiply-accumulates, {SegNetAutoencoder.ScratchBytes:N0} bytes of scratch (the pools' indices included)");
Console.WriteLine("Task: reconstruct the clean shapes from an image drowned in noise (std 0.35); the decoder unpools to the encoder's max positions.");
Console.WriteLine();

const int Size = NoisyShapes.Size;
float[] noisy = new float[SegNetAutoencoder.InputLength], clean = new float[noisy.Length], restored = new float[SegNetAutoencoder.OutputLength];
NoisyShapes.Generate(new Random(args.Length > 0 ? int.Parse(args[0]) : 2), noisy, clean);
net.Run(noisy, restored);
Console.WriteLine(Terminal.SideBySide(
    ("noisy input (32×32)", Terminal.Shade(noisy, Size, Size, 0f, 1f)),
    ("reconstruction", Terminal.Shade(restored, Size, Size, 0f, 1f)),
    ("clean image", Terminal.Shade(clean, Size, Size, 0f, 1f))));
Console.WriteLine($"Mean squared error on this image: reconstruction {NoisyShapes.MeanSquaredError(restored, clean):F4}, noisy input {NoisyShapes.MeanSquaredError(noisy, clean):F4}");

const int Count = 500;
(double network, double blur, double input) = SegNetAutoencoderData.MeasureDenoising(net, Count, seed: 1);
Console.WriteLine($"Over {Count} fresh images: reconstruction {network:F4}, a 3×3 box blur {blur:F4}, the noisy input {input:F4}");
Console.WriteLine();

ParityResult parity = SegNetAutoencoderData.CheckAgainstPyTorch(dir);
Console.WriteLine(parity);
double micros = Timing.MedianMicroseconds(() => net.Run(noisy, restored), warmup: 500, runs: 300);
Console.WriteLine($"Run: {micros:F1} µs median per image (batch 1, one thread)");
return parity.Passed && network < blur / 2 ? 0 : 1;
