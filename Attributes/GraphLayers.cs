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

    /// <summary>Element-wise sum (a residual connection). Shapes must match.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class AddAttribute : MergeAttribute { /** <summary><c>Add("x")</c> or <c>Add("a", "b")</c>.</summary> */ public AddAttribute(params string[] inputs) : base(inputs) { } }

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

    /// <summary>Element-wise product (gating). Shapes must match.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class MultiplyAttribute : MergeAttribute { /** <summary><c>Multiply("gate")</c> or <c>Multiply("a", "b")</c>.</summary> */ public MultiplyAttribute(params string[] inputs) : base(inputs) { } }
}
