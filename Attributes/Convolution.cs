using System;

namespace ConvGen
{
    /// <summary>
    /// Shared arguments of <c>Conv1d</c> and <c>Conv2d</c>, as in <c>torch.nn</c>. Tuple-valued arguments take an
    /// <c>int</c> (same on every axis) or an <c>int[]</c> with one value per spatial axis (<c>new[] { 3, 5 }</c>).
    /// </summary>
    public abstract class ConvolutionAttribute : LayerAttribute
    {
        private protected ConvolutionAttribute(int inChannels, int outChannels, object kernelSize)
        {
            InChannels = inChannels;
            OutChannels = outChannels;
            KernelSize = kernelSize;
        }

        /// <summary>PyTorch's positional form, up to <c>padding_mode</c> (Conv1d/Conv2d order).</summary>
        private protected ConvolutionAttribute(int inChannels, int outChannels, object kernelSize, object stride, object? padding, object? dilation, int groups, bool bias, string paddingMode)
            : this(inChannels, outChannels, kernelSize)
        {
            Stride = stride;
            Padding = padding ?? 0;
            Dilation = dilation ?? 1;
            Groups = groups;
            Bias = bias;
            PaddingMode = paddingMode;
        }

        /// <summary>Input channels if the declaration states them (PyTorch's three-argument form); 0 when inferred.</summary>
        public int InChannels { get; }
        /// <summary>Output channels.</summary>
        public int OutChannels { get; }
        /// <summary>Kernel size: <c>int</c> or <c>int[]</c>.</summary>
        public object KernelSize { get; }
        /// <summary>Stride: <c>int</c> or <c>int[]</c>; default 1.</summary>
        public object Stride { get; set; } = 1;
        /// <summary>Padding: <c>int</c>, <c>int[]</c> (per axis), <c>"same"</c> or <c>"valid"</c>; default 0.</summary>
        public object Padding { get; set; } = 0;
        /// <summary>Dilation: <c>int</c> or <c>int[]</c>; default 1.</summary>
        public object Dilation { get; set; } = 1;
        /// <summary>Groups; equal to the input channels for a depthwise convolution.</summary>
        public int Groups { get; set; } = 1;
        /// <summary>Whether the layer has a learnable bias.</summary>
        public bool Bias { get; set; } = true;
        /// <summary><c>"zeros"</c>, <c>"reflect"</c>, <c>"replicate"</c> or <c>"circular"</c>.</summary>
        public string PaddingMode { get; set; } = "zeros";
    }

    /// <summary><c>torch.nn.Conv2d</c>: a 2-D cross-correlation. Input channels are inferred.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class Conv2dAttribute : ConvolutionAttribute
    {
        /// <summary><c>Conv2d(out_channels, kernel_size)</c>, input channels inferred.</summary>
        public Conv2dAttribute(int outChannels, object kernelSize) : base(0, outChannels, kernelSize) { }
        /// <summary><c>Conv2d(in_channels, out_channels, kernel_size)</c>, as written in PyTorch; the input channels are checked.</summary>
        public Conv2dAttribute(int inChannels, int outChannels, object kernelSize) : base(inChannels, outChannels, kernelSize) { }

        /// <summary><c>Conv2d(in_channels, out_channels, kernel_size, stride)</c>, PyTorch's positional form.</summary>
        public Conv2dAttribute(int inChannels, int outChannels, object kernelSize, object stride) : base(inChannels, outChannels, kernelSize, stride, 0, 1, 1, true, "zeros") { }
        /// <summary><c>Conv2d(in_channels, out_channels, kernel_size, stride, padding)</c>.</summary>
        public Conv2dAttribute(int inChannels, int outChannels, object kernelSize, object stride, object padding) : base(inChannels, outChannels, kernelSize, stride, padding, 1, 1, true, "zeros") { }
        /// <summary><c>Conv2d(in_channels, out_channels, kernel_size, stride, padding, dilation)</c>.</summary>
        public Conv2dAttribute(int inChannels, int outChannels, object kernelSize, object stride, object padding, object dilation) : base(inChannels, outChannels, kernelSize, stride, padding, dilation, 1, true, "zeros") { }
        /// <summary><c>Conv2d(in_channels, out_channels, kernel_size, stride, padding, dilation, groups)</c>.</summary>
        public Conv2dAttribute(int inChannels, int outChannels, object kernelSize, object stride, object padding, object dilation, int groups) : base(inChannels, outChannels, kernelSize, stride, padding, dilation, groups, true, "zeros") { }
        /// <summary><c>Conv2d(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias)</c>.</summary>
        public Conv2dAttribute(int inChannels, int outChannels, object kernelSize, object stride, object padding, object dilation, int groups, bool bias) : base(inChannels, outChannels, kernelSize, stride, padding, dilation, groups, bias, "zeros") { }
        /// <summary><c>Conv2d(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode)</c>.</summary>
        public Conv2dAttribute(int inChannels, int outChannels, object kernelSize, object stride, object padding, object dilation, int groups, bool bias, string paddingMode) : base(inChannels, outChannels, kernelSize, stride, padding, dilation, groups, bias, paddingMode) { }
    }

