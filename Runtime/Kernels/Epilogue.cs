using ConvGen.Runtime.Simd;

namespace ConvGen.Runtime.Kernels;

/// <summary>
/// The activation of the kernels that predate <see cref="IActivation"/> (chosen by a value at run time, one switch
/// per vector). New kernels take an <see cref="IActivation"/> struct instead. What a kernel does to each value it stores, after adding the bias: one activation and its parameter
/// (the negative slope of LeakyReLU). The planner fuses an activation that follows a convolution or linear layer
/// into this, so the tensor is written once.
/// </summary>
public readonly record struct Epilogue(ActivationKind Activation, float Alpha = 0f)
{
    /// <summary>No activation.</summary>
    public static Epilogue None => default;

    /// <summary>Applies the activation to one vector (the formulas are the structs of <see cref="IActivation"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Apply<TOps, TVec>(TVec x) where TOps : IVectorOps<TVec> where TVec : struct
    {
        switch (Activation)
        {
            case ActivationKind.None: return x;
            case ActivationKind.ReLU: return default(ReLU).Apply<TOps, TVec>(x);
            case ActivationKind.ReLU6: return default(ReLU6).Apply<TOps, TVec>(x);
            case ActivationKind.LeakyReLU: return new LeakyReLU(Alpha).Apply<TOps, TVec>(x);
            case ActivationKind.Sigmoid: return default(Sigmoid).Apply<TOps, TVec>(x);
            case ActivationKind.Tanh: return default(Tanh).Apply<TOps, TVec>(x);
            case ActivationKind.SiLU: return default(SiLU).Apply<TOps, TVec>(x);
            case ActivationKind.Hardswish: return default(Hardswish).Apply<TOps, TVec>(x);
            case ActivationKind.GELU: return default(GELU).Apply<TOps, TVec>(x);
            case ActivationKind.GELUTanh: return default(GELUTanh).Apply<TOps, TVec>(x);
            default: throw new ArgumentException($"Unknown activation {Activation}.");
        }
    }

    /// <summary>Applies the activation to one value (tails and the scalar path).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Apply(float x) => Apply<Scalar, float>(x);
}
