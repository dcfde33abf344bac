using System;

namespace ConvGen
{
    /// <summary>Shared argument of the merge layers: the names of the outputs to combine.</summary>
    public abstract class MergeAttribute : LayerAttribute
    {
        private protected MergeAttribute(string[] inputs) => Inputs = inputs;
        /// <summary>
        /// The named outputs to combine. With one name, it is combined with the previous layer's output
        /// (or with <see cref="LayerAttribute.From"/>); with several, they are combined with each other.
        /// </summary>
        public string[] Inputs { get; }
    }

    /// <summary>
    /// Element-wise sum (a residual connection), with PyTorch's broadcasting: shapes are aligned from the last dimension
    /// and each pair of sizes must be equal or one of them 1 (a C×1×1 tensor adds to every position of a C×H×W map).
    /// <c>Add(0.5)</c> adds a number instead.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class AddAttribute : MergeAttribute
    {
        /// <summary><c>Add("x")</c>: the previous output plus <c>x</c>; <c>Add("a", "b")</c>: <c>a + b</c>.</summary>
        public AddAttribute(params string[] inputs) : base(inputs) { }
        /// <summary><c>Add(0.5)</c>: the previous output (or <see cref="LayerAttribute.From"/>) plus a number, PyTorch's <c>x + 0.5</c>.</summary>
        public AddAttribute(double other) : base(new string[0]) => Other = other;
        /// <summary>The number added by <c>Add(other)</c>; 0 when the layer adds named outputs.</summary>
        public double Other { get; }
    }

    /// <summary>
    /// <c>torch.cat(..., dim=1)</c>: concatenation along the channels (Inception, DenseNet, U-Net), in the order written;
    /// with one name, the current output first. Spatial sizes must match.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class ConcatAttribute : MergeAttribute
    {
        /// <summary><c>Concat("x")</c> (the current output, then x) or <c>Concat("a", "b", ...)</c>.</summary>
        public ConcatAttribute(params string[] inputs) : base(inputs) { }
        /// <summary>The dimension, counting the batch as PyTorch does: only the channels (1, or -3 for C×H×W and -2 for C×L) are supported.</summary>
        public int Dim { get; set; } = 1;
    }

    /// <summary>
    /// Element-wise product (gating), with PyTorch's broadcasting: a C×1×1 gate scales each channel of a C×H×W map
    /// (squeeze-excitation), a <see cref="ParameterAttribute">Parameter</see> of shape C×1×1 is ConvNeXt's layer scale.
    /// <c>Multiply(0.5)</c> multiplies by a number instead.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class MultiplyAttribute : MergeAttribute
    {
        /// <summary><c>Multiply("gate")</c>: the previous output times <c>gate</c>; <c>Multiply("a", "b")</c>: <c>a * b</c>.</summary>
        public MultiplyAttribute(params string[] inputs) : base(inputs) { }
        /// <summary><c>Multiply(-1.0)</c>: the previous output (or <see cref="LayerAttribute.From"/>) times a number, PyTorch's <c>x * -1.0</c>.</summary>
        public MultiplyAttribute(double other) : base(new string[0]) => Other = other;
        /// <summary>The factor of <c>Multiply(other)</c>; 0 when the layer multiplies named outputs.</summary>
        public double Other { get; }
    }

    /// <summary>
    /// Element-wise difference, with PyTorch's broadcasting. <c>Subtract("x")</c> is the previous output minus <c>x</c>,
    /// <c>Subtract("a", "b")</c> is <c>a - b</c>, and <c>Subtract(1.0, "t")</c> is <c>1 - t</c>, the gate complement of a
    /// Highway layer (<c>t * h + (1 - t) * x</c>). <c>x - 0.5</c> is <c>Add(-0.5)</c>.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class SubtractAttribute : MergeAttribute
    {
        /// <summary><c>Subtract("x")</c>: the previous output minus <c>x</c>; <c>Subtract("a", "b", ...)</c>: <c>a - b - ...</c>.</summary>
        public SubtractAttribute(params string[] inputs) : base(inputs) { }
        /// <summary><c>Subtract(1.0, "t")</c>: <c>1 - t</c>, a number minus a named output (PyTorch's <c>1 - t</c>, <c>torch.rsub(t, 1)</c>).</summary>
        public SubtractAttribute(double minuend, string subtrahend) : base(new[] { subtrahend }) { Minuend = minuend; Subtrahend = subtrahend; }
        /// <summary>The number of <c>Subtract(minuend, subtrahend)</c>; 0 otherwise.</summary>
        public double Minuend { get; }
        /// <summary>The named output subtracted from <see cref="Minuend"/>; null otherwise.</summary>
        public string? Subtrahend { get; }
    }

    /// <summary>
    /// A learned tensor of a stated shape (a <c>torch.nn.Parameter</c> or buffer that a module uses directly, such as
    /// ConvNeXt's <c>layer_scale</c>), as an operand of <c>Add</c>, <c>Subtract</c> or <c>Multiply</c>, which broadcast it
    /// like PyTorch. Its <see cref="LayerAttribute.Name"/> is its whole state_dict key (<c>Name = "features.1.0.layer_scale"</c>
    /// owns exactly that tensor); unnamed, it is keyed by its position. It reads no input; the layer after it reads it.
    /// </summary>
    /// <example>
    /// <code>
    /// [Linear(96, Name = "block.5"), Permute(0, 3, 1, 2, Name = "branch")]
    /// [Parameter(96, 1, 1, Name = "layer_scale"), Multiply("branch")]   // layer_scale * branch
    /// </code>
    /// </example>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class ParameterAttribute : LayerAttribute
    {
        /// <summary><c>Parameter(96, 1, 1)</c>: the tensor's shape exactly as in the state_dict (no batch dimension is added); none for a scalar.</summary>
        public ParameterAttribute(params int[] shape) => Shape = shape;
        /// <summary>The tensor's shape as in the state_dict.</summary>
        public int[] Shape { get; }
    }
}
