using System;

namespace ConvGen
{
    /// <summary>Shared arguments of the max and average pooling layers, as in <c>torch.nn</c>.</summary>
    public abstract class PoolAttribute : LayerAttribute
    {
        private protected PoolAttribute(object kernelSize) => KernelSize = kernelSize;
        /// <summary>PyTorch's positional form: kernel_size, stride, padding.</summary>
        private protected PoolAttribute(object kernelSize, object? stride, object padding) : this(kernelSize) { Stride = stride; Padding = padding; }
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
        /// <summary><c>MaxPool2d(kernel_size, stride)</c>, PyTorch's positional form (<c>None</c>: write <c>null</c>, the kernel size).</summary>
        public MaxPool2dAttribute(object kernelSize, object? stride) : base(kernelSize, stride, 0) { }
        /// <summary><c>MaxPool2d(kernel_size, stride, padding)</c>.</summary>
        public MaxPool2dAttribute(object kernelSize, object? stride, object padding) : base(kernelSize, stride, padding) { }
        /// <summary><c>MaxPool2d(kernel_size, stride, padding, dilation)</c>.</summary>
        public MaxPool2dAttribute(object kernelSize, object? stride, object padding, object dilation) : base(kernelSize, stride, padding) => Dilation = dilation;
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
        /// <summary><c>MaxPool1d(kernel_size, stride)</c>, PyTorch's positional form (<c>None</c>: write <c>null</c>, the kernel size).</summary>
        public MaxPool1dAttribute(object kernelSize, object? stride) : base(kernelSize, stride, 0) { }
        /// <summary><c>MaxPool1d(kernel_size, stride, padding)</c>.</summary>
        public MaxPool1dAttribute(object kernelSize, object? stride, object padding) : base(kernelSize, stride, padding) { }
        /// <summary><c>MaxPool1d(kernel_size, stride, padding, dilation)</c>.</summary>
        public MaxPool1dAttribute(object kernelSize, object? stride, object padding, object dilation) : base(kernelSize, stride, padding) => Dilation = dilation;
        /// <summary>Spacing between window elements; default 1.</summary>
        public object Dilation { get; set; } = 1;
    }

    /// <summary><c>torch.nn.AvgPool2d</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class AvgPool2dAttribute : PoolAttribute
    {
        /// <summary><c>AvgPool2d(kernel_size)</c>.</summary>
        public AvgPool2dAttribute(object kernelSize) : base(kernelSize) { }
        /// <summary><c>AvgPool2d(kernel_size, stride)</c>, PyTorch's positional form (<c>None</c>: write <c>null</c>, the kernel size).</summary>
        public AvgPool2dAttribute(object kernelSize, object? stride) : base(kernelSize, stride, 0) { }
        /// <summary><c>AvgPool2d(kernel_size, stride, padding)</c>.</summary>
        public AvgPool2dAttribute(object kernelSize, object? stride, object padding) : base(kernelSize, stride, padding) { }
        /// <summary><c>AvgPool2d(kernel_size, stride, padding, ceil_mode)</c>.</summary>
        public AvgPool2dAttribute(object kernelSize, object? stride, object padding, bool ceilMode) : base(kernelSize, stride, padding) => CeilMode = ceilMode;
        /// <summary><c>AvgPool2d(kernel_size, stride, padding, ceil_mode, count_include_pad)</c>.</summary>
        public AvgPool2dAttribute(object kernelSize, object? stride, object padding, bool ceilMode, bool countIncludePad) : this(kernelSize, stride, padding, ceilMode) => CountIncludePad = countIncludePad;
        /// <summary><c>AvgPool2d(kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)</c>.</summary>
        public AvgPool2dAttribute(object kernelSize, object? stride, object padding, bool ceilMode, bool countIncludePad, object? divisorOverride) : this(kernelSize, stride, padding, ceilMode, countIncludePad) => DivisorOverride = divisorOverride;
        /// <summary>Count the zero padding in the divisor; default true, as in PyTorch.</summary>
        public bool CountIncludePad { get; set; } = true;
        /// <summary>
        /// <c>divisor_override</c>: an <c>int</c> (at least 1) used as the divisor instead of the window size, or <c>null</c>
        /// (PyTorch's <c>None</c>, the default): the window size.
        /// </summary>
        public object? DivisorOverride { get; set; }
    }

    /// <summary><c>torch.nn.AvgPool1d</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class AvgPool1dAttribute : PoolAttribute
    {
        /// <summary><c>AvgPool1d(kernel_size)</c>.</summary>
        public AvgPool1dAttribute(object kernelSize) : base(kernelSize) { }
        /// <summary><c>AvgPool1d(kernel_size, stride)</c>, PyTorch's positional form.</summary>
        public AvgPool1dAttribute(object kernelSize, object? stride) : base(kernelSize, stride, 0) { }
        /// <summary><c>AvgPool1d(kernel_size, stride, padding)</c>.</summary>
        public AvgPool1dAttribute(object kernelSize, object? stride, object padding) : base(kernelSize, stride, padding) { }
        /// <summary><c>AvgPool1d(kernel_size, stride, padding, ceil_mode)</c>.</summary>
        public AvgPool1dAttribute(object kernelSize, object? stride, object padding, bool ceilMode) : base(kernelSize, stride, padding) => CeilMode = ceilMode;
        /// <summary><c>AvgPool1d(kernel_size, stride, padding, ceil_mode, count_include_pad)</c>.</summary>
        public AvgPool1dAttribute(object kernelSize, object? stride, object padding, bool ceilMode, bool countIncludePad) : this(kernelSize, stride, padding, ceilMode) => CountIncludePad = countIncludePad;
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
