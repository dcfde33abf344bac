using ConvGen.Runtime.Simd;

namespace ConvGen.Runtime.Kernels;

/// <summary>
/// GELU (<c>torch.nn.GELU</c>) in both forms, and the vectorised error function the exact form needs.
/// </summary>
internal static class Gelu
{
    /// <summary>GELU, exact form (PyTorch's default): x * 0.5 * (1 + erf(x / sqrt(2))).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Exact<TOps, TVec>(TVec x) where TOps : IVectorOps<TVec> where TVec : struct
    {
        TVec erf = Erf<TOps, TVec>(TOps.Multiply(x, TOps.Create(0.707106781186547524f)));
        return TOps.Multiply(TOps.Multiply(x, TOps.Create(0.5f)), TOps.Add(TOps.Create(1f), erf));
    }

    /// <summary>
    /// GELU, tanh approximation (<c>approximate='tanh'</c>): 0.5 * x * (1 + tanh(u)), u = sqrt(2/pi) * (x + 0.044715 x^3),
    /// computed as x / (1 + exp(-2u)), the same function (0.5 * (1 + tanh(u)) = sigmoid(2u)) without a tanh;
    /// exp overflowing to +inf for very negative x gives the right limit -0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Tanh<TOps, TVec>(TVec x) where TOps : IVectorOps<TVec> where TVec : struct
    {
        TVec x3 = TOps.Multiply(TOps.Multiply(x, x), x);
        TVec u = TOps.MultiplyAdd(x3, TOps.Create(0.044715f), x);
        TVec e = TOps.Exp(TOps.Multiply(u, TOps.Create(-2f * 0.797884560802865355f)));
        return TOps.Divide(x, TOps.Add(TOps.Create(1f), e));
    }

    /// <summary>
    /// erf(x) to about one float ulp of 1 (absolute error about 1.2e-7, checked against a double erf in the tests).
    /// |x| &lt; 1: x * P(x^2), a degree-5 polynomial fitted for relative error (about 1.7e-7).
    /// |x| &gt;= 1: 1 - erfc(|x|) with sign, erfc(z) = t * exp(-z^2 + R(t)), t = 1 / (1 + z/2), R the degree-9
    /// Chebyshev fit of Numerical Recipes' erfcc (fractional error &lt; 1.2e-7 everywhere); no cancellation there
    /// because erfc(1) is only 0.157. Both branches are computed and one selected per lane.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Erf<TOps, TVec>(TVec x) where TOps : IVectorOps<TVec> where TVec : struct
    {
        TVec one = TOps.Create(1f);
        TVec ax = TOps.Max(x, TOps.Subtract(TOps.Zero, x));

        TVec s = TOps.Multiply(x, x);
        TVec p = TOps.Create(-5.625396152026951e-04f);
        p = TOps.MultiplyAdd(p, s, TOps.Create(4.916023463010788e-03f));
        p = TOps.MultiplyAdd(p, s, TOps.Create(-2.670994959771633e-02f));
        p = TOps.MultiplyAdd(p, s, TOps.Create(1.128013059496880e-01f));
        p = TOps.MultiplyAdd(p, s, TOps.Create(-3.761231899261475e-01f));
        p = TOps.MultiplyAdd(p, s, TOps.Create(1.128379106521606e+00f));
        TVec small = TOps.Multiply(x, p);

        TVec t = TOps.Divide(one, TOps.MultiplyAdd(ax, TOps.Create(0.5f), one));
        TVec r = TOps.Create(0.17087277f);
        r = TOps.MultiplyAdd(r, t, TOps.Create(-0.82215223f));
        r = TOps.MultiplyAdd(r, t, TOps.Create(1.48851587f));
        r = TOps.MultiplyAdd(r, t, TOps.Create(-1.13520398f));
        r = TOps.MultiplyAdd(r, t, TOps.Create(0.27886807f));
        r = TOps.MultiplyAdd(r, t, TOps.Create(-0.18628806f));
        r = TOps.MultiplyAdd(r, t, TOps.Create(0.09678418f));
        r = TOps.MultiplyAdd(r, t, TOps.Create(0.37409196f));
        r = TOps.MultiplyAdd(r, t, TOps.Create(1.00002368f));
        r = TOps.MultiplyAdd(r, t, TOps.Create(-1.26551223f));
        TVec erfc = TOps.Multiply(t, TOps.Exp(TOps.Subtract(r, TOps.Multiply(ax, ax))));
        TVec large = TOps.Subtract(one, erfc);
        large = TOps.SelectGreater(TOps.Zero, x, TOps.Subtract(TOps.Zero, large), large);

        return TOps.SelectGreater(one, ax, small, large);
    }
}
