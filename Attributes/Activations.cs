using System;

namespace ConvGen
{
    /// <summary>
    /// An element-wise activation (<c>ReLU</c>, <c>GELU</c>, ...): the generator knows each one from its catalog
    /// (<c>Generator/Model/Activations.cs</c>), fuses it into the store of the layer before where it can, and runs it
    /// with the runtime operator struct of the same name.
    /// </summary>
    public abstract class ActivationAttribute : LayerAttribute
    {
        private protected ActivationAttribute() { }
    }

    /// <summary><c>torch.nn.ReLU</c>: max(0, x).</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class ReLUAttribute : ActivationAttribute { /** <summary>Ignored at inference.</summary> */ public bool Inplace { get; set; } }

    /// <summary><c>torch.nn.ReLU6</c>: min(max(0, x), 6).</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class ReLU6Attribute : ActivationAttribute { /** <summary>Ignored at inference.</summary> */ public bool Inplace { get; set; } }

    /// <summary><c>torch.nn.LeakyReLU</c>: x for x &gt;= 0, negative_slope * x otherwise.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class LeakyReLUAttribute : ActivationAttribute
    {
        /// <summary><c>LeakyReLU()</c>, slope 0.01.</summary>
        public LeakyReLUAttribute() { }
        /// <summary><c>LeakyReLU(negative_slope)</c>.</summary>
        public LeakyReLUAttribute(double negativeSlope) => NegativeSlope = negativeSlope;
        /// <summary>Slope for negative inputs; default 0.01.</summary>
        public double NegativeSlope { get; set; } = 0.01;
        /// <summary>Ignored at inference.</summary>
        public bool Inplace { get; set; }
    }

    /// <summary><c>torch.nn.Sigmoid</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class SigmoidAttribute : ActivationAttribute { }

    /// <summary><c>torch.nn.Tanh</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class TanhAttribute : ActivationAttribute { }

    /// <summary><c>torch.nn.SiLU</c> (swish): x * sigmoid(x).</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class SiLUAttribute : ActivationAttribute { /** <summary>Ignored at inference.</summary> */ public bool Inplace { get; set; } }

    /// <summary><c>torch.nn.GELU</c>; the exact erf form by default.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class GELUAttribute : ActivationAttribute
    {
        /// <summary><c>"none"</c> (exact, erf) or <c>"tanh"</c>.</summary>
        public string Approximate { get; set; } = "none";
    }

    /// <summary><c>torch.nn.Hardswish</c>: x * relu6(x + 3) / 6.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class HardswishAttribute : ActivationAttribute { /** <summary>Ignored at inference.</summary> */ public bool Inplace { get; set; } }

    /// <summary><c>torch.nn.Hardsigmoid</c>: relu6(x + 3) / 6, i.e. 0 for x &lt;= -3, 1 for x &gt;= 3 and x / 6 + 1/2 between (MobileNetV3's gate).</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class HardsigmoidAttribute : ActivationAttribute { /** <summary>Ignored at inference.</summary> */ public bool Inplace { get; set; } }

    /// <summary><c>torch.nn.Hardtanh</c>: min(max(x, min_val), max_val). <c>Hardtanh(0, 6)</c> is <c>ReLU6</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class HardtanhAttribute : ActivationAttribute
    {
        /// <summary><c>Hardtanh()</c>: clamps to [-1, 1].</summary>
        public HardtanhAttribute() { }
        /// <summary><c>Hardtanh(min_val, max_val)</c>; <paramref name="maxVal"/> must be greater than <paramref name="minVal"/>, as PyTorch asserts.</summary>
        public HardtanhAttribute(double minVal, double maxVal) { MinVal = minVal; MaxVal = maxVal; }
        /// <summary>Lower end of the linear region; default -1.</summary>
        public double MinVal { get; set; } = -1;
        /// <summary>Upper end of the linear region; default 1. Must be greater than <see cref="MinVal"/>.</summary>
        public double MaxVal { get; set; } = 1;
        /// <summary>Ignored at inference.</summary>
        public bool Inplace { get; set; }
    }

