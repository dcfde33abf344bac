// Portable: compiled into the runtime and linked into the generator (netstandard2.0, CONVGEN_GENERATOR).
using System;

#if CONVGEN_GENERATOR
namespace ConvGen.Generator.Planning;
#else
namespace ConvGen.Runtime.Kernels;
#endif

/// <summary>
/// PyTorch <c>Linear</c> on weights packed at load in panels of 16 output features by all inputs
/// (<c>[ceil(out/16)][in][16]</c>), so that each panel is read once, contiguously: the rules the generator plans with.
/// </summary>
public static partial class PackedLinear
{
    /// <summary>Floats of the packed weights and bias for <paramref name="inFeatures"/> (as packed) x <paramref name="outFeatures"/>.</summary>
    public static int PackedLength(int inFeatures, int outFeatures)
    {
        if (inFeatures < 1) throw new ArgumentException($"inFeatures must be >= 1, got {inFeatures}.", nameof(inFeatures));
        if (outFeatures < 1) throw new ArgumentException($"outFeatures must be >= 1, got {outFeatures}.", nameof(outFeatures));
        return checked(Blocked16.Blocks(outFeatures) * inFeatures * Blocked16.Lanes + Blocked16.PaddedChannels(outFeatures));
    }

    /// <summary>
    /// The packed input length when the input is a blocked map of <paramref name="channels"/> x
    /// <paramref name="positions"/> (a Flatten of a blocked tensor): its blocked length, padding lanes included.
    /// </summary>
    public static int BlockedInFeatures(int channels, int positions) => Blocked16.Length(channels, positions);

    /// <summary>
    /// Floats of the output: rows x outFeatures for <see cref="TensorLayout.Chw"/> (row-major, exact), the padded
    /// channel vector for <see cref="TensorLayout.Blocked16"/> (one row only).
    /// </summary>
    public static int OutputLength(int rows, int outFeatures, TensorLayout outputLayout) =>
        outputLayout == TensorLayout.Blocked16 ? Blocked16.PaddedChannels(outFeatures) : checked(rows * outFeatures);

    /// <summary>The register tile of the GEMM for rows &gt; 1 (rows are the tile's positions), by the convolutions' cost rule.</summary>
    public static ConvTile GemmTile(int rows, int inFeatures, int outFeatures) =>
        DirectConv2d.ChooseTile(Blocked16.Blocks(outFeatures), rows, 1, inFeatures);
}
