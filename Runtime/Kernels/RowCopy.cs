using System.Runtime.Intrinsics;

namespace ConvGen.Runtime.Kernels;

/// <summary>
/// Copies, zero fills and strided gathers of short float runs (a few to a few hundred floats: the rows that
/// im2col and the depthwise kernel move around), with the widest hardware vectors that fit and the last vector
/// overlapping the one before it instead of a scalar tail. Source and destination never overlap. Exact at any
/// width, so these use the hardware vectors directly rather than a TOps width.
/// </summary>
internal static class RowCopy
{
    /// <summary>destination[0 .. count) = source[0 .. count).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Copy(ref float source, ref float destination, int count)
    {
        if (Vector512.IsHardwareAccelerated && count >= Vector512<float>.Count)
        {
            int last = count - Vector512<float>.Count;
            for (int i = 0; i < last; i += Vector512<float>.Count)
                Vector512.LoadUnsafe(ref source, (nuint)i).StoreUnsafe(ref destination, (nuint)i);
            Vector512.LoadUnsafe(ref source, (nuint)last).StoreUnsafe(ref destination, (nuint)last);
            return;
        }

        if (Vector256.IsHardwareAccelerated && count >= Vector256<float>.Count)
        {
            int last = count - Vector256<float>.Count;
            for (int i = 0; i < last; i += Vector256<float>.Count)
                Vector256.LoadUnsafe(ref source, (nuint)i).StoreUnsafe(ref destination, (nuint)i);
            Vector256.LoadUnsafe(ref source, (nuint)last).StoreUnsafe(ref destination, (nuint)last);
            return;
        }

        if (Vector128.IsHardwareAccelerated && count >= Vector128<float>.Count)
        {
            int last = count - Vector128<float>.Count;
            for (int i = 0; i < last; i += Vector128<float>.Count)
                Vector128.LoadUnsafe(ref source, (nuint)i).StoreUnsafe(ref destination, (nuint)i);
            Vector128.LoadUnsafe(ref source, (nuint)last).StoreUnsafe(ref destination, (nuint)last);
            return;
        }

        for (int i = 0; i < count; i++) Unsafe.Add(ref destination, i) = Unsafe.Add(ref source, i);
    }

    /// <summary>destination[0 .. count) = 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Zero(ref float destination, int count)
    {
        if (Vector512.IsHardwareAccelerated && count >= Vector512<float>.Count)
        {
            int last = count - Vector512<float>.Count;
            for (int i = 0; i < last; i += Vector512<float>.Count) Vector512<float>.Zero.StoreUnsafe(ref destination, (nuint)i);
            Vector512<float>.Zero.StoreUnsafe(ref destination, (nuint)last);
            return;
        }

        if (Vector256.IsHardwareAccelerated && count >= Vector256<float>.Count)
        {
            int last = count - Vector256<float>.Count;
            for (int i = 0; i < last; i += Vector256<float>.Count) Vector256<float>.Zero.StoreUnsafe(ref destination, (nuint)i);
            Vector256<float>.Zero.StoreUnsafe(ref destination, (nuint)last);
            return;
        }

        if (Vector128.IsHardwareAccelerated && count >= Vector128<float>.Count)
        {
            int last = count - Vector128<float>.Count;
            for (int i = 0; i < last; i += Vector128<float>.Count) Vector128<float>.Zero.StoreUnsafe(ref destination, (nuint)i);
            Vector128<float>.Zero.StoreUnsafe(ref destination, (nuint)last);
            return;
        }

        for (int i = 0; i < count; i++) Unsafe.Add(ref destination, i) = 0f;
    }

    /// <summary>
    /// destination[j] = source[j * stride] for j &lt; count, reading at most <paramref name="readable"/> floats from
    /// <paramref name="source"/> (at least <c>(count - 1) * stride + 1</c>). Stride 1 is <see cref="Copy"/>; stride 2
    /// narrows pairs of floats read as 64-bit lanes to their low (even-index) halves; other strides go one by one.
    /// </summary>
    public static void Gather(ref float source, int stride, int readable, ref float destination, int count)
    {
        if (stride == 1)
        {
            Copy(ref source, ref destination, count);
            return;
        }

        int j = 0;
        if (stride == 2)
        {
            ref ulong pairs = ref Unsafe.As<float, ulong>(ref source);
            if (Vector512.IsHardwareAccelerated)
            {
                // 16 outputs read 32 floats: source[2j .. 2j + 32).
                for (; j + 16 <= count && 2 * j + 32 <= readable; j += 16)
                {
                    Vector512<uint> even = Vector512.Narrow(Vector512.LoadUnsafe(ref pairs, (nuint)j), Vector512.LoadUnsafe(ref pairs, (nuint)(j + 8)));
                    even.AsSingle().StoreUnsafe(ref destination, (nuint)j);
                }
            }

            if (Vector256.IsHardwareAccelerated)
            {
                for (; j + 8 <= count && 2 * j + 16 <= readable; j += 8)
                {
                    Vector256<uint> even = Vector256.Narrow(Vector256.LoadUnsafe(ref pairs, (nuint)j), Vector256.LoadUnsafe(ref pairs, (nuint)(j + 4)));
                    even.AsSingle().StoreUnsafe(ref destination, (nuint)j);
                }
            }

            if (Vector128.IsHardwareAccelerated)
            {
                for (; j + 4 <= count && 2 * j + 8 <= readable; j += 4)
                {
                    Vector128<uint> even = Vector128.Narrow(Vector128.LoadUnsafe(ref pairs, (nuint)j), Vector128.LoadUnsafe(ref pairs, (nuint)(j + 2)));
                    even.AsSingle().StoreUnsafe(ref destination, (nuint)j);
                }
            }
        }

        for (; j < count; j++) Unsafe.Add(ref destination, j) = Unsafe.Add(ref source, (nint)j * stride);
    }
}
