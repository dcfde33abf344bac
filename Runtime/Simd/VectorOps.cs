using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ConvGen.Runtime.Simd;

/// <summary>
/// One vector width as a type, so that a kernel is written once as a generic method and the JIT compiles a
/// specialised copy per width (the operator-struct pattern of TensorPrimitives). <see cref="Scalar"/> is the same
/// kernel one lane wide, the fallback when no vector hardware is there.
/// </summary>
/// <remarks>
/// Floating-point policy: <see cref="MultiplyAdd"/> is fused (one rounding) where the hardware has a fused
/// multiply-add instruction (x64 FMA3, which every AVX-512 machine has; Arm64 AdvSimd), and a separate multiply and
/// add (two roundings) where it has not, because .NET emulates a fused multiply-add in software there, about a
/// hundred times slower. The choice is made once, in <see cref="FmaPolicy"/>, from JIT-time constants, for every
/// width including the scalar one. Accumulations keep a fixed order per output element for a given width; across
/// widths and machines only the order of the sum and the rounding of multiply-adds differ, both far inside the
/// contract's tolerance.
/// </remarks>
public interface IVectorOps<TVec> where TVec : struct
{
    /// <summary>Lanes of <typeparamref name="TVec"/>.</summary>
    static abstract int Count { get; }
    /// <summary>Whether this width is hardware accelerated on this machine (a JIT-time constant).</summary>
    static abstract bool IsHardwareAccelerated { get; }
    static abstract TVec Zero { get; }
    static abstract TVec Create(float value);
    static abstract TVec Load(ref float source);
    static abstract void Store(TVec value, ref float destination);
    static abstract TVec Add(TVec left, TVec right);
    static abstract TVec Subtract(TVec left, TVec right);
    static abstract TVec Multiply(TVec left, TVec right);
    static abstract TVec Divide(TVec left, TVec right);
    /// <summary>left * right + addend: fused where the hardware has it (see <see cref="FmaPolicy"/>).</summary>
    static abstract TVec MultiplyAdd(TVec left, TVec right, TVec addend);
    static abstract TVec Max(TVec left, TVec right);
    /// <summary>
    /// max(x, 0) in one instruction where there is one, NaN propagating (x86 <c>maxps 0, x</c> returns x when x is NaN).
    /// </summary>
    static abstract TVec MaxZero(TVec x);
    /// <summary>min(x, limit) in one instruction where there is one, NaN propagating.</summary>
    static abstract TVec MinLimit(TVec x, TVec limit);
    static abstract TVec Min(TVec left, TVec right);
    static abstract TVec Exp(TVec value);
    /// <summary>Natural logarithm lane-wise (log(0) = -inf, negative or NaN gives NaN).</summary>
    static abstract TVec Log(TVec value);
    /// <summary>Lane-wise select: where <paramref name="left"/> &gt; <paramref name="right"/>, <paramref name="whenGreater"/>, else <paramref name="otherwise"/>.</summary>
    static abstract TVec SelectGreater(TVec left, TVec right, TVec whenGreater, TVec otherwise);
    /// <summary>
    /// Lane-wise select: where <paramref name="left"/> &gt; <paramref name="right"/> or <paramref name="left"/> is NaN,
    /// <paramref name="whenTaken"/>, else <paramref name="otherwise"/> (PyTorch's max-pool test <c>val &gt; maxval || isnan(val)</c>).
    /// Bitwise in the selected operands, so they may carry integers' bits.
    /// </summary>
    static abstract TVec SelectGreaterOrNaN(TVec left, TVec right, TVec whenTaken, TVec otherwise);
    static abstract float Sum(TVec value);
    static abstract float MaxAcross(TVec value);
}

