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
    /// Zero-padded copies of <paramref name="planes"/> planes of <paramref name="height"/> x <paramref name="width"/>
    /// units of <paramref name="unit"/> floats (1 in CHW, 16 blocked): plane c lands in a
    /// <paramref name="paddedHeight"/> x <paramref name="paddedWidth"/> plane of <paramref name="padded"/> after
    /// <paramref name="top"/> zero rows and <paramref name="left"/> zero columns, with zeros after it; input rows and
    /// columns past the padded plane are dropped. Only the border is cleared, row by row, with vector stores: no
    /// memmove or memset calls per row, which cost as much as the convolution of a small first layer.
    /// </summary>
    public static void PadPlanes(ReadOnlySpan<float> input, Span<float> padded, int planes, int unit, int height, int width, int top, int left,
        int paddedHeight, int paddedWidth)
    {
        long inputLength = (long)planes * height * width * unit, paddedLength = (long)planes * paddedHeight * paddedWidth * unit;
        if (planes < 0 || unit < 1 || height < 0 || width < 0 || top < 0 || left < 0 || paddedHeight < 0 || paddedWidth < 0
            || input.Length < inputLength || padded.Length < paddedLength)
            ThrowPadPlanes(input.Length, padded.Length, planes, unit, height, width, top, left, paddedHeight, paddedWidth);
        int rows = Math.Max(0, Math.Min(height, paddedHeight - top)), topRows = Math.Min(top, paddedHeight);
        int front = Math.Min(left, paddedWidth) * unit, count = Math.Max(0, Math.Min(width, paddedWidth - left)) * unit;
        int rowIn = width * unit, rowOut = paddedWidth * unit, back = rowOut - front - count;
        ref float source = ref MemoryMarshal.GetReference(input);
        ref float target = ref MemoryMarshal.GetReference(padded);
        for (int c = 0; c < planes; c++)
        {
            ref float plane = ref Unsafe.Add(ref target, (nint)c * paddedHeight * rowOut);
            Zero(ref plane, topRows * rowOut);
            for (int r = 0; r < rows; r++)
            {
                ref float to = ref Unsafe.Add(ref plane, (nint)(topRows + r) * rowOut);
                Zero(ref to, front);
                Copy(ref Unsafe.Add(ref source, ((nint)c * height + r) * rowIn), ref Unsafe.Add(ref to, front), count);
                Zero(ref Unsafe.Add(ref to, front + count), back);
            }

            Zero(ref Unsafe.Add(ref plane, (nint)(topRows + rows) * rowOut), (paddedHeight - topRows - rows) * rowOut);
        }
    }

    // Out of line (never inlined), so that PadPlanes, which the convolutions call on every run, formats no message inline.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowPadPlanes(int inputFloats, int paddedFloats, int planes, int unit, int height, int width, int top, int left,
        int paddedHeight, int paddedWidth) =>
        throw new ArgumentException(planes < 0 || unit < 1 || height < 0 || width < 0 || top < 0 || left < 0 || paddedHeight < 0 || paddedWidth < 0
            ? $"PadPlanes: {planes} planes of {height}x{width}x{unit} padded by ({top}, {left}) to {paddedHeight}x{paddedWidth}."
            : $"PadPlanes: {inputFloats} input and {paddedFloats} padded floats, needs {(long)planes * height * width * unit} and {(long)planes * paddedHeight * paddedWidth * unit}.");

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