    /// <summary>
    /// <c>torch.nn.PReLU</c>: max(0, x) + a * min(0, x) with a learned slope <c>a</c>, one shared by every channel or one per
    /// channel (dimension 1, as in PyTorch). Owns the tensor <c>name.weight</c> of shape [num_parameters].
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class PReLUAttribute : LayerAttribute
    {
        /// <summary><c>PReLU()</c>: one slope shared by every channel.</summary>
        public PReLUAttribute() { }
        /// <summary><c>PReLU(num_parameters)</c>: 1, or the number of channels of the input (one slope each).</summary>
        public PReLUAttribute(int numParameters) => NumParameters = numParameters;
        /// <summary>Number of learned slopes: 1 or the input's channel count; default 1.</summary>
        public int NumParameters { get; set; } = 1;
        /// <summary>Training-only initial slope (the learned value comes from the weights file); accepted so PyTorch declarations paste unchanged.</summary>
        public double Init { get; set; } = 0.25;
    }

    /// <summary><c>torch.nn.ELU</c>: x for x &gt; 0, alpha * (exp(x) - 1) otherwise.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class ELUAttribute : ActivationAttribute
    {
        /// <summary><c>ELU()</c>, alpha 1.</summary>
        public ELUAttribute() { }
        /// <summary><c>ELU(alpha)</c>.</summary>
        public ELUAttribute(double alpha) => Alpha = alpha;
        /// <summary>The value the negative side saturates to is -alpha; default 1.</summary>
        public double Alpha { get; set; } = 1;
        /// <summary>Ignored at inference.</summary>
        public bool Inplace { get; set; }
    }

    /// <summary>
    /// <c>torch.nn.Softplus</c>: log(1 + exp(beta * x)) / beta, and x itself where beta * x &gt; threshold (PyTorch's
    /// switch to the linear function for numerical stability, reproduced exactly).
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class SoftplusAttribute : ActivationAttribute
    {
        /// <summary><c>Softplus()</c>: beta 1, threshold 20.</summary>
        public SoftplusAttribute() { }
        /// <summary><c>Softplus(beta)</c>.</summary>
        public SoftplusAttribute(double beta) => Beta = beta;
        /// <summary><c>Softplus(beta, threshold)</c>.</summary>
        public SoftplusAttribute(double beta, double threshold) { Beta = beta; Threshold = threshold; }
        /// <summary>Sharpness; default 1. Must not be 0 (PyTorch would divide by it).</summary>
        public double Beta { get; set; } = 1;
        /// <summary>Above this value of beta * x the output is x; default 20.</summary>
        public double Threshold { get; set; } = 20;
    }

    /// <summary><c>torch.nn.Mish</c>: x * tanh(softplus(x)).</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class MishAttribute : ActivationAttribute { /** <summary>Ignored at inference.</summary> */ public bool Inplace { get; set; } }

    /// <summary><c>torch.nn.Softmax</c>. <see cref="Dim"/> counts the batch dimension as PyTorch does (1 is the channels).</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class SoftmaxAttribute : LayerAttribute
    {
        /// <summary><c>Softmax()</c> over dimension 1 (channels or features).</summary>
        public SoftmaxAttribute() { }
        /// <summary><c>Softmax(dim)</c>.</summary>
        public SoftmaxAttribute(int dim) => Dim = dim;
        /// <summary>The dimension, batch included (so 1 is channels); negative counts from the end.</summary>
        public int Dim { get; set; } = 1;
    }

    /// <summary><c>torch.nn.LogSoftmax</c>. <see cref="Dim"/> counts the batch dimension as PyTorch does.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class LogSoftmaxAttribute : LayerAttribute
    {
        /// <summary><c>LogSoftmax()</c> over dimension 1.</summary>
        public LogSoftmaxAttribute() { }
        /// <summary><c>LogSoftmax(dim)</c>.</summary>
        public LogSoftmaxAttribute(int dim) => Dim = dim;
        /// <summary>The dimension, batch included; negative counts from the end.</summary>
        public int Dim { get; set; } = 1;
    }
}
