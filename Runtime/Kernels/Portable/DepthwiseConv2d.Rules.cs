// Portable: compiled into the runtime and linked into the generator (netstandard2.0, CONVGEN_GENERATOR).
using System;

#if CONVGEN_GENERATOR
namespace ConvGen.Generator.Planning;
#else
namespace ConvGen.Runtime.Kernels;
#endif

/// <summary>
/// Depthwise convolution (groups = input channels, any depth multiplier) on <see cref="TensorLayout.Blocked16"/>
/// tensors, vectorised along channels: the rules the generator plans with and the kernel validates.
/// </summary>
public static partial class DepthwiseConv2d
{
    /// <summary>Why the depthwise kernel cannot run <paramref name="g"/>, or null: it needs groups = input channels and output channels a multiple of them.</summary>
    public static string? Rejects(in Conv2dGeometry g)
    {
        if (!g.IsDepthwise)
            return $"a depthwise convolution has groups = input channels and output channels a multiple of them, got {g.InChannels} in, {g.OutChannels} out, groups {g.Groups}";
        return null;
    }

    /// <summary>Floats of <c>Pack</c>'s result: per output block <c>[KH][KW][16]</c> weights, then the bias padded to whole blocks.</summary>
    public static int PackedLength(in Conv2dGeometry g)
    {
        g.Validate();
        return checked(Blocked16.Blocks(g.OutChannels) * g.KernelHeight * g.KernelWidth * Blocked16.Lanes + Blocked16.PaddedChannels(g.OutChannels));
    }

    /// <summary>
    /// Floats of workspace: 0 for a depth multiplier of 1; else the input with each channel repeated multiplier times
    /// (blocked, with the output's channel count), which the kernel then convolves channel by channel.
    /// </summary>
    public static int WorkspaceLength(in Conv2dGeometry g)
    {
        g.Validate();
        return g.OutChannels == g.InChannels ? 0 : Blocked16.Length(g.OutChannels, g.InHeight * g.InWidth);
    }
}
