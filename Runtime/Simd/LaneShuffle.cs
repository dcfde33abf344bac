using System.Runtime.Intrinsics;

namespace ConvGen.Runtime.Simd;

/// <summary>
/// Cross-lane shuffles of two vectors for stride-2 work (pooling windows, transposed-convolution rows), per width,
/// each with the instruction sequence of the platform and a Can* test for the widths that have one.
/// </summary>
internal static class LaneShuffle
{
    // ---- Even/odd lane deinterleave of two consecutive vectors ----

    /// <summary>Whether <see cref="Even{TVec}"/> and <see cref="Odd{TVec}"/> have an instruction sequence at this width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool CanDeinterleave<TVec>() where TVec : struct
    {
        if (typeof(TVec) == typeof(Vector512<float>)) return System.Runtime.Intrinsics.X86.Avx512F.IsSupported;
        if (typeof(TVec) == typeof(Vector256<float>)) return System.Runtime.Intrinsics.X86.Avx2.IsSupported;
        if (typeof(TVec) == typeof(Vector128<float>))
            return System.Runtime.Intrinsics.X86.Sse.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.IsSupported;
        return false;
    }

    /// <summary>Lanes 0, 2, 4, ... of the concatenation lo:hi.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec Even<TVec>(TVec lo, TVec hi) where TVec : struct
    {
        if (typeof(TVec) == typeof(Vector512<float>))
        {
            Vector512<int> index = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
            return Unsafe.BitCast<Vector512<float>, TVec>(System.Runtime.Intrinsics.X86.Avx512F.PermuteVar16x32x2(
                Unsafe.BitCast<TVec, Vector512<float>>(lo), index, Unsafe.BitCast<TVec, Vector512<float>>(hi)));
        }
        if (typeof(TVec) == typeof(Vector256<float>))
        {
            // shufps picks lanes 0,2 of each 128-bit half of lo and hi; vpermpd puts the 64-bit pairs in order.
            Vector256<float> s = System.Runtime.Intrinsics.X86.Avx.Shuffle(Unsafe.BitCast<TVec, Vector256<float>>(lo), Unsafe.BitCast<TVec, Vector256<float>>(hi), 0b10_00_10_00);
            return Unsafe.BitCast<Vector256<float>, TVec>(System.Runtime.Intrinsics.X86.Avx2.Permute4x64(s.AsDouble(), 0b11_01_10_00).AsSingle());
        }
        if (typeof(TVec) == typeof(Vector128<float>))
        {
            Vector128<float> l = Unsafe.BitCast<TVec, Vector128<float>>(lo), h = Unsafe.BitCast<TVec, Vector128<float>>(hi);
            if (System.Runtime.Intrinsics.X86.Sse.IsSupported)
                return Unsafe.BitCast<Vector128<float>, TVec>(System.Runtime.Intrinsics.X86.Sse.Shuffle(l, h, 0b10_00_10_00));
            return Unsafe.BitCast<Vector128<float>, TVec>(System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.UnzipEven(l, h));
        }
        throw new PlatformNotSupportedException();
    }

    /// <summary>Lanes 1, 3, 5, ... of the concatenation lo:hi.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec Odd<TVec>(TVec lo, TVec hi) where TVec : struct
    {
        if (typeof(TVec) == typeof(Vector512<float>))
        {
            Vector512<int> index = Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
            return Unsafe.BitCast<Vector512<float>, TVec>(System.Runtime.Intrinsics.X86.Avx512F.PermuteVar16x32x2(
                Unsafe.BitCast<TVec, Vector512<float>>(lo), index, Unsafe.BitCast<TVec, Vector512<float>>(hi)));
        }
        if (typeof(TVec) == typeof(Vector256<float>))
        {
            Vector256<float> s = System.Runtime.Intrinsics.X86.Avx.Shuffle(Unsafe.BitCast<TVec, Vector256<float>>(lo), Unsafe.BitCast<TVec, Vector256<float>>(hi), 0b11_01_11_01);
            return Unsafe.BitCast<Vector256<float>, TVec>(System.Runtime.Intrinsics.X86.Avx2.Permute4x64(s.AsDouble(), 0b11_01_10_00).AsSingle());
        }
        if (typeof(TVec) == typeof(Vector128<float>))
        {
            Vector128<float> l = Unsafe.BitCast<TVec, Vector128<float>>(lo), h = Unsafe.BitCast<TVec, Vector128<float>>(hi);
            if (System.Runtime.Intrinsics.X86.Sse.IsSupported)
                return Unsafe.BitCast<Vector128<float>, TVec>(System.Runtime.Intrinsics.X86.Sse.Shuffle(l, h, 0b11_01_11_01));
            return Unsafe.BitCast<Vector128<float>, TVec>(System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.UnzipOdd(l, h));
        }
        throw new PlatformNotSupportedException();
    }

