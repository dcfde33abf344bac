using ConvGen.Runtime.Simd;

namespace ConvGen.Runtime.Kernels;

/// <summary>
/// An element-wise activation as an operator struct (the TensorPrimitives pattern): kernels are generic over the
/// activation type, so each is compiled for exactly one activation, with no switch per vector, and an activation
/// that does not exist is a compile error in generated code. Parameters (LeakyReLU's slope) are fields of the
/// instance the caller passes.
/// </summary>
/// <remarks>
/// <para>
/// The vector form is <see cref="Apply{TOps, TVec}"/> at any width; the scalar form is the same method at
/// <see cref="Scalar"/> (<c>activation.Apply&lt;Scalar, float&gt;(x)</c>), so each formula is written once.
/// </para>
/// <para>
/// Adding an activation is one new struct here (plus its attribute and the generator's catalog entry); the kernels
/// need no change. <see cref="PreservesZero"/> must be true only if f(0) is exactly +0 or -0: the kernels rely on it
/// to keep the padding lanes of a channel-blocked tensor zero without a mask.
/// </para>
/// </remarks>
public interface IActivation
{
    /// <summary>f(0) == 0, so the zero padding lanes of a <see cref="TensorLayout.Blocked16"/> tensor stay zero.</summary>
    static abstract bool PreservesZero { get; }

    /// <summary>
    /// A few instructions and at most two constants: applied to a GEMM tile's accumulators in registers. Otherwise the
    /// tile stores its sums and the activation runs over the stored tile while it is in L1 (inlining an exp-based
    /// activation into a register tile makes the JIT spill the accumulators).
    /// </summary>
    static abstract bool InRegisters { get; }

    /// <summary>f(x) lane-wise.</summary>
    TVec Apply<TOps, TVec>(TVec x) where TOps : IVectorOps<TVec> where TVec : struct;
}

/// <summary>y = x (no activation).</summary>
public readonly struct Identity : IActivation
{
    public static bool PreservesZero => true;
    public static bool InRegisters => true;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Apply<TOps, TVec>(TVec x) where TOps : IVectorOps<TVec> where TVec : struct => x;
}

/// <summary><c>torch.nn.ReLU</c>: y = max(0, x).</summary>
public readonly struct ReLU : IActivation
{
    public static bool PreservesZero => true;
    public static bool InRegisters => true;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Apply<TOps, TVec>(TVec x) where TOps : IVectorOps<TVec> where TVec : struct => TOps.MaxZero(x);
}

/// <summary><c>torch.nn.ReLU6</c>: y = min(max(0, x), 6).</summary>
public readonly struct ReLU6 : IActivation
{
    public static bool PreservesZero => true;
    public static bool InRegisters => true;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Apply<TOps, TVec>(TVec x) where TOps : IVectorOps<TVec> where TVec : struct
        => TOps.MinLimit(TOps.MaxZero(x), TOps.Create(6f));
}

/// <summary><c>torch.nn.LeakyReLU(negative_slope)</c>: y = x &gt; 0 ? x : slope * x.</summary>
public readonly struct LeakyReLU(float negativeSlope) : IActivation
{
    /// <summary>The slope for negative inputs (PyTorch's default is 0.01).</summary>
    public float NegativeSlope { get; } = negativeSlope;
    public static bool PreservesZero => true;
    public static bool InRegisters => true;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Apply<TOps, TVec>(TVec x) where TOps : IVectorOps<TVec> where TVec : struct
        => TOps.SelectGreater(x, TOps.Zero, x, TOps.Multiply(x, TOps.Create(NegativeSlope)));
}

/// <summary><c>torch.nn.Sigmoid</c>: y = 1 / (1 + exp(-x)); exp(-x) overflowing to +inf for x &lt; -88 gives the limit 0.</summary>
public readonly struct Sigmoid : IActivation
{
    public static bool PreservesZero => false;
    public static bool InRegisters => false;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Apply<TOps, TVec>(TVec x) where TOps : IVectorOps<TVec> where TVec : struct
        => TOps.Divide(TOps.Create(1f), TOps.Add(TOps.Create(1f), TOps.Exp(TOps.Subtract(TOps.Zero, x))));
}