    /// <summary><c>torch.nn.Conv1d</c>: a 1-D cross-correlation over a <c>[Network(C, L)]</c> input.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class Conv1dAttribute : ConvolutionAttribute
    {
        /// <summary><c>Conv1d(out_channels, kernel_size)</c>, input channels inferred.</summary>
        public Conv1dAttribute(int outChannels, object kernelSize) : base(0, outChannels, kernelSize) { }
        /// <summary><c>Conv1d(in_channels, out_channels, kernel_size)</c>, as written in PyTorch.</summary>
        public Conv1dAttribute(int inChannels, int outChannels, object kernelSize) : base(inChannels, outChannels, kernelSize) { }

        /// <summary><c>Conv1d(in_channels, out_channels, kernel_size, stride)</c>, PyTorch's positional form.</summary>
        public Conv1dAttribute(int inChannels, int outChannels, object kernelSize, object stride) : base(inChannels, outChannels, kernelSize, stride, 0, 1, 1, true, "zeros") { }
        /// <summary><c>Conv1d(in_channels, out_channels, kernel_size, stride, padding)</c>.</summary>
        public Conv1dAttribute(int inChannels, int outChannels, object kernelSize, object stride, object padding) : base(inChannels, outChannels, kernelSize, stride, padding, 1, 1, true, "zeros") { }
        /// <summary><c>Conv1d(in_channels, out_channels, kernel_size, stride, padding, dilation)</c>.</summary>
        public Conv1dAttribute(int inChannels, int outChannels, object kernelSize, object stride, object padding, object dilation) : base(inChannels, outChannels, kernelSize, stride, padding, dilation, 1, true, "zeros") { }
        /// <summary><c>Conv1d(in_channels, out_channels, kernel_size, stride, padding, dilation, groups)</c>.</summary>
        public Conv1dAttribute(int inChannels, int outChannels, object kernelSize, object stride, object padding, object dilation, int groups) : base(inChannels, outChannels, kernelSize, stride, padding, dilation, groups, true, "zeros") { }
        /// <summary><c>Conv1d(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias)</c>.</summary>
        public Conv1dAttribute(int inChannels, int outChannels, object kernelSize, object stride, object padding, object dilation, int groups, bool bias) : base(inChannels, outChannels, kernelSize, stride, padding, dilation, groups, bias, "zeros") { }
        /// <summary><c>Conv1d(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode)</c>.</summary>
        public Conv1dAttribute(int inChannels, int outChannels, object kernelSize, object stride, object padding, object dilation, int groups, bool bias, string paddingMode) : base(inChannels, outChannels, kernelSize, stride, padding, dilation, groups, bias, paddingMode) { }
    }