/// <summary>
/// The floating-point policy of every kernel: multiply-adds are fused exactly where the hardware fuses them.
/// </summary>
public static class FmaPolicy
{
    /// <summary>
    /// True where a fused multiply-add is one hardware instruction (x64 FMA3, Arm64 AdvSimd): a JIT-time constant,
    /// read at each use (never cached in a local, which would hide the constant from the JIT). False on x64 without
    /// FMA3, e.g. under <c>DOTNET_EnableAVX2=0</c> or <c>DOTNET_EnableHWIntrinsic=0</c>, where .NET would emulate it
    /// in software: there the kernels multiply and add separately. The 512-bit path always fuses (AVX-512F has its own
    /// fused multiply-add).
    /// </summary>
    public static bool IsFused
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported;
    }

    // The multiply-adds of the policy. Each tests the ISA constants itself rather than call IsFused: the JIT folds an
    // IsSupported test while it imports the method, so the untaken branch is never imported, but it folds the result
    // of an inlined call only later. Behind IsFused, the software FusedMultiplyAdd of the untaken branch was imported
    // and inlined at every multiply-add of a kernel without FMA (DOTNET_EnableAVX2=0): it reads the vectors' halves as
    // fields, which keeps every vector local out of registers (each multiply-add loaded and stored its accumulator),
    // and its size used up the inlining budget of the large tiles.

    /// <summary>left * right + addend for one float, fused where the hardware fuses.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MultiplyAdd(float left, float right, float addend)
    {
        if (System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported) return MathF.FusedMultiplyAdd(left, right, addend);
        return left * right + addend;
    }

    /// <summary>left * right + addend lane-wise, fused where the hardware fuses.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MultiplyAdd(Vector128<float> left, Vector128<float> right, Vector128<float> addend)
    {
        if (System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported) return Vector128.FusedMultiplyAdd(left, right, addend);
        return left * right + addend;
    }

    /// <summary>left * right + addend lane-wise, fused where the hardware fuses.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> left, Vector256<float> right, Vector256<float> addend)
    {
        if (System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported) return Vector256.FusedMultiplyAdd(left, right, addend);
        return left * right + addend;
    }
}

