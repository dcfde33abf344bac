using System;
using ConvGen.Runtime.Kernels;

namespace ConvGen.Reference;

/// <summary>
/// Naive convolution and linear layers in double precision, straight from the PyTorch definitions, with the
/// tolerance check the kernel tests and IsaCheck share. Shared (linked) by ConvGen.Tests and ConvGen.IsaCheck.
/// </summary>
public static class ConvReference
{
    /// <summary>
    /// PyTorch Conv2d at batch 1: <c>y[co, oy, ox] = act(bias[co] + sum over ci in co's group, ky, kx of
    /// w[co, ci, ky, kx] * x[g * Cin/G + ci, oy * SH - PT + ky * DH, ox * SW - PL + kx * DW])</c>, zero outside the input.
    /// </summary>
    public static float[] Conv2d(float[] input, float[] weights, float[]? bias, in Conv2dGeometry g, Epilogue epilogue)
    {
        int cinG = g.InChannels / g.Groups, coutG = g.OutChannels / g.Groups;
        var output = new float[g.OutChannels * g.OutHeight * g.OutWidth];
        for (int co = 0; co < g.OutChannels; co++)
        {
            int group = co / coutG;
            for (int oy = 0; oy < g.OutHeight; oy++)
            {
                for (int ox = 0; ox < g.OutWidth; ox++)
                {
                    double sum = bias is null ? 0.0 : bias[co];
                    for (int ci = 0; ci < cinG; ci++)
                    {
                        int c = group * cinG + ci;
                        for (int ky = 0; ky < g.KernelHeight; ky++)
                        {
                            int iy = oy * g.StrideHeight - g.PadTop + ky * g.DilationHeight;
                            if (iy < 0 || iy >= g.InHeight) continue;
                            for (int kx = 0; kx < g.KernelWidth; kx++)
                            {
                                int ix = ox * g.StrideWidth - g.PadLeft + kx * g.DilationWidth;
                                if (ix < 0 || ix >= g.InWidth) continue;
                                double w = weights[((co * cinG + ci) * g.KernelHeight + ky) * g.KernelWidth + kx];
                                sum += w * input[(c * g.InHeight + iy) * g.InWidth + ix];
                            }
                        }
                    }

                    output[(co * g.OutHeight + oy) * g.OutWidth + ox] = (float)Activate(sum, epilogue);
                }
            }
        }

        return output;
    }

    /// <summary>PyTorch Linear over the last dimension: <c>y[r, o] = act(bias[o] + sum_i x[r, i] * w[o, i])</c>.</summary>
    public static float[] Linear(float[] input, float[] weights, float[]? bias, int rows, int inFeatures, int outFeatures, Epilogue epilogue)
    {
        var output = new float[rows * outFeatures];
        for (int r = 0; r < rows; r++)
        {
            for (int o = 0; o < outFeatures; o++)
            {
                double sum = bias is null ? 0.0 : bias[o];
                for (int i = 0; i < inFeatures; i++) sum += (double)weights[o * inFeatures + i] * input[r * inFeatures + i];
                output[r * outFeatures + o] = (float)Activate(sum, epilogue);
            }
        }

        return output;
    }

    /// <summary>The activations of <see cref="ActivationKind"/> in double, from their PyTorch definitions.</summary>
    public static double Activate(double x, Epilogue epilogue) => epilogue.Activation switch
    {
        ActivationKind.None => x,
        ActivationKind.ReLU => Math.Max(0.0, x),
        ActivationKind.ReLU6 => Math.Min(Math.Max(0.0, x), 6.0),
        ActivationKind.LeakyReLU => x > 0 ? x : epilogue.Alpha * x,
        ActivationKind.Sigmoid => 1.0 / (1.0 + Math.Exp(-x)),
        ActivationKind.Tanh => Math.Tanh(x),
        ActivationKind.SiLU => x / (1.0 + Math.Exp(-x)),
        ActivationKind.Hardswish => x * Math.Min(Math.Max(x + 3.0, 0.0), 6.0) / 6.0,
        _ => throw new NotSupportedException($"No reference for activation {epilogue.Activation}."),
    };

    /// <summary>The epilogues the kernel tests cycle through (every activation ConvReference knows).</summary>
    public static readonly Epilogue[] Epilogues =
    [
        Epilogue.None,
        new(ActivationKind.ReLU),
        new(ActivationKind.ReLU6),
        new(ActivationKind.LeakyReLU, 0.1f),
        new(ActivationKind.Sigmoid),
        new(ActivationKind.Tanh),
        new(ActivationKind.SiLU),
        new(ActivationKind.Hardswish),
    ];

    /// <summary>Uniform values in [-scale, scale) from a seeded generator.</summary>
    public static float[] RandomValues(Random random, int length, float scale = 1f)
    {
        var values = new float[length];
        for (int i = 0; i < values.Length; i++) values[i] = (float)((random.NextDouble() * 2.0 - 1.0) * scale);
        return values;
    }

    /// <summary>
    /// The allowed error for sums of <paramref name="reductionLength"/> products:
    /// <c>1e-5 * max(1, max|expected|) * sqrt(reductionLength)</c>.
    /// </summary>
    public static double Tolerance(ReadOnlySpan<float> expected, int reductionLength)
    {
        double scale = 1.0;
        foreach (float e in expected) scale = Math.Max(scale, Math.Abs(e));
        return 1e-5 * scale * Math.Sqrt(Math.Max(1, reductionLength));
    }

    /// <summary>
    /// Null when every element of <paramref name="actual"/> is within <see cref="Tolerance"/> of
    /// <paramref name="expected"/> (and the lengths agree), else a message naming the worst element.
    /// </summary>
    public static string? Compare(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, int reductionLength)
    {
        if (actual.Length != expected.Length) return $"length {actual.Length}, expected {expected.Length}";
        double tolerance = Tolerance(expected, reductionLength);
        double worst = 0;
        int at = -1;
        for (int i = 0; i < actual.Length; i++)
        {
            double error = Math.Abs((double)actual[i] - expected[i]);
            if (double.IsNaN(error)) error = double.PositiveInfinity;
            if (error > worst) { worst = error; at = i; }
        }

        return worst <= tolerance ? null
            : $"element {at}: {actual[at]:R} vs reference {expected[at]:R} (error {worst:G3} > tolerance {tolerance:G3})";
    }
}
