using System;

namespace ConvGen
{
    /// <summary><c>torch.nn.Flatten</c>. Dimensions count the batch dimension as PyTorch does.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class FlattenAttribute : LayerAttribute
    {
        /// <summary><c>Flatten()</c>: everything but the batch.</summary>
        public FlattenAttribute() { }
        /// <summary><c>Flatten(start_dim)</c>, PyTorch's positional form.</summary>
        public FlattenAttribute(int startDim) => StartDim = startDim;
        /// <summary><c>Flatten(start_dim, end_dim)</c>.</summary>
        public FlattenAttribute(int startDim, int endDim) { StartDim = startDim; EndDim = endDim; }
        /// <summary>First dimension to flatten; default 1 (everything but the batch).</summary>
        public int StartDim { get; set; } = 1;
        /// <summary>Last dimension to flatten; default -1.</summary>
        public int EndDim { get; set; } = -1;
    }

    /// <summary>
    /// <c>torch.nn.Unflatten</c>: splits one dimension into several, the inverse of <c>Flatten</c> (a relabelling, nothing
    /// is computed). <c>Unflatten(1, new[] { 64, 1, 1 })</c> turns 64 features back into a 64×1×1 map, as
    /// <c>x.view(b, 64, 1, 1)</c> does in squeeze-excitation code.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class UnflattenAttribute : LayerAttribute
    {
        /// <summary><c>Unflatten(dim, unflattened_size)</c>.</summary>
        public UnflattenAttribute(int dim, int[] unflattenedSize) { Dim = dim; UnflattenedSize = unflattenedSize; }
        /// <summary>The dimension to split, batch included (1 is the channels or features); negative counts from the end.</summary>
        public int Dim { get; }
        /// <summary>The sizes it is split into; their product must be its size (one of them may be -1, inferred).</summary>
        public int[] UnflattenedSize { get; }
    }

    /// <summary><c>torch.nn.Dropout</c>: nothing at inference; kept so that state_dict indices line up.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class DropoutAttribute : LayerAttribute
    {
        /// <summary><c>Dropout()</c>.</summary>
        public DropoutAttribute() { }
        /// <summary><c>Dropout(p)</c>.</summary>
        public DropoutAttribute(double p) => P = p;
        /// <summary>Training-only drop probability.</summary>
        public double P { get; set; } = 0.5;
        /// <summary>Ignored at inference.</summary>
        public bool Inplace { get; set; }
    }

    /// <summary><c>torch.nn.Identity</c>: passes its input through.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class IdentityAttribute : LayerAttribute { }

    /// <summary>Shared argument of the explicit padding layers: <c>int</c> or <c>int[]</c> (left, right, top, bottom).</summary>
    public abstract class Pad2dAttribute : LayerAttribute
    {
        private protected Pad2dAttribute(object padding) => Padding = padding;
        /// <summary><c>int</c> or <c>int[4]</c>: (left, right, top, bottom), as in PyTorch.</summary>
        public object Padding { get; }
    }

    /// <summary><c>torch.nn.ZeroPad2d</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class ZeroPad2dAttribute : Pad2dAttribute { /** <summary><c>ZeroPad2d(padding)</c>.</summary> */ public ZeroPad2dAttribute(object padding) : base(padding) { } }

    /// <summary><c>torch.nn.ReflectionPad2d</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class ReflectionPad2dAttribute : Pad2dAttribute { /** <summary><c>ReflectionPad2d(padding)</c>.</summary> */ public ReflectionPad2dAttribute(object padding) : base(padding) { } }

    /// <summary><c>torch.nn.ReplicationPad2d</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class ReplicationPad2dAttribute : Pad2dAttribute { /** <summary><c>ReplicationPad2d(padding)</c>.</summary> */ public ReplicationPad2dAttribute(object padding) : base(padding) { } }

    /// <summary><c>torch.nn.Upsample</c>: give <see cref="ScaleFactor"/> or <see cref="Size"/>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class UpsampleAttribute : LayerAttribute
    {
        /// <summary>Output size: <c>int</c> or <c>int[]</c>.</summary>
        public object? Size { get; set; }
        /// <summary>Multiplier for the spatial size: a number or an array of numbers.</summary>
        public object? ScaleFactor { get; set; }
        /// <summary><c>"nearest"</c> (default) or <c>"bilinear"</c>.</summary>
        public string Mode { get; set; } = "nearest";
        /// <summary>For bilinear: align the corner pixels of input and output.</summary>
        public bool AlignCorners { get; set; }
        /// <summary>
        /// <c>recompute_scale_factor</c>: <c>true</c> interpolates with the ratio of the output and input sizes instead of
        /// <see cref="ScaleFactor"/> (they differ only for a factor that does not give a whole size); <c>false</c>, the
        /// default, is PyTorch's <c>None</c> and <c>False</c>.
        /// </summary>
        public bool RecomputeScaleFactor { get; set; }
    }