/// <summary>512-bit vectors (16 floats): AVX-512.</summary>
public readonly struct Vec512 : IVectorOps<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;
    public static bool IsHardwareAccelerated => Vector512.IsHardwareAccelerated;
    public static Vector512<float> Zero => Vector512<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Create(float value) => Vector512.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(ref float source) => Vector512.LoadUnsafe(ref source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<float> value, ref float destination) => value.StoreUnsafe(ref destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> left, Vector512<float> right) => left + right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Subtract(Vector512<float> left, Vector512<float> right) => left - right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Multiply(Vector512<float> left, Vector512<float> right) => left * right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Divide(Vector512<float> left, Vector512<float> right) => left / right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> MultiplyAdd(Vector512<float> left, Vector512<float> right, Vector512<float> addend) => Vector512.FusedMultiplyAdd(left, right, addend);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Max(Vector512<float> left, Vector512<float> right) => Vector512.Max(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Min(Vector512<float> left, Vector512<float> right) => Vector512.Min(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> MaxZero(Vector512<float> x) => Avx512F.IsSupported ? Avx512F.Max(Vector512<float>.Zero, x) : Vector512.Max(x, Vector512<float>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> MinLimit(Vector512<float> x, Vector512<float> limit) => Avx512F.IsSupported ? Avx512F.Min(limit, x) : Vector512.Min(x, limit);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Exp(Vector512<float> value) => Vector512.Exp(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Log(Vector512<float> value) => Vector512.Log(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> SelectGreater(Vector512<float> left, Vector512<float> right, Vector512<float> whenGreater, Vector512<float> otherwise) => Vector512.ConditionalSelect(Vector512.GreaterThan(left, right), whenGreater, otherwise);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> SelectGreaterOrNaN(Vector512<float> left, Vector512<float> right, Vector512<float> whenTaken, Vector512<float> otherwise) => Vector512.ConditionalSelect(Vector512.GreaterThan(left, right) | ~Vector512.Equals(left, left), whenTaken, otherwise);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector512<float> value) => Vector512.Sum(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MaxAcross(Vector512<float> value) => Vec256.MaxAcross(Vector256.Max(value.GetLower(), value.GetUpper()));
}

/// <summary>256-bit vectors (8 floats): AVX2.</summary>
public readonly struct Vec256 : IVectorOps<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;
    public static bool IsHardwareAccelerated => Vector256.IsHardwareAccelerated;
    public static Vector256<float> Zero => Vector256<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Create(float value) => Vector256.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(ref float source) => Vector256.LoadUnsafe(ref source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<float> value, ref float destination) => value.StoreUnsafe(ref destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> left, Vector256<float> right) => left + right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Subtract(Vector256<float> left, Vector256<float> right) => left - right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Multiply(Vector256<float> left, Vector256<float> right) => left * right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Divide(Vector256<float> left, Vector256<float> right) => left / right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> MultiplyAdd(Vector256<float> left, Vector256<float> right, Vector256<float> addend) => FmaPolicy.MultiplyAdd(left, right, addend);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Max(Vector256<float> left, Vector256<float> right) => Vector256.Max(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Min(Vector256<float> left, Vector256<float> right) => Vector256.Min(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> MaxZero(Vector256<float> x) => Avx.IsSupported ? Avx.Max(Vector256<float>.Zero, x) : Vector256.Max(x, Vector256<float>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> MinLimit(Vector256<float> x, Vector256<float> limit) => Avx.IsSupported ? Avx.Min(limit, x) : Vector256.Min(x, limit);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Exp(Vector256<float> value) => Vector256.Exp(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Log(Vector256<float> value) => Vector256.Log(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> SelectGreater(Vector256<float> left, Vector256<float> right, Vector256<float> whenGreater, Vector256<float> otherwise) => Vector256.ConditionalSelect(Vector256.GreaterThan(left, right), whenGreater, otherwise);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> SelectGreaterOrNaN(Vector256<float> left, Vector256<float> right, Vector256<float> whenTaken, Vector256<float> otherwise) => Vector256.ConditionalSelect(Vector256.GreaterThan(left, right) | ~Vector256.Equals(left, left), whenTaken, otherwise);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector256<float> value) => Vector256.Sum(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MaxAcross(Vector256<float> value) => Vec128.MaxAcross(Vector128.Max(value.GetLower(), value.GetUpper()));
}

/// <summary>128-bit vectors (4 floats): SSE/AVX on x64, AdvSimd (NEON) on Arm64.</summary>
public readonly struct Vec128 : IVectorOps<Vector128<float>>
{
    public static int Count => Vector128<float>.Count;
    public static bool IsHardwareAccelerated => Vector128.IsHardwareAccelerated;
    public static Vector128<float> Zero => Vector128<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Create(float value) => Vector128.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Load(ref float source) => Vector128.LoadUnsafe(ref source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector128<float> value, ref float destination) => value.StoreUnsafe(ref destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Add(Vector128<float> left, Vector128<float> right) => left + right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Subtract(Vector128<float> left, Vector128<float> right) => left - right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Multiply(Vector128<float> left, Vector128<float> right) => left * right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Divide(Vector128<float> left, Vector128<float> right) => left / right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> MultiplyAdd(Vector128<float> left, Vector128<float> right, Vector128<float> addend) => FmaPolicy.MultiplyAdd(left, right, addend);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Max(Vector128<float> left, Vector128<float> right) => Vector128.Max(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Min(Vector128<float> left, Vector128<float> right) => Vector128.Min(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> MaxZero(Vector128<float> x) => Sse.IsSupported ? Sse.Max(Vector128<float>.Zero, x) : Vector128.Max(x, Vector128<float>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> MinLimit(Vector128<float> x, Vector128<float> limit) => Sse.IsSupported ? Sse.Min(limit, x) : Vector128.Min(x, limit);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Exp(Vector128<float> value) => Vector128.Exp(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Log(Vector128<float> value) => Vector128.Log(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> SelectGreater(Vector128<float> left, Vector128<float> right, Vector128<float> whenGreater, Vector128<float> otherwise) => Vector128.ConditionalSelect(Vector128.GreaterThan(left, right), whenGreater, otherwise);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> SelectGreaterOrNaN(Vector128<float> left, Vector128<float> right, Vector128<float> whenTaken, Vector128<float> otherwise) => Vector128.ConditionalSelect(Vector128.GreaterThan(left, right) | ~Vector128.Equals(left, left), whenTaken, otherwise);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector128<float> value) => Vector128.Sum(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxAcross(Vector128<float> value)
    {
        float m = value.GetElement(0);
        for (int i = 1; i < Vector128<float>.Count; i++) m = MathF.Max(m, value.GetElement(i));
        return m;
    }
}

/// <summary>One lane: the portable fallback, and the reference the vector widths are tested against.</summary>
public readonly struct Scalar : IVectorOps<float>
{
    public static int Count => 1;
    public static bool IsHardwareAccelerated => true;
    public static float Zero => 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Create(float value) => value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Load(ref float source) => source;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float value, ref float destination) => destination = value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Add(float left, float right) => left + right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Subtract(float left, float right) => left - right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Multiply(float left, float right) => left * right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Divide(float left, float right) => left / right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MultiplyAdd(float left, float right, float addend) => FmaPolicy.MultiplyAdd(left, right, addend);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Max(float left, float right) => MathF.Max(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Min(float left, float right) => MathF.Min(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MaxZero(float x) => MathF.Max(x, 0f);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MinLimit(float x, float limit) => MathF.Min(x, limit);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Exp(float value) => MathF.Exp(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Log(float value) => MathF.Log(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float SelectGreater(float left, float right, float whenGreater, float otherwise) => left > right ? whenGreater : otherwise;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float SelectGreaterOrNaN(float left, float right, float whenTaken, float otherwise) => left > right || float.IsNaN(left) ? whenTaken : otherwise;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(float value) => value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MaxAcross(float value) => value;
}