    // ---- Two-vector interleave ----

    /// <summary>Whether <see cref="ZipLow{TVec}"/> and <see cref="ZipHigh{TVec}"/> have an instruction sequence at this width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool CanZip<TVec>() where TVec : struct
    {
        if (typeof(TVec) == typeof(Vector512<float>)) return System.Runtime.Intrinsics.X86.Avx512F.IsSupported;
        if (typeof(TVec) == typeof(Vector256<float>)) return System.Runtime.Intrinsics.X86.Avx.IsSupported;
        if (typeof(TVec) == typeof(Vector128<float>))
            return System.Runtime.Intrinsics.X86.Sse.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.IsSupported;
        return false;
    }

    /// <summary>a0, b0, a1, b1, ...: the first half of the interleaving of a and b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec ZipLow<TVec>(TVec a, TVec b) where TVec : struct
    {
        if (typeof(TVec) == typeof(Vector512<float>))
        {
            Vector512<int> index = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
            return Unsafe.BitCast<Vector512<float>, TVec>(System.Runtime.Intrinsics.X86.Avx512F.PermuteVar16x32x2(
                Unsafe.BitCast<TVec, Vector512<float>>(a), index, Unsafe.BitCast<TVec, Vector512<float>>(b)));
        }
        if (typeof(TVec) == typeof(Vector256<float>))
        {
            // unpcklps/unpckhps interleave within each 128-bit half; vperm2f128 takes the two low halves.
            Vector256<float> x = Unsafe.BitCast<TVec, Vector256<float>>(a), y = Unsafe.BitCast<TVec, Vector256<float>>(b);
            return Unsafe.BitCast<Vector256<float>, TVec>(System.Runtime.Intrinsics.X86.Avx.Permute2x128(
                System.Runtime.Intrinsics.X86.Avx.UnpackLow(x, y), System.Runtime.Intrinsics.X86.Avx.UnpackHigh(x, y), 0x20));
        }
        if (typeof(TVec) == typeof(Vector128<float>))
        {
            Vector128<float> x = Unsafe.BitCast<TVec, Vector128<float>>(a), y = Unsafe.BitCast<TVec, Vector128<float>>(b);
            if (System.Runtime.Intrinsics.X86.Sse.IsSupported)
                return Unsafe.BitCast<Vector128<float>, TVec>(System.Runtime.Intrinsics.X86.Sse.UnpackLow(x, y));
            return Unsafe.BitCast<Vector128<float>, TVec>(System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.ZipLow(x, y));
        }
        throw new PlatformNotSupportedException();
    }

    /// <summary>The second half of the interleaving of a and b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec ZipHigh<TVec>(TVec a, TVec b) where TVec : struct
    {
        if (typeof(TVec) == typeof(Vector512<float>))
        {
            Vector512<int> index = Vector512.Create(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
            return Unsafe.BitCast<Vector512<float>, TVec>(System.Runtime.Intrinsics.X86.Avx512F.PermuteVar16x32x2(
                Unsafe.BitCast<TVec, Vector512<float>>(a), index, Unsafe.BitCast<TVec, Vector512<float>>(b)));
        }
        if (typeof(TVec) == typeof(Vector256<float>))
        {
            Vector256<float> x = Unsafe.BitCast<TVec, Vector256<float>>(a), y = Unsafe.BitCast<TVec, Vector256<float>>(b);
            return Unsafe.BitCast<Vector256<float>, TVec>(System.Runtime.Intrinsics.X86.Avx.Permute2x128(
                System.Runtime.Intrinsics.X86.Avx.UnpackLow(x, y), System.Runtime.Intrinsics.X86.Avx.UnpackHigh(x, y), 0x31));
        }
        if (typeof(TVec) == typeof(Vector128<float>))
        {
            Vector128<float> x = Unsafe.BitCast<TVec, Vector128<float>>(a), y = Unsafe.BitCast<TVec, Vector128<float>>(b);
            if (System.Runtime.Intrinsics.X86.Sse.IsSupported)
                return Unsafe.BitCast<Vector128<float>, TVec>(System.Runtime.Intrinsics.X86.Sse.UnpackHigh(x, y));
            return Unsafe.BitCast<Vector128<float>, TVec>(System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.ZipHigh(x, y));
        }
        throw new PlatformNotSupportedException();
    }
}
