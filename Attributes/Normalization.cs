using System;

namespace ConvGen
{
    /// <summary>Shared arguments of the batch normalisations (inference: running statistics).</summary>
    public abstract class BatchNormAttribute : LayerAttribute
    {
        private protected BatchNormAttribute(int numFeatures) => NumFeatures = numFeatures;
        /// <summary>Declared channels, or 0 when inferred.</summary>
        public int NumFeatures { get; }
        /// <summary>Added to the variance; default 1e-5 as in PyTorch.</summary>
        public double Eps { get; set; } = 1e-5;
        /// <summary>Training-only; accepted so PyTorch declarations paste unchanged.</summary>
        public double Momentum { get; set; } = 0.1;
        /// <summary>Whether the layer has learnable weight and bias.</summary>
        public bool Affine { get; set; } = true;
        /// <summary>Whether the layer has running statistics (required for inference).</summary>
        public bool TrackRunningStats { get; set; } = true;
    }

    /// <summary><c>torch.nn.BatchNorm2d</c> in eval mode; folded into the preceding convolution where there is one.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class BatchNorm2dAttribute : BatchNormAttribute
    {
        /// <summary><c>BatchNorm2d</c> with the channels inferred.</summary>
        public BatchNorm2dAttribute() : base(0) { }
        /// <summary><c>BatchNorm2d(num_features)</c>; the channels are checked.</summary>
        public BatchNorm2dAttribute(int numFeatures) : base(numFeatures) { }
        /// <summary><c>BatchNorm2d(num_features, eps)</c>, PyTorch's positional form.</summary>
        public BatchNorm2dAttribute(int numFeatures, double eps) : base(numFeatures) => Eps = eps;
        /// <summary><c>BatchNorm2d(num_features, eps, momentum)</c>.</summary>
        public BatchNorm2dAttribute(int numFeatures, double eps, double momentum) : base(numFeatures) { Eps = eps; Momentum = momentum; }
    }

    /// <summary><c>torch.nn.BatchNorm1d</c> in eval mode.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class BatchNorm1dAttribute : BatchNormAttribute
    {
        /// <summary><c>BatchNorm1d</c> with the channels inferred.</summary>
        public BatchNorm1dAttribute() : base(0) { }
        /// <summary><c>BatchNorm1d(num_features)</c>; the channels are checked.</summary>
        public BatchNorm1dAttribute(int numFeatures) : base(numFeatures) { }
        /// <summary><c>BatchNorm1d(num_features, eps)</c>, PyTorch's positional form.</summary>
        public BatchNorm1dAttribute(int numFeatures, double eps) : base(numFeatures) => Eps = eps;
        /// <summary><c>BatchNorm1d(num_features, eps, momentum)</c>.</summary>
        public BatchNorm1dAttribute(int numFeatures, double eps, double momentum) : base(numFeatures) { Eps = eps; Momentum = momentum; }
    }

    /// <summary>
    /// <c>torch.nn.LayerNorm</c>: normalises over the last dimensions, whose sizes <c>normalized_shape</c> states, then
    /// scales and shifts element-wise. On a C×H×W map those are the last axes (W, or H and W); ConvNeXt's block puts the
    /// channels last first (<c>Permute(0, 2, 3, 1), LayerNorm(96)</c>), or use <see cref="LayerNorm2dAttribute">LayerNorm2d</see>.
    /// Owns <c>name.weight</c> and <c>name.bias</c> of shape normalized_shape.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class LayerNormAttribute : LayerAttribute
    {
        /// <summary><c>LayerNorm(normalized_shape)</c>: <c>LayerNorm(96)</c>, or <c>LayerNorm(7, 7)</c> for the last two dimensions.</summary>
        public LayerNormAttribute(params int[] normalizedShape) => NormalizedShape = normalizedShape;
        /// <summary>The sizes of the normalised (last) dimensions.</summary>
        public int[] NormalizedShape { get; }
        /// <summary>Added to the variance; default 1e-5 (ConvNeXt uses 1e-6).</summary>
        public double Eps { get; set; } = 1e-5;
        /// <summary>Whether the layer has a learned weight (and bias); default true.</summary>
        public bool ElementwiseAffine { get; set; } = true;
        /// <summary>Whether it has a learned bias (PyTorch 2.1's <c>bias</c>); default true. Ignored without <see cref="ElementwiseAffine"/>.</summary>
        public bool Bias { get; set; } = true;
    }

    /// <summary>
    /// torchvision's <c>LayerNorm2d</c> (ConvNeXt): a <c>LayerNorm</c> over the channels of a C×H×W map, at every position,
    /// i.e. <c>permute(0, 2, 3, 1)</c>, <c>layer_norm</c> over C, <c>permute(0, 3, 1, 2)</c>. Owns <c>name.weight</c> and
    /// <c>name.bias</c> of shape [C].
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class LayerNorm2dAttribute : LayerAttribute
    {
        /// <summary><c>LayerNorm2d</c> with the channels inferred.</summary>
        public LayerNorm2dAttribute() { }
        /// <summary><c>LayerNorm2d(channels)</c>, as torchvision writes it (its <c>normalized_shape</c>); the channels are checked.</summary>
        public LayerNorm2dAttribute(int normalizedShape) => NormalizedShape = normalizedShape;
        /// <summary>Declared channels, or 0 when inferred.</summary>
        public int NormalizedShape { get; }
        /// <summary>Added to the variance; default 1e-5 (ConvNeXt uses 1e-6).</summary>
        public double Eps { get; set; } = 1e-5;
        /// <summary>Whether the layer has a learned weight and bias; default true.</summary>
        public bool ElementwiseAffine { get; set; } = true;
    }
}