    /// <summary>Shared arguments of the transposed convolutions.</summary>
    public abstract class ConvTransposeAttribute : ConvolutionAttribute
    {
        private protected ConvTransposeAttribute(int inChannels, int outChannels, object kernelSize) : base(inChannels, outChannels, kernelSize) { }

        /// <summary>PyTorch's positional form, up to <c>dilation</c> (ConvTranspose order: output_padding comes before groups).</summary>
        private protected ConvTransposeAttribute(int inChannels, int outChannels, object kernelSize, object stride, object padding, object outputPadding, int groups, bool bias, object dilation)
            : base(inChannels, outChannels, kernelSize, stride, padding, dilation, groups, bias, "zeros") => OutputPadding = outputPadding;
        /// <summary>Extra size added to one side of the output: <c>int</c> or <c>int[]</c>; default 0.</summary>
        public object OutputPadding { get; set; } = 0;
    }

    /// <summary><c>torch.nn.ConvTranspose2d</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class ConvTranspose2dAttribute : ConvTransposeAttribute
    {
        /// <summary><c>ConvTranspose2d(out_channels, kernel_size)</c>, input channels inferred.</summary>
        public ConvTranspose2dAttribute(int outChannels, object kernelSize) : base(0, outChannels, kernelSize) { }
        /// <summary><c>ConvTranspose2d(in_channels, out_channels, kernel_size)</c>, as written in PyTorch.</summary>
        public ConvTranspose2dAttribute(int inChannels, int outChannels, object kernelSize) : base(inChannels, outChannels, kernelSize) { }

        /// <summary><c>ConvTranspose2d(in_channels, out_channels, kernel_size, stride)</c>, PyTorch's positional form.</summary>
        public ConvTranspose2dAttribute(int inChannels, int outChannels, object kernelSize, object stride) : base(inChannels, outChannels, kernelSize, stride, 0, 0, 1, true, 1) { }
        /// <summary><c>ConvTranspose2d(in_channels, out_channels, kernel_size, stride, padding)</c>.</summary>
        public ConvTranspose2dAttribute(int inChannels, int outChannels, object kernelSize, object stride, object padding) : base(inChannels, outChannels, kernelSize, stride, padding, 0, 1, true, 1) { }
        /// <summary><c>ConvTranspose2d(in_channels, out_channels, kernel_size, stride, padding, output_padding)</c>.</summary>
        public ConvTranspose2dAttribute(int inChannels, int outChannels, object kernelSize, object stride, object padding, object outputPadding) : base(inChannels, outChannels, kernelSize, stride, padding, outputPadding, 1, true, 1) { }
        /// <summary><c>ConvTranspose2d(in_channels, out_channels, kernel_size, stride, padding, output_padding, groups)</c>.</summary>
        public ConvTranspose2dAttribute(int inChannels, int outChannels, object kernelSize, object stride, object padding, object outputPadding, int groups) : base(inChannels, outChannels, kernelSize, stride, padding, outputPadding, groups, true, 1) { }
        /// <summary><c>ConvTranspose2d(in_channels, out_channels, kernel_size, stride, padding, output_padding, groups, bias)</c>.</summary>
        public ConvTranspose2dAttribute(int inChannels, int outChannels, object kernelSize, object stride, object padding, object outputPadding, int groups, bool bias) : base(inChannels, outChannels, kernelSize, stride, padding, outputPadding, groups, bias, 1) { }
        /// <summary><c>ConvTranspose2d(in_channels, out_channels, kernel_size, stride, padding, output_padding, groups, bias, dilation)</c>.</summary>
        public ConvTranspose2dAttribute(int inChannels, int outChannels, object kernelSize, object stride, object padding, object outputPadding, int groups, bool bias, object dilation) : base(inChannels, outChannels, kernelSize, stride, padding, outputPadding, groups, bias, dilation) { }
    }

