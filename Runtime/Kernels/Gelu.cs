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
    /// erf(x) to about one float ulp of 1 (absolute error about 1.1e-7, checked against a double erf in the tests),
    /// with multiply-adds only (no exp, no division), so it costs little more than a polynomial.
    /// |x| &lt; 1: x * P(x^2), P of degree 5 fitted for relative error (about 1.7e-7).
    /// |x| &gt;= 1: sign(x) * (1 - E(min(|x|, 4) - 2.5)), E a degree-15 Chebyshev fit of erfc on [1, 4] written
    /// as monomials around the interval's midpoint; beyond 4 erf is 1 in float (erfc(4) = 1.5e-8). No cancellation
    /// there because erfc(1) is only 0.157. Both branches are computed and one selected per lane.
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

        TVec v = TOps.Subtract(TOps.Min(ax, TOps.Create(4f)), TOps.Create(2.5f));
        TVec e = TOps.Create(3.512991498e-07f);
        e = TOps.MultiplyAdd(e, v, TOps.Create(-8.901371302e-07f));
        e = TOps.MultiplyAdd(e, v, TOps.Create(-3.462653694e-06f));
        e = TOps.MultiplyAdd(e, v, TOps.Create(1.571927169e-05f));
        e = TOps.MultiplyAdd(e, v, TOps.Create(-7.756445484e-06f));
        e = TOps.MultiplyAdd(e, v, TOps.Create(-8.110047202e-05f));
        e = TOps.MultiplyAdd(e, v, TOps.Create(2.534241648e-04f));
        e = TOps.MultiplyAdd(e, v, TOps.Create(-2.587301133e-04f));
        e = TOps.MultiplyAdd(e, v, TOps.Create(-5.445338320e-04f));
        e = TOps.MultiplyAdd(e, v, TOps.Create(2.797554713e-03f));
        e = TOps.MultiplyAdd(e, v, TOps.Create(-6.116587669e-03f));
        e = TOps.MultiplyAdd(e, v, TOps.Create(8.622604422e-03f));
        e = TOps.MultiplyAdd(e, v, TOps.Create(-8.350212127e-03f));
        e = TOps.MultiplyAdd(e, v, TOps.Create(5.445688497e-03f));
        e = TOps.MultiplyAdd(e, v, TOps.Create(-2.178278519e-03f));
        e = TOps.MultiplyAdd(e, v, TOps.Create(4.069523711e-04f));
        TVec large = TOps.Subtract(one, e);
        large = TOps.SelectGreater(TOps.Zero, x, TOps.Subtract(TOps.Zero, large), large);

        return TOps.SelectGreater(one, ax, small, large);
    }
}