/// <summary>
/// <c>torch.nn.Tanh</c>, as sign(x) * (1 - e) / (1 + e) with e = exp(-2|x|): no overflow, and accurate near 0 to the
/// absolute error the contract asks for; x itself below |x| = 2^-12 (where tanh(x) - x &lt; 2e-11), so tanh(0) is
/// exactly 0 whatever the vector exp returns for 0.
/// </summary>
public readonly struct Tanh : IActivation
{
    public static bool PreservesZero => true;
    public static bool InRegisters => false;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Apply<TOps, TVec>(TVec x) where TOps : IVectorOps<TVec> where TVec : struct
    {
        TVec ax = TOps.Max(x, TOps.Subtract(TOps.Zero, x));
        TVec e = TOps.Exp(TOps.Multiply(ax, TOps.Create(-2f)));
        TVec t = TOps.Divide(TOps.Subtract(TOps.Create(1f), e), TOps.Add(TOps.Create(1f), e));
        t = TOps.SelectGreater(TOps.Zero, x, TOps.Subtract(TOps.Zero, t), t);
        return TOps.SelectGreater(TOps.Create(1f / 4096f), ax, x, t);
    }
}

/// <summary><c>torch.nn.SiLU</c>: y = x * sigmoid(x).</summary>
public readonly struct SiLU : IActivation
{
    public static bool PreservesZero => true;
    public static bool InRegisters => false;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Apply<TOps, TVec>(TVec x) where TOps : IVectorOps<TVec> where TVec : struct
        => TOps.Multiply(x, default(Sigmoid).Apply<TOps, TVec>(x));
}

/// <summary><c>torch.nn.GELU()</c>, the exact form: y = x * 0.5 * (1 + erf(x / sqrt(2))).</summary>
public readonly struct GELU : IActivation
{
    public static bool PreservesZero => true;
    public static bool InRegisters => false;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Apply<TOps, TVec>(TVec x) where TOps : IVectorOps<TVec> where TVec : struct => Gelu.Exact<TOps, TVec>(x);
}

/// <summary><c>torch.nn.GELU(approximate='tanh')</c>: y = 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))).</summary>
public readonly struct GELUTanh : IActivation
{
    public static bool PreservesZero => true;
    public static bool InRegisters => false;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Apply<TOps, TVec>(TVec x) where TOps : IVectorOps<TVec> where TVec : struct => Gelu.Tanh<TOps, TVec>(x);
}

/// <summary><c>torch.nn.Hardswish</c>: y = x * relu6(x + 3) / 6.</summary>
public readonly struct Hardswish : IActivation
{
    public static bool PreservesZero => true;
    public static bool InRegisters => true;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Apply<TOps, TVec>(TVec x) where TOps : IVectorOps<TVec> where TVec : struct
    {
        TVec r6 = TOps.Min(TOps.Max(TOps.Add(x, TOps.Create(3f)), TOps.Zero), TOps.Create(6f));
        return TOps.Multiply(x, TOps.Multiply(r6, TOps.Create(1f / 6f)));
    }
}

/// <summary><c>torch.nn.Hardsigmoid</c>: y = relu6(x + 3) / 6.</summary>
public readonly struct Hardsigmoid : IActivation
{
    public static bool PreservesZero => false;
    public static bool InRegisters => true;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Apply<TOps, TVec>(TVec x) where TOps : IVectorOps<TVec> where TVec : struct
        => TOps.Multiply(TOps.MinLimit(TOps.MaxZero(TOps.Add(x, TOps.Create(3f))), TOps.Create(6f)), TOps.Create(1f / 6f));
}

