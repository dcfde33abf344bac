using System;
using System.Collections.Generic;
using ConvGen.Runtime.Kernels;

namespace ConvGen.Reference;

/// <summary>Runs a generic piece of test code with one activation struct.</summary>
public interface IActivationUser
{
    void Use<TAct>(TAct activation) where TAct : struct, IActivation;
}

/// <summary>An activation struct with its double-precision reference (PyTorch's definition).</summary>
public abstract record ActivationCase(string Name, bool PreservesZero)
{
    public abstract double Reference(double x);

    public abstract void Accept(IActivationUser user);

    public override string ToString() => Name;
}

/// <summary>An <see cref="ActivationCase"/> for <typeparamref name="TAct"/>.</summary>
public sealed record ActivationCase<TAct>(string Name, TAct Activation, Func<double, double> Formula) : ActivationCase(Name, TAct.PreservesZero)
    where TAct : struct, IActivation
{
    public override double Reference(double x) => Formula(x);

    public override void Accept(IActivationUser user) => user.Use(Activation);
}

/// <summary>
/// References for the channel-blocked kernels: layout conversion, and convolution with the residual epilogue in
/// double precision. Shared (linked) by ConvGen.Tests and ConvGen.IsaCheck.
/// </summary>
public static class BlockedReference
{
    /// <summary>Every activation struct of the runtime, with its reference.</summary>
    public static readonly ActivationCase[] Activations =
    [
        new ActivationCase<Identity>("Identity", default, x => x),
        new ActivationCase<ReLU>("ReLU", default, x => Math.Max(0, x)),
        new ActivationCase<ReLU6>("ReLU6", default, x => Math.Min(Math.Max(0, x), 6)),
        new ActivationCase<LeakyReLU>("LeakyReLU(0.1)", new LeakyReLU(0.1f), x => x > 0 ? x : 0.1f * x),
        new ActivationCase<Sigmoid>("Sigmoid", default, x => 1 / (1 + Math.Exp(-x))),
        new ActivationCase<Tanh>("Tanh", default, Math.Tanh),
        new ActivationCase<SiLU>("SiLU", default, x => x / (1 + Math.Exp(-x))),
        new ActivationCase<GELU>("GELU", default, x => 0.5 * x * (1 + ElementwiseReference.Erf(x / Math.Sqrt(2)))),
        new ActivationCase<GELUTanh>("GELUTanh", default, x => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)))),
        new ActivationCase<Hardswish>("Hardswish", default, x => x * Math.Min(Math.Max(x + 3, 0), 6) / 6),
        new ActivationCase<Hardsigmoid>("Hardsigmoid", default, x => Math.Min(Math.Max(x + 3, 0), 6) / 6),
        new ActivationCase<Hardtanh>("Hardtanh(-0.5, 2)", new Hardtanh(-0.5f, 2f), x => Math.Min(Math.Max(x, -0.5), 2)),
        new ActivationCase<ELU>("ELU(0.7)", new ELU(0.7f), x => x > 0 ? x : 0.7 * (Math.Exp(x) - 1)),
        new ActivationCase<Softplus>("Softplus(1, 20)", new Softplus(1f, 20f), x => x > 20 ? x : Softplus(x, 1)),
        new ActivationCase<Softplus>("Softplus(-1.5, 2)", new Softplus(-1.5f, 2f), x => -1.5 * x > 2 ? x : Softplus(x, -1.5)),
        new ActivationCase<Mish>("Mish", default, x => x * Math.Tanh(Softplus(x, 1))),
    ];

    /// <summary>log(1 + exp(beta·x)) / beta in double, without overflow.</summary>
    private static double Softplus(double x, double beta)
    {
        double z = beta * x;
        return (Math.Max(z, 0) + Math.Log(1 + Math.Exp(-Math.Abs(z)))) / beta;
    }

    /// <summary>CHW [channels][positions] to blocked [ceil(channels/16)][positions][16], zero padding lanes.</summary>
    public static float[] ToBlocked(float[] chw, int channels, int positions)
    {
        int blocks = (channels + 15) / 16;
        var blocked = new float[blocks * positions * 16];
        for (int c = 0; c < channels; c++)
            for (int p = 0; p < positions; p++)
                blocked[((c / 16) * positions + p) * 16 + c % 16] = chw[c * positions + p];
        return blocked;
    }

    /// <summary>Blocked to CHW, dropping padding lanes.</summary>
    public static float[] FromBlocked(ReadOnlySpan<float> blocked, int channels, int positions)
    {
        var chw = new float[channels * positions];
        for (int c = 0; c < channels; c++)
            for (int p = 0; p < positions; p++)
                chw[c * positions + p] = blocked[((c / 16) * positions + p) * 16 + c % 16];
        return chw;
    }

    /// <summary>Null when every padding lane (channel &gt;= <paramref name="channels"/>) of a blocked tensor is exactly zero, else where one is not.</summary>
    public static string? PaddingLanesProblem(ReadOnlySpan<float> blocked, int channels, int positions)
    {
        int blocks = (channels + 15) / 16;
        for (int c = channels; c < blocks * 16; c++)
            for (int p = 0; p < positions; p++)
            {
                float v = blocked[((c / 16) * positions + p) * 16 + c % 16];
                if (v != 0f) return $"padding lane of channel {c} at position {p} is {v:R}";
            }

        return null;
    }

    /// <summary>
    /// PyTorch Conv2d at batch 1 in CHW, then the residual (CHW, or null) added, then the activation:
    /// <c>act(bias + conv + residual)</c>, all in double.
    /// </summary>
    public static float[] Conv2d(float[] input, float[] weights, float[]? bias, float[]? residual, in Conv2dGeometry g, ActivationCase activation)
    {
        float[] sums = ConvReference.Conv2d(input, weights, bias, g, Epilogue.None);
        // Recompute in double to avoid the float rounding of ConvReference before the residual and activation.
        var output = new float[sums.Length];
        int cinG = g.InChannels / g.Groups, coutG = g.OutChannels / g.Groups;
        for (int co = 0; co < g.OutChannels; co++)
        {
            int group = co / coutG;
            for (int oy = 0; oy < g.OutHeight; oy++)
                for (int ox = 0; ox < g.OutWidth; ox++)
                {
                    double sum = bias is null ? 0.0 : bias[co];
                    for (int ci = 0; ci < cinG; ci++)
                        for (int ky = 0; ky < g.KernelHeight; ky++)
                        {
                            int iy = oy * g.StrideHeight - g.PadTop + ky * g.DilationHeight;
                            if (iy < 0 || iy >= g.InHeight) continue;
                            for (int kx = 0; kx < g.KernelWidth; kx++)
                            {
                                int ix = ox * g.StrideWidth - g.PadLeft + kx * g.DilationWidth;
                                if (ix < 0 || ix >= g.InWidth) continue;
                                sum += (double)weights[((co * cinG + ci) * g.KernelHeight + ky) * g.KernelWidth + kx]
                                    * input[((group * cinG + ci) * g.InHeight + iy) * g.InWidth + ix];
                            }
                        }

                    int at = (co * g.OutHeight + oy) * g.OutWidth + ox;
                    if (residual is not null) sum += residual[at];
                    output[at] = (float)activation.Reference(sum);
                }
        }

        return output;
    }

    /// <summary>The geometries of <see cref="ConvCases.Named"/> plus channel counts around the 16-lane blocks.</summary>
    public static IEnumerable<(string Name, Conv2dGeometry Geometry)> ConvShapes()
    {
        foreach ((string name, Conv2dGeometry g) in ConvCases.Named) yield return (name, g);
        yield return ("blocks.17to33.3x3", ConvCases.Geometry(17, 9, 11, 33, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1));
        yield return ("blocks.32to48.3x3.s2", ConvCases.Geometry(32, 12, 13, 48, 3, 3, 2, 2, 1, 1, 0, 1));
        yield return ("blocks.16to64.1x1.s2", ConvCases.Geometry(16, 10, 10, 64, 1, 1, 2, 2));
        yield return ("blocks.groups2.32to32", ConvCases.Geometry(64, 7, 9, 32, 3, 3, 1, 1, 1, 1, 1, 1, groups: 2));
        yield return ("blocks.resnet8.stack1", ConvCases.Same(16, 32, 32, 16, 3, 3));
        yield return ("blocks.resnet8.stack3", ConvCases.Same(64, 8, 8, 64, 3, 3));
        yield return ("blocks.vww.stem", ConvCases.Same(3, 96, 96, 8, 3, 3, 2, 2));
        yield return ("blocks.mnv2.stem", ConvCases.Geometry(3, 32, 30, 32, 3, 3, 2, 2, 1, 1, 1, 1));
        yield return ("blocks.pointwise.7x7.96to40", ConvCases.Geometry(96, 7, 7, 40, 1, 1));
        yield return ("blocks.pointwise.1x1.100to70", ConvCases.Geometry(100, 1, 1, 70, 1, 1));
        yield return ("blocks.pointwise.3x3.groups4", ConvCases.Geometry(64, 3, 3, 128, 1, 1, groups: 4));
    }
}