    /// <summary><c>torch.nn.ConvTranspose1d</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class ConvTranspose1dAttribute : ConvTransposeAttribute
    {
        /// <summary><c>ConvTranspose1d(out_channels, kernel_size)</c>, input channels inferred.</summary>
        public ConvTranspose1dAttribute(int outChannels, object kernelSize) : base(0, outChannels, kernelSize) { }
        /// <summary><c>ConvTranspose1d(in_channels, out_channels, kernel_size)</c>, as written in PyTorch.</summary>
        public ConvTranspose1dAttribute(int inChannels, int outChannels, object kernelSize) : base(inChannels, outChannels, kernelSize) { }

        /// <summary><c>ConvTranspose1d(in_channels, out_channels, kernel_size, stride)</c>, PyTorch's positional form.</summary>
        public ConvTranspose1dAttribute(int inChannels, int outChannels, object kernelSize, object stride) : base(inChannels, outChannels, kernelSize, stride, 0, 0, 1, true, 1) { }
        /// <summary><c>ConvTranspose1d(in_channels, out_channels, kernel_size, stride, padding)</c>.</summary>
        public ConvTranspose1dAttribute(int inChannels, int outChannels, object kernelSize, object stride, object padding) : base(inChannels, outChannels, kernelSize, stride, padding, 0, 1, true, 1) { }
        /// <summary><c>ConvTranspose1d(in_channels, out_channels, kernel_size, stride, padding, output_padding)</c>.</summary>
        public ConvTranspose1dAttribute(int inChannels, int outChannels, object kernelSize, object stride, object padding, object outputPadding) : base(inChannels, outChannels, kernelSize, stride, padding, outputPadding, 1, true, 1) { }
        /// <summary><c>ConvTranspose1d(in_channels, out_channels, kernel_size, stride, padding, output_padding, groups)</c>.</summary>
        public ConvTranspose1dAttribute(int inChannels, int outChannels, object kernelSize, object stride, object padding, object outputPadding, int groups) : base(inChannels, outChannels, kernelSize, stride, padding, outputPadding, groups, true, 1) { }
        /// <summary><c>ConvTranspose1d(in_channels, out_channels, kernel_size, stride, padding, output_padding, groups, bias)</c>.</summary>
        public ConvTranspose1dAttribute(int inChannels, int outChannels, object kernelSize, object stride, object padding, object outputPadding, int groups, bool bias) : base(inChannels, outChannels, kernelSize, stride, padding, outputPadding, groups, bias, 1) { }
        /// <summary><c>ConvTranspose1d(in_channels, out_channels, kernel_size, stride, padding, output_padding, groups, bias, dilation)</c>.</summary>
        public ConvTranspose1dAttribute(int inChannels, int outChannels, object kernelSize, object stride, object padding, object outputPadding, int groups, bool bias, object dilation) : base(inChannels, outChannels, kernelSize, stride, padding, outputPadding, groups, bias, dilation) { }
    }

    /// <summary>
    /// <c>torch.nn.Linear</c>, applied to the last dimension as in PyTorch (put <c>Flatten</c> before it to
    /// classify a feature map). In-features are inferred.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class LinearAttribute : LayerAttribute
    {
        /// <summary><c>Linear(out_features)</c>, in-features inferred.</summary>
        public LinearAttribute(int outFeatures) => OutFeatures = outFeatures;
        /// <summary><c>Linear(in_features, out_features)</c>, as written in PyTorch; the in-features are checked.</summary>
        public LinearAttribute(int inFeatures, int outFeatures) { InFeatures = inFeatures; OutFeatures = outFeatures; }
        /// <summary><c>Linear(in_features, out_features, bias)</c>, PyTorch's positional form.</summary>
        public LinearAttribute(int inFeatures, int outFeatures, bool bias) : this(inFeatures, outFeatures) => Bias = bias;
        /// <summary>Declared in-features, or 0 when inferred.</summary>
        public int InFeatures { get; }
        /// <summary>Output features.</summary>
        public int OutFeatures { get; }
        /// <summary>Whether the layer has a learnable bias.</summary>
        public bool Bias { get; set; } = true;
    }
}