    /// <summary><c>torch.nn.ChannelShuffle</c>: <c>ChannelShuffle(2)</c> or <c>ChannelShuffle(Groups = 2)</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class ChannelShuffleAttribute : LayerAttribute
    {
        /// <summary><c>ChannelShuffle(Groups = g)</c>; <see cref="Groups"/> is required, as in PyTorch.</summary>
        public ChannelShuffleAttribute() { }
        /// <summary><c>ChannelShuffle(groups)</c>.</summary>
        public ChannelShuffleAttribute(int groups) => Groups = groups;
        /// <summary>Number of channel groups; must divide the channels.</summary>
        public int Groups { get; set; }
    }

    /// <summary>
    /// One piece of <c>torch.chunk(x, chunks, dim)</c>: the tensor split into <c>chunks</c> pieces of ceil(size / chunks)
    /// along <see cref="Dim"/> (the last piece smaller, and fewer pieces when they run out, as PyTorch does), and the one at
    /// <c>index</c> kept. A layer has one output, so <c>x1, x2 = x.chunk(2, dim=1)</c> is two layers:
    /// <c>Chunk(2, 0, Name = "x1")</c> and <c>Chunk(2, 1, From = "x", Name = "x2")</c> (ShuffleNetV2).
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class ChunkAttribute : LayerAttribute
    {
        /// <summary><c>Chunk(chunks, index)</c>: piece <paramref name="index"/> (negative counts from the end) of <paramref name="chunks"/>.</summary>
        public ChunkAttribute(int chunks, int index) { Chunks = chunks; Index = index; }
        /// <summary>How many pieces to split into.</summary>
        public int Chunks { get; }
        /// <summary>Which piece this layer outputs, from 0; negative counts from the end.</summary>
        public int Index { get; }
        /// <summary>The dimension, batch included (1 is the channels); default 1. PyTorch's default 0 would split the batch.</summary>
        public int Dim { get; set; } = 1;
    }

    /// <summary>
    /// One piece of <c>torch.split(x, split_size_or_sections, dim)</c>: pieces of <c>split_size</c> along <see cref="Dim"/>
    /// (the last one smaller), or of the sizes listed, which must add up to the dimension; the one at <c>index</c> is kept.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class SplitAttribute : LayerAttribute
    {
        /// <summary><c>Split(24, 1)</c> (pieces of 24, the second) or <c>Split(new[] { 16, 48 }, 1)</c> (the 48).</summary>
        public SplitAttribute(object splitSizeOrSections, int index) { SplitSizeOrSections = splitSizeOrSections; Index = index; }
        /// <summary>An <c>int</c> piece size or an <c>int[]</c> of piece sizes.</summary>
        public object SplitSizeOrSections { get; }
        /// <summary>Which piece this layer outputs, from 0; negative counts from the end.</summary>
        public int Index { get; }
        /// <summary>The dimension, batch included (1 is the channels); default 1. PyTorch's default 0 would split the batch.</summary>
        public int Dim { get; set; } = 1;
    }

    /// <summary>
    /// <c>torch.permute(x, dims)</c> (torchvision's <c>Permute</c> module): reorders the dimensions. The dims count the batch
    /// as PyTorch does and the batch stays first: <c>Permute(0, 2, 3, 1)</c> turns C×H×W into H×W×C, so that a
    /// <c>Linear</c> or <c>LayerNorm</c> works on the channels; <c>Permute(0, 3, 1, 2)</c> turns it back.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class PermuteAttribute : LayerAttribute
    {
        /// <summary><c>Permute(0, 2, 3, 1)</c>: one entry per dimension, batch included, each once; negative counts from the end.</summary>
        public PermuteAttribute(params int[] dims) => Dims = dims;
        /// <summary>The new order of the dimensions.</summary>
        public int[] Dims { get; }
    }

    /// <summary>
    /// torchvision's <c>StochasticDepth</c>: drops a residual branch at random while training, nothing at inference; kept so
    /// that declarations paste unchanged and state_dict indices line up.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class StochasticDepthAttribute : LayerAttribute
    {
        /// <summary><c>StochasticDepth</c> with probability 0, mode "row".</summary>
        public StochasticDepthAttribute() { }
        /// <summary><c>StochasticDepth(p, mode)</c>, as torchvision writes it.</summary>
        public StochasticDepthAttribute(double p, string mode) { P = p; Mode = mode; }
        /// <summary>Training-only drop probability, between 0 and 1.</summary>
        public double P { get; set; }
        /// <summary><c>"row"</c> or <c>"batch"</c> (training-only).</summary>
        public string Mode { get; set; } = "row";
    }
}
