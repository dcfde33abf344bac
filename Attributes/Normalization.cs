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
}
