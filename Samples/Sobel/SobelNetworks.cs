using ConvGen;
using ConvGen.Samples;

namespace SobelSample;

// The Sobel operator is separable: its 3x3 kernel is the outer product of a column and a row, so a 3x1 convolution
// followed by a 1x3 one computes the same thing with 6 multiply-accumulates per pixel instead of 9. No padding (a
// 24x40 image gives 22x38), no bias; one output channel, so one instance per direction, each with its own weights.
[Network(1, 24, 40)]
[Conv2d(1, new[] { 3, 1 }, Bias = false), Conv2d(1, new[] { 1, 3 }, Bias = false)]
public partial class SobelSeparable;

[Network(1, 24, 40)]
[Conv2d(1, 3, Bias = false)]
public partial class SobelFull;

/// <summary>The Sobel kernels, as weights files built in memory, and the synthetic image (also used by the test suite).</summary>
public static class Sobel
{
    public const int Height = 24, Width = 40;

    /// <summary>Smoothing [1, 2, 1] and central difference [-1, 0, 1].</summary>
    public static readonly float[] Smooth = [1, 2, 1], Difference = [-1, 0, 1];

    /// <summary>
    /// The state_dict of <see cref="SobelSeparable"/>: "0.weight" the 3×1 column (shape [1, 1, 3, 1]), "1.weight" the
    /// 1×3 row ([1, 1, 1, 3]). d/dx is column = smooth, row = difference; d/dy the other way round.
    /// </summary>
    public static byte[] SeparableWeights(float[] column, float[] row)
        => SafeTensors.Write(("0.weight", [1, 1, 3, 1], column), ("1.weight", [1, 1, 1, 3], row));

    /// <summary>The state_dict of <see cref="SobelFull"/>: "0.weight" [1, 1, 3, 3] = column ⊗ row.</summary>
    public static byte[] FullWeights(float[] column, float[] row)
    {
        float[] kernel = new float[9];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) kernel[i * 3 + j] = column[i] * row[j];
        return SafeTensors.Write(("0.weight", [1, 1, 3, 3], kernel));
    }

    /// <summary>A 3×3 kernel turned by 180°: cross-correlating with it is convolving with the original.</summary>
    public static float[] Flip(float[] kernel) => kernel.Reverse().ToArray();

    /// <summary>A bright square and a bright disc (edges anti-aliased) on a dark background, 24×40.</summary>
    public static float[] Image()
    {
        float[] image = new float[Height * Width];
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
            {
                float value = 0.1f;
                if (y >= 5 && y < 19 && x >= 4 && x < 18) value = 0.9f;                                // square
                float distance = MathF.Sqrt((y - 11.5f) * (y - 11.5f) + (x - 29.5f) * (x - 29.5f));
                value = Math.Max(value, 0.1f + 0.8f * Math.Clamp(7.5f - distance, 0f, 1f));                // disc, radius 7
                image[y * Width + x] = value;
            }
        return image;
    }

    /// <summary>Straightforward cross-correlation with a 3×3 kernel, no padding: the check for both networks.</summary>
    public static float[] Naive(float[] image, float[] kernel)
    {
        int outH = Height - 2, outW = Width - 2;
        float[] output = new float[outH * outW];
        for (int y = 0; y < outH; y++)
            for (int x = 0; x < outW; x++)
            {
                double sum = 0;
                for (int i = 0; i < 3; i++)
                    for (int j = 0; j < 3; j++) sum += kernel[i * 3 + j] * image[(y + i) * Width + x + j];
                output[y * outW + x] = (float)sum;
            }
        return output;
    }

    /// <summary>Runs both networks in both directions; returns the largest separable-vs-full and network-vs-naive differences.</summary>
    public static (double SeparableVsFull, double VsNaive, float[] Gx, float[] Gy) Compute(float[] image)
    {
        var gx = (Sep: SobelSeparable.Load(SeparableWeights(Smooth, Difference)), Full: SobelFull.Load(FullWeights(Smooth, Difference)));
        var gy = (Sep: SobelSeparable.Load(SeparableWeights(Difference, Smooth)), Full: SobelFull.Load(FullWeights(Difference, Smooth)));
        float[] gxSep = new float[SobelSeparable.OutputLength], gxFull = new float[SobelFull.OutputLength];
        float[] gySep = new float[SobelSeparable.OutputLength], gyFull = new float[SobelFull.OutputLength];
        gx.Sep.Run(image, gxSep); gx.Full.Run(image, gxFull);
        gy.Sep.Run(image, gySep); gy.Full.Run(image, gyFull);
        double separableVsFull = Math.Max(Parity.MaxAbsError(gxSep, gxFull), Parity.MaxAbsError(gySep, gyFull));
        float[] gxNaive = Naive(image, Outer(Smooth, Difference)), gyNaive = Naive(image, Outer(Difference, Smooth));
        double vsNaive = Math.Max(Math.Max(Parity.MaxAbsError(gxSep, gxNaive), Parity.MaxAbsError(gxFull, gxNaive)),
                                  Math.Max(Parity.MaxAbsError(gySep, gyNaive), Parity.MaxAbsError(gyFull, gyNaive)));
        return (separableVsFull, vsNaive, gxFull, gyFull);
    }

    public static float[] Outer(float[] column, float[] row)
    {
        float[] kernel = new float[9];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) kernel[i * 3 + j] = column[i] * row[j];
        return kernel;
    }
}
