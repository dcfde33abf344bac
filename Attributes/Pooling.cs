using System;

namespace ConvGen
{
    /// <summary>Shared arguments of the max and average pooling layers, as in <c>torch.nn</c>.</summary>
    public abstract class PoolAttribute : LayerAttribute
    {
        private protected PoolAttribute(object kernelSize) => KernelSize = kernelSize;
        /// <summary>Window size: <c>int</c> or <c>int[]</c>.</summary>
        public object KernelSize { get; }
        /// <summary>Stride: <c>int</c> or <c>int[]</c>; defaults to the kernel size.</summary>
        public object? Stride { get; set; }
        /// <summary>Implicit padding on both sides: <c>int</c> or <c>int[]</c>, at most half the kernel.</summary>
        public object Padding { get; set; } = 0;
        /// <summary>Use ceil instead of floor for the output size (a window must still start inside the input or left padding).</summary>
        public bool CeilMode { get; set; }
    }

    /// <summary><c>torch.nn.MaxPool2d</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class MaxPool2dAttribute : PoolAttribute
    {
        /// <summary><c>MaxPool2d(kernel_size)</c>.</summary>
        public MaxPool2dAttribute(object kernelSize) : base(kernelSize) { }
        /// <summary>Spacing between window elements: <c>int</c> or <c>int[]</c>; default 1.</summary>
        public object Dilation { get; set; } = 1;
        /// <summary>
        /// Also keep where each maximum came from, for a <see cref="MaxUnpool2dAttribute">MaxUnpool2d</see> that names this
        /// layer in its <c>Indices</c> (SegNet). The layer's output is still the pooled values, as <c>torch.nn.MaxPool2d(return_indices=True)(x)[0]</c>.
        /// </summary>
        public bool ReturnIndices { get; set; }
    }

    /// <summary>
    /// <c>torch.nn.MaxUnpool2d</c>: puts each input value at the position its <c>MaxPool2d</c> took it from (the flat index
    /// within the pool's input plane, as PyTorch stores it) and zeros elsewhere. <see cref="Indices"/> names that pool, which
    /// must have <c>ReturnIndices = true</c>; the input must have the pool's output shape.
    /// </summary>
    /// <example>
    /// <code>
    /// [Conv2d(8, 3, Padding = 1, Name = "enc"), MaxPool2d(2, ReturnIndices = true, Name = "pool")]
    /// [Conv2d(8, 3, Padding = 1), MaxUnpool2d(2, Indices = "pool", OutputSize = new[] { 9, 9 })]
    /// </code>
    /// </example>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class MaxUnpool2dAttribute : LayerAttribute
    {
        /// <summary><c>MaxUnpool2d(kernel_size)</c>.</summary>
        public MaxUnpool2dAttribute(object kernelSize) => KernelSize = kernelSize;
        /// <summary>Window size of the pooling being inverted: <c>int</c> or <c>int[]</c>.</summary>
        public object KernelSize { get; }
        /// <summary>Stride: <c>int</c> or <c>int[]</c>; defaults to the kernel size.</summary>
        public object? Stride { get; set; }
        /// <summary>Padding of the pooling being inverted: <c>int</c> or <c>int[]</c>; default 0.</summary>
        public object Padding { get; set; } = 0;
        /// <summary>The <c>Name</c> of the <c>MaxPool2d(ReturnIndices = true)</c> whose indices place the values (the <c>indices</c> argument of <c>forward</c>).</summary>
        public string? Indices { get; set; }
        /// <summary>
        /// The output's spatial size, <c>int</c> or <c>int[]</c> (H, W), as <c>forward</c>'s <c>output_size</c>: needed when the
        /// pool's input had a size the pooling rounded down (an odd size after a 2×2 pool). Default
        /// (in - 1) * stride - 2 * padding + kernel_size; PyTorch accepts sizes within a stride of that.
        /// </summary>
        public object? OutputSize { get; set; }
    }

    /// <summary><c>torch.nn.MaxPool1d</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class MaxPool1dAttribute : PoolAttribute
    {
        /// <summary><c>MaxPool1d(kernel_size)</c>.</summary>
        public MaxPool1dAttribute(object kernelSize) : base(kernelSize) { }
        /// <summary>Spacing between window elements; default 1.</summary>
        public object Dilation { get; set; } = 1;
    }

    /// <summary><c>torch.nn.AvgPool2d</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class AvgPool2dAttribute : PoolAttribute
    {
        /// <summary><c>AvgPool2d(kernel_size)</c>.</summary>
        public AvgPool2dAttribute(object kernelSize) : base(kernelSize) { }
        /// <summary>Count the zero padding in the divisor; default true, as in PyTorch.</summary>
        public bool CountIncludePad { get; set; } = true;
        /// <summary>If not 0, the divisor used instead of the window size.</summary>
        public int DivisorOverride { get; set; }
    }

    /// <summary><c>torch.nn.AvgPool1d</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class AvgPool1dAttribute : PoolAttribute
    {
        /// <summary><c>AvgPool1d(kernel_size)</c>.</summary>
        public AvgPool1dAttribute(object kernelSize) : base(kernelSize) { }
        /// <summary>Count the zero padding in the divisor; default true, as in PyTorch.</summary>
        public bool CountIncludePad { get; set; } = true;
    }

    /// <summary>Shared argument of the adaptive pooling layers.</summary>
    public abstract class AdaptivePoolAttribute : LayerAttribute
    {
        private protected AdaptivePoolAttribute(object outputSize) => OutputSize = outputSize;
        /// <summary>Output size: <c>int</c> or <c>int[]</c>; 1 is global pooling.</summary>
        public object OutputSize { get; }
    }

    /// <summary><c>torch.nn.AdaptiveAvgPool2d</c>; <c>AdaptiveAvgPool2d(1)</c> is global average pooling.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class AdaptiveAvgPool2dAttribute : AdaptivePoolAttribute
    {
        /// <summary><c>AdaptiveAvgPool2d(output_size)</c>.</summary>
        public AdaptiveAvgPool2dAttribute(object outputSize) : base(outputSize) { }
    }

    /// <summary><c>torch.nn.AdaptiveMaxPool2d</c>; <c>AdaptiveMaxPool2d(1)</c> is global max pooling.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class AdaptiveMaxPool2dAttribute : AdaptivePoolAttribute
    {
        /// <summary><c>AdaptiveMaxPool2d(output_size)</c>.</summary>
        public AdaptiveMaxPool2dAttribute(object outputSize) : base(outputSize) { }
    }

    /// <summary><c>torch.nn.AdaptiveAvgPool1d</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class AdaptiveAvgPool1dAttribute : AdaptivePoolAttribute
    {
        /// <summary><c>AdaptiveAvgPool1d(output_size)</c>.</summary>
        public AdaptiveAvgPool1dAttribute(object outputSize) : base(outputSize) { }
    }

    /// <summary><c>torch.nn.AdaptiveMaxPool1d</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class AdaptiveMaxPool1dAttribute : AdaptivePoolAttribute
    {
        /// <summary><c>AdaptiveMaxPool1d(output_size)</c>.</summary>
        public AdaptiveMaxPool1dAttribute(object outputSize) : base(outputSize) { }
    }
}
