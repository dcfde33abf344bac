// Portable: compiled into the runtime and linked into the generator (netstandard2.0, CONVGEN_GENERATOR), so that the
// generator knows which activations the CHW kernels' epilogue applies (the others run as their own step after them).

#if CONVGEN_GENERATOR
namespace ConvGen.Generator.Planning;
#else
namespace ConvGen.Runtime.Kernels;
#endif

/// <summary>
/// The activations the CHW kernels' <c>Epilogue</c> applies as they store (one optional float argument). An activation
/// of the generator's catalog whose operator struct is not named here runs as its own step after those kernels; the
/// channel-blocked kernels take any <c>IActivation</c> struct.
/// </summary>
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
