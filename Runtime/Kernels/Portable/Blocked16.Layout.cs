// Portable: compiled into the runtime and linked into the generator (netstandard2.0, CONVGEN_GENERATOR), so that the
// generator sizes channel-blocked tensors with the very rule the kernels use.
using System;
using System.Runtime.CompilerServices;

#if CONVGEN_GENERATOR
namespace ConvGen.Generator.Planning;
#else
namespace ConvGen.Runtime.Kernels;
#endif

/// <summary>How a tensor of channels and positions is laid out in memory.</summary>
public enum TensorLayout
{
    /// <summary>PyTorch's order: [C][H][W] (1-D: [C][L]); a vector of features is [C].</summary>
    Chw,

    /// <summary>
    /// Channel-blocked: [ceil(C/16)][H][W][16] (1-D: [ceil(C/16)][L][16]). Channel c at position p is element
    /// <c>((c / 16) * positions + p) * 16 + c % 16</c>. The padding lanes (channels C and up in the last block) are
    /// exactly zero: every kernel that writes this layout keeps them zero, so reductions, concatenations, flattening
    /// and pooling need no special case. With one position it is the channel vector padded to a multiple of 16.
    /// </summary>
    Blocked16,
}

/// <summary>
/// The channel-blocked layout <see cref="TensorLayout.Blocked16"/>: 16 channels per block, one 512-bit vector, two
/// 256-bit, four 128-bit or 16 scalar lanes. The layout, and so the compile-time plan, is the same on every machine;
/// only the instruction width differs.
/// </summary>
public static partial class Blocked16
{
    /// <summary>Channels per block.</summary>
    public const int Lanes = 16;

    /// <summary>
    /// Floats a buffer reserves so that a 64-byte-aligned start (one block, one cache line) lies inside it: up to 15
    /// floats are skipped (the runtime's <c>Blocked16.AlignmentSkip</c>). A 512-bit load or store that crosses a cache
    /// line costs two.
    /// </summary>
    public const int AlignmentSlack = Lanes - 1;

    // The rules below run on every kernel call (span checks, workspace sizes): inlined, their throws out of line.

    /// <summary>Blocks of <paramref name="channels"/> channels: ceil(channels / 16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Blocks(int channels)
    {
        if (channels < 0) ThrowNegative(channels, nameof(channels));
        return (channels + Lanes - 1) / Lanes;
    }

    /// <summary>Channels rounded up to whole blocks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int PaddedChannels(int channels) => checked(Blocks(channels) * Lanes);

    /// <summary>Floats of a blocked tensor of <paramref name="channels"/> x <paramref name="positions"/> (H*W, or L).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Length(int channels, int positions)
    {
        if (positions < 0) ThrowNegative(positions, nameof(positions));
        return checked(Blocks(channels) * positions * Lanes);
    }

    /// <summary>Floats of a tensor of <paramref name="channels"/> x <paramref name="positions"/> in <paramref name="layout"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Length(TensorLayout layout, int channels, int positions) =>
        layout == TensorLayout.Blocked16 ? Length(channels, positions) : checked(channels * positions);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNegative(int value, string name) => throw new ArgumentException($"{name} must be >= 0, got {value}.", name);
}

/// <summary>
/// The register tile of the convolution and GEMM micro-kernel, in units of the 512-bit path: <see cref="Blocks"/>
/// output-channel blocks (16 channels each) by <see cref="Positions"/> output positions, all accumulators held in
/// registers for the whole reduction. Narrower widths run the same tile as sub-tiles that fit their 16 registers.
/// </summary>
public readonly record struct ConvTile(int Blocks, int Positions)
{
    /// <summary>Most output blocks a tile holds.</summary>
    public const int MaxBlocks = 4;

    /// <summary>Most positions a tile holds.</summary>
    public const int MaxPositions = 16;

    /// <summary>Vector registers of the 512-bit path.</summary>
    public const int VectorRegisters = 32;

    /// <summary>
    /// Registers a tile holds through its reduction: Blocks x Positions accumulators, a weight vector per block and
    /// one broadcast. A tile needing more than <see cref="VectorRegisters"/> spills an accumulator on every step (4x7:
    /// 33, measured 10-15% slower than 3x7 on MobileNetV2's 7x7 pointwise layers).
    /// </summary>
    public int Registers => Blocks * Positions + Blocks + 1;

    /// <summary>1..4 blocks, 1..16 positions, and all its registers (<see cref="Registers"/>) in the 32 of the 512-bit path.</summary>
    public bool IsLegal => Blocks >= 1 && Blocks <= MaxBlocks && Positions >= 1 && Positions <= MaxPositions
        && Registers <= VectorRegisters;

    /// <summary>"2x8" (blocks x positions).</summary>
    public override string ToString() => $"{Blocks}x{Positions}";
}
