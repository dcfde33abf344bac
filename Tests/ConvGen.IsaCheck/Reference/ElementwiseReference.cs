using System;
using ConvGen.Runtime.Kernels;

namespace ConvGen.Reference;

/// <summary>
/// Naive element-wise layers in double precision: activation formulas (for the CHW kernels' epilogue), softmax and
/// log-softmax, ChannelShuffle; and a double erf to test the runtime's float one.
/// </summary>
public static class ElementwiseReference
{
    /// <summary>The activation's formula in double.</summary>
    public static double Activation(double x, ActivationKind kind, double alpha = 0)
    {
        switch (kind)
        {
            case ActivationKind.None: return x;
            case ActivationKind.ReLU: return Math.Max(0, x);
            case ActivationKind.ReLU6: return Math.Min(Math.Max(0, x), 6);
            case ActivationKind.LeakyReLU: return x > 0 ? x : alpha * x;
            case ActivationKind.Sigmoid: return 1 / (1 + Math.Exp(-x));
            case ActivationKind.Tanh: return Math.Tanh(x);
            case ActivationKind.SiLU: return x / (1 + Math.Exp(-x));
            case ActivationKind.Hardswish: return x * Math.Min(Math.Max(x + 3, 0), 6) / 6;
            case ActivationKind.GELU: return 0.5 * x * (1 + Erf(x / Math.Sqrt(2)));
            case ActivationKind.GELUTanh: return 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    /// <summary>Softmax (or log-softmax) over the middle axis of [outer, axis, inner], in double.</summary>
    public static float[] Softmax(float[] x, int outer, int axis, int inner, bool log)
    {
        var y = new float[x.Length];
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < inner; j++)
            {
                double max = double.NegativeInfinity;
                for (int a = 0; a < axis; a++) max = Math.Max(max, x[(o * axis + a) * inner + j]);
                double sum = 0;
                for (int a = 0; a < axis; a++) sum += Math.Exp(x[(o * axis + a) * inner + j] - max);
                for (int a = 0; a < axis; a++)
                {
                    int at = (o * axis + a) * inner + j;
                    y[at] = (float)(log ? x[at] - max - Math.Log(sum) : Math.Exp(x[at] - max) / sum);
                }
            }
        return y;
    }

    /// <summary>ChannelShuffle: output channel k * groups + g is input channel g * (channels / groups) + k.</summary>
    public static float[] ChannelShuffle(float[] x, int channels, int groups, int spatial)
    {
        var y = new float[x.Length];
        int perGroup = channels / groups;
        for (int g = 0; g < groups; g++)
            for (int k = 0; k < perGroup; k++)
                Array.Copy(x, (g * perGroup + k) * spatial, y, (k * groups + g) * spatial, spatial);
        return y;
    }

    /// <summary>
    /// erf in double to about 1e-14: the Maclaurin series below 3, the continued fraction of erfc above
    /// (erfc(x) = exp(-x^2) / sqrt(pi) / (x + (1/2) / (x + 1 / (x + (3/2) / (x + ...))))).
    /// </summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        double ax = Math.Abs(x);
        double result;
        if (ax < 3)
        {
            // erf(x) = 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1))
            double term = ax, sum = ax, x2 = ax * ax;
            for (int n = 1; n < 200; n++)
            {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.Abs(add) < 1e-17 * Math.Abs(sum)) break;
            }
            result = 2 / Math.Sqrt(Math.PI) * sum;
        }
        else if (ax > 10) result = 1;
        else
        {
            double f = ax;
            for (int k = 120; k >= 1; k--) f = ax + k / 2.0 / f;
            result = 1 - Math.Exp(-ax * ax) / Math.Sqrt(Math.PI) / f;
        }
        return x < 0 ? -result : result;
    }
}