/// <summary><c>torch.nn.Hardtanh(min_val, max_val)</c>: y = min(max(x, min_val), max_val).</summary>
public readonly struct Hardtanh(float minVal, float maxVal) : IActivation
{
    /// <summary>The lower bound (PyTorch's default is -1).</summary>
    public float MinVal { get; } = minVal;
    /// <summary>The upper bound (PyTorch's default is 1).</summary>
    public float MaxVal { get; } = maxVal;
    // Zero is kept only when min_val ≤ 0 ≤ max_val: the kernels re-zero padding lanes for it.
    public static bool PreservesZero => false;
    public static bool InRegisters => true;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Apply<TOps, TVec>(TVec x) where TOps : IVectorOps<TVec> where TVec : struct
        => TOps.MinLimit(TOps.Max(x, TOps.Create(MinVal)), TOps.Create(MaxVal));
}

/// <summary>
/// <c>torch.nn.ELU(alpha)</c>: y = x &gt; 0 ? x : alpha * (exp(x) - 1). The exponential branch is taken only where
/// x &lt; 0, so ELU(±0) is exactly ±0 whatever the vector exp returns for 0, and NaN stays NaN.
/// </summary>
public readonly struct ELU(float alpha) : IActivation
{
    /// <summary>The scale of the negative branch (PyTorch's default is 1).</summary>
    public float Alpha { get; } = alpha;
    public static bool PreservesZero => true;
    public static bool InRegisters => false;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Apply<TOps, TVec>(TVec x) where TOps : IVectorOps<TVec> where TVec : struct
    {
        TVec negative = TOps.Multiply(TOps.Create(Alpha), TOps.Subtract(TOps.Exp(TOps.Min(x, TOps.Zero)), TOps.Create(1f)));
        return TOps.SelectGreater(TOps.Zero, x, negative, x);
    }
}

/// <summary>
/// <c>torch.nn.Softplus(beta, threshold)</c>: y = beta·x &gt; threshold ? x : log(1 + exp(beta·x)) / beta, computed as
/// (max(z, 0) + log1p(exp(-|z|))) / beta with z = beta·x: no overflow for any z, and log1p accurate for tiny arguments
/// (log(u)·t/(u - 1) with u = 1 + t, Goldberg's rounding-error compensation; t itself where u rounds to 1).
/// </summary>
public readonly struct Softplus(float beta, float threshold) : IActivation
{
    /// <summary>The sharpness (PyTorch's default is 1; any non-zero value).</summary>
    public float Beta { get; } = beta;
    /// <summary>Above beta·x = threshold the function is x (PyTorch's default is 20).</summary>
    public float Threshold { get; } = threshold;
    public static bool PreservesZero => false;
    public static bool InRegisters => false;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Apply<TOps, TVec>(TVec x) where TOps : IVectorOps<TVec> where TVec : struct
    {
        TVec z = TOps.Multiply(x, TOps.Create(Beta));
        TVec t = TOps.Exp(TOps.Min(z, TOps.Subtract(TOps.Zero, z)));
        TVec u = TOps.Add(TOps.Create(1f), t);
        TVec d = TOps.Subtract(u, TOps.Create(1f));
        TVec log1p = TOps.SelectGreater(d, TOps.Zero, TOps.Multiply(TOps.Log(u), TOps.Divide(t, d)), t);
        TVec y = TOps.Divide(TOps.Add(TOps.MaxZero(z), log1p), TOps.Create(Beta));
        return TOps.SelectGreater(z, TOps.Create(Threshold), x, y);
    }
}

/// <summary>
/// <c>torch.nn.Mish</c>: y = x · tanh(softplus(x)), computed without a tanh or a log: with e = exp(x),
/// tanh(log(1 + e)) = n / (n + 2), n = e·(e + 2); e is taken at min(x, 20), where the factor is 1 in float
/// (PyTorch's softplus threshold is also 20).
/// </summary>
public readonly struct Mish : IActivation
{
    public static bool PreservesZero => true;
    public static bool InRegisters => false;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Apply<TOps, TVec>(TVec x) where TOps : IVectorOps<TVec> where TVec : struct
    {
        TVec e = TOps.Exp(TOps.MinLimit(x, TOps.Create(20f)));
        TVec n = TOps.Multiply(e, TOps.Add(e, TOps.Create(2f)));
        return TOps.Multiply(x, TOps.Divide(n, TOps.Add(n, TOps.Create(2f))));
    }
}
