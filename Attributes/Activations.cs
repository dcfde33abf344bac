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
