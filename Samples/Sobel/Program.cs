using System.Text;
using ConvGen.Samples;
using SobelSample;

// Sobel edge detection with weights computed in C# (no PyTorch): the 3x3 kernel as a separable pair of 3x1 and 1x3
// convolutions and as one 3x3 convolution (SobelNetworks.cs), loaded from safetensors bytes built in memory.
// Prints their difference, the cost of each, draws the edge magnitude, and shows what cross-correlation means.
Console.OutputEncoding = Encoding.UTF8;
const int OutH = Sobel.Height - 2, OutW = Sobel.Width - 2;
float[] image = Sobel.Image();
(double separableVsFull, double vsNaive, float[] gx, float[] gy) = Sobel.Compute(image);

Console.WriteLine($"Sobel on a {Sobel.Height}×{Sobel.Width} image → {OutH}×{OutW} (no padding), weights built in memory as safetensors");
Console.WriteLine($"  separable  Conv2d(1, new[] {{ 3, 1 }}) then Conv2d(1, new[] {{ 1, 3 }}): {SobelSeparable.MultiplyAccumulates:N0} MACs, {(double)SobelSeparable.MultiplyAccumulates / (OutH * OutW):F2} per output pixel, {SobelSeparable.ParameterCount} weights");
Console.WriteLine($"  full 3×3   Conv2d(1, 3):                                      {SobelFull.MultiplyAccumulates:N0} MACs, {(double)SobelFull.MultiplyAccumulates / (OutH * OutW):F2} per output pixel, {SobelFull.ParameterCount} weights");
Console.WriteLine("  (separable: 3 per pixel of the 22×40 intermediate, then 3 per output pixel; the extra 0.16 is the two border columns)");
Console.WriteLine($"  max |separable - full| over Gx and Gy: {separableVsFull:0.0e+00}; max |network - naive loop|: {vsNaive:0.0e+00}");
Console.WriteLine();

float[] magnitude = new float[gx.Length];
for (int i = 0; i < gx.Length; i++) magnitude[i] = MathF.Sqrt(gx[i] * gx[i] + gy[i] * gy[i]);
Console.WriteLine(Terminal.SideBySide(
    ("input", Terminal.Shade(image, Sobel.Height, Sobel.Width, 0.1f, 0.9f)),
    ("edge magnitude √(Gx² + Gy²)", Terminal.Shade(magnitude, OutH, OutW, 0f, magnitude.Max()))));
Console.WriteLine();

// Cross-correlation: out(y, x) = Σ w(i, j) · in(y + i, x + j), no kernel flip (as PyTorch). With the row
// [-1, 0, 1] that is right minus left, so the square's left edge (dark → bright) comes out positive.
int row = 10, left = 3;   // output column 3 is centred on input column 4, the square's first column
float flippedAtEdge;
{
    var flipped = SobelFull.Load(SafeTensors.Write(("0.weight", [1, 1, 3, 3], Sobel.Flip(Sobel.Outer(Sobel.Smooth, Sobel.Difference)))));
    float[] convolved = new float[SobelFull.OutputLength];
    flipped.Run(image, convolved);
    flippedAtEdge = convolved[row * OutW + left];
}
Console.WriteLine("Conv2d computes cross-correlation, as PyTorch does: the kernel is not flipped.");
Console.WriteLine($"  Gx at the square's left edge (dark → bright): {gx[row * OutW + left]:+0.00;-0.00} (right minus left)");
Console.WriteLine($"  the same kernel turned 180° (Sobel.Flip, w.flip(-1, -2) in PyTorch) gives {flippedAtEdge:+0.00;-0.00}: that is the");
Console.WriteLine("  signal-processing convolution with the original kernel. To convolve, flip the kernel before saving the weights.");
return separableVsFull <= 1e-5 && vsNaive <= 1e-5 ? 0 : 1;
