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
}
