using ConvGen.Runtime.Simd;

namespace ConvGen.Runtime.Kernels;

/// <summary>Reorders between <see cref="TensorLayout.Chw"/> and <see cref="TensorLayout.Blocked16"/>, and channel vectors.</summary>
public static partial class Blocked16
{
    /// <summary>
    /// Floats from <paramref name="first"/> to the next 64-byte boundary (0 to <see cref="AlignmentSlack"/>). Of an
    /// unpinned array only a speed hint: should the collector move it, the kernels are as correct, their loads unaligned.
    /// </summary>
    public static unsafe int AlignmentSkip(ref float first)
    {
        nuint address = (nuint)Unsafe.AsPointer(ref first);
        return (int)((0 - address / sizeof(float)) % Lanes);
    }

    // 16 ones, then 16 zeros: from float 16 - n, the mask of a block whose first n lanes hold channels.
    private static readonly float[] LaneMaskRamp = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    /// <summary>
    /// The 16 floats of a block's lane mask: 1 in its first <paramref name="lanes"/> lanes (1 to 16), 0 in the padding
    /// lanes. The kernels multiply an activation that does not keep zero by it, so that padding lanes stay zero.
    /// Shared: read it, never write it.
    /// </summary>
    internal static ref float LaneMask(int lanes) => ref LaneMaskRamp[Lanes - lanes];

    /// <summary>
    /// CHW [channels][positions] to blocked [ceil(channels/16)][positions][16]; padding lanes are written zero.
    /// The spans must not overlap.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void FromChw(ReadOnlySpan<float> chw, Span<float> blocked, int channels, int positions)
    {
        CheckReorder(chw.Length, blocked.Length, channels, positions);
        ref float src = ref MemoryMarshal.GetReference(chw);
        ref float dst = ref MemoryMarshal.GetReference(blocked);
        int blocks = Blocks(channels);
        for (int b = 0; b < blocks; b++)
        {
            int valid = Math.Min(Lanes, channels - b * Lanes);
            ref float block = ref Unsafe.Add(ref dst, (nint)b * positions * Lanes);
            for (int l = 0; l < valid; l++)
            {
                ref float plane = ref Unsafe.Add(ref src, (nint)(b * Lanes + l) * positions);
                for (int p = 0; p < positions; p++) Unsafe.Add(ref block, (nint)p * Lanes + l) = Unsafe.Add(ref plane, p);
            }

            for (int l = valid; l < Lanes; l++)
                for (int p = 0; p < positions; p++) Unsafe.Add(ref block, (nint)p * Lanes + l) = 0f;
        }
    }

    /// <summary>Blocked [ceil(channels/16)][positions][16] to CHW [channels][positions] (padding lanes dropped). The spans must not overlap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ToChw(ReadOnlySpan<float> blocked, Span<float> chw, int channels, int positions)
    {
        CheckReorder(chw.Length, blocked.Length, channels, positions);
        ref float src = ref MemoryMarshal.GetReference(blocked);
        ref float dst = ref MemoryMarshal.GetReference(chw);
        int blocks = Blocks(channels);
        for (int b = 0; b < blocks; b++)
        {
            int valid = Math.Min(Lanes, channels - b * Lanes);
            ref float block = ref Unsafe.Add(ref src, (nint)b * positions * Lanes);
            for (int l = 0; l < valid; l++)
            {
                ref float plane = ref Unsafe.Add(ref dst, (nint)(b * Lanes + l) * positions);
                for (int p = 0; p < positions; p++) Unsafe.Add(ref plane, p) = Unsafe.Add(ref block, (nint)p * Lanes + l);
            }
        }
    }

    /// <summary>
    /// Block <paramref name="block"/>'s 16 values of a per-channel vector (bias, scale, slope) into
    /// <paramref name="lanes16"/>, zeros past <paramref name="channels"/>: the form the blocked kernels read one
    /// 16-channel vector at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void LoadBlock(ReadOnlySpan<float> perChannel, int block, int channels, Span<float> lanes16)
    {
        lanes16.Clear();
        perChannel.Slice(block * Lanes, Math.Min(Lanes, channels - block * Lanes)).CopyTo(lanes16);
    }

    /// <summary>
    /// Zeros the border of a plane of (top + rows + bottom) x (left + columns + right) positions of
    /// <paramref name="position"/> floats each (a multiple of the vector's lanes): every float outside the rows x columns
    /// of values at (top, left), which are not touched. The border is one run per row gap (a row's right columns and the
    /// next row's left ones), plus the top rows and the bottom rows, each stored as zero vectors.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void ClearBorder<TOps, TVec>(ref float plane, nint position, int rows, int columns, int top, int left, int bottom, int right)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        nint width = left + columns + right, from = 0;
        for (int y = 0; y <= rows; y++)
        {
            nint to = y < rows ? ((top + y) * width + left) * position : (top + rows + bottom) * width * position;
            for (nint at = from; at < to; at += TOps.Count) TOps.Store(TOps.Zero, ref Unsafe.Add(ref plane, at));
            from = to + columns * position;
        }
    }

    /// <summary>Zeros the padding lanes (channels past <paramref name="channels"/>) of a blocked tensor's last block.</summary>
    internal static void ClearPadding(Span<float> blocked, int channels, int positions)
    {
        int valid = channels % Lanes;
        if (valid == 0) return;
        Span<float> last = blocked.Slice((Blocks(channels) - 1) * positions * Lanes);
        for (int p = 0; p < positions; p++) last.Slice(p * Lanes + valid, Lanes - valid).Clear();
    }

    private static void CheckReorder(int chwLength, int blockedLength, int channels, int positions)
    {
        if (channels < 1) throw new ArgumentException($"channels must be >= 1, got {channels}.", nameof(channels));
        if (positions < 1) throw new ArgumentException($"positions must be >= 1, got {positions}.", nameof(positions));
        Conv2d.CheckLength(chwLength, checked(channels * positions), "chw");
        Conv2d.CheckLength(blockedLength, Length(channels, positions), "blocked");
    }
}
