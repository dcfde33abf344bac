using ConvGen.Runtime.Simd;

namespace ConvGen.Runtime.Kernels;

/// <summary>The element-wise activations the runtime applies, fused into a producer's store or on their own.</summary>
public enum ActivationKind
{
    /// <summary>y = x.</summary>
    None,
    /// <summary>y = max(0, x).</summary>
    ReLU,
    /// <summary>y = min(max(0, x), 6).</summary>
    ReLU6,
    /// <summary>y = x &gt; 0 ? x : alpha * x.</summary>
    LeakyReLU,
    /// <summary>y = 1 / (1 + exp(-x)).</summary>
    Sigmoid,
    /// <summary>y = tanh(x).</summary>
    Tanh,
    /// <summary>y = x * sigmoid(x).</summary>
    SiLU,
    /// <summary>y = x * relu6(x + 3) / 6.</summary>
    Hardswish,
    /// <summary>y = x * 0.5 * (1 + erf(x / sqrt(2))): <c>torch.nn.GELU()</c>, the exact form.</summary>
    GELU,
    /// <summary>y = 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))): <c>torch.nn.GELU(approximate='tanh')</c>.</summary>
    GELUTanh,
}

/// <summary>
/// What a kernel does to each value it stores, after adding the bias: one activation and its parameter
/// (the negative slope of LeakyReLU). The planner fuses an activation that follows a convolution or linear layer
/// into this, so the tensor is written once.
/// </summary>
public readonly record struct Epilogue(ActivationKind Activation, float Alpha = 0f)
{
    /// <summary>No activation.</summary>
    public static Epilogue None => default;

    /// <summary>Applies the activation to one vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Apply<TOps, TVec>(TVec x) where TOps : IVectorOps<TVec> where TVec : struct
    {
        switch (Activation)
        {
            case ActivationKind.None: return x;
            case ActivationKind.ReLU: return TOps.Max(x, TOps.Zero);
            case ActivationKind.ReLU6: return TOps.Min(TOps.Max(x, TOps.Zero), TOps.Create(6f));
            case ActivationKind.LeakyReLU: return TOps.SelectGreater(x, TOps.Zero, x, TOps.Multiply(x, TOps.Create(Alpha)));
            case ActivationKind.Sigmoid: return Sigmoid<TOps, TVec>(x);
            case ActivationKind.Tanh: return Tanh<TOps, TVec>(x);
            case ActivationKind.SiLU: return TOps.Multiply(x, Sigmoid<TOps, TVec>(x));
            case ActivationKind.Hardswish:
                {
                    TVec r6 = TOps.Min(TOps.Max(TOps.Add(x, TOps.Create(3f)), TOps.Zero), TOps.Create(6f));
                    return TOps.Multiply(x, TOps.Multiply(r6, TOps.Create(1f / 6f)));
                }
            case ActivationKind.GELU: return Gelu.Exact<TOps, TVec>(x);
            case ActivationKind.GELUTanh: return Gelu.Tanh<TOps, TVec>(x);
            default: return x;
        }
    }

    /// <summary>Applies the activation to one value (tails and the scalar path).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Apply(float x) => Apply<Scalar, float>(x);

    // 1 / (1 + exp(-x)). exp(-x) overflows to +inf for x < -88, which gives the right limit 0.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Sigmoid<TOps, TVec>(TVec x) where TOps : IVectorOps<TVec> where TVec : struct
        => TOps.Divide(TOps.Create(1f), TOps.Add(TOps.Create(1f), TOps.Exp(TOps.Subtract(TOps.Zero, x))));

    // tanh(x) = sign(x) * (1 - e) / (1 + e), e = exp(-2|x|): no overflow, and accurate near 0 to the
    // absolute error the contract asks for (1e-4 of max(1, |y|)).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Tanh<TOps, TVec>(TVec x) where TOps : IVectorOps<TVec> where TVec : struct
    {
        TVec ax = TOps.Max(x, TOps.Subtract(TOps.Zero, x));
        TVec e = TOps.Exp(TOps.Multiply(ax, TOps.Create(-2f)));
        TVec t = TOps.Divide(TOps.Subtract(TOps.Create(1f), e), TOps.Add(TOps.Create(1f), e));
        return TOps.SelectGreater(TOps.Zero, x, TOps.Subtract(TOps.Zero, t), t);
    }
}
