using System.Runtime.Intrinsics;
using ConvGen.Runtime.Simd;

namespace ConvGen.Runtime.Kernels;

/// <summary>
/// Element-wise layers that were not fused into a producer: activations, a per-channel affine (an unfolded
/// BatchNorm), the graph merges Add and Multiply, and ChannelShuffle.
/// </summary>
/// <remarks>
/// Each kernel is specialised per activation kind (the switch on <see cref="Epilogue.Activation"/> runs once per
/// call, not per vector). The tail is the last full vector, loaded before the main loop and stored after it, so it
/// overlaps already written outputs with identical values; that also holds in place, because it was computed from
/// the original inputs. Only tensors shorter than a vector take the scalar path.
/// </remarks>
public static class Elementwise
{
    /// <summary>In place: x = epilogue(x) (an activation that could not be fused into its producer).</summary>
    public static void Activate(Span<float> x, Epilogue epilogue) => Activate((ReadOnlySpan<float>)x, x, epilogue);

    /// <summary>Out of place: y = epilogue(x), same length; y may be x itself.</summary>
    public static void Activate(ReadOnlySpan<float> x, Span<float> y, Epilogue epilogue)
    {
        if (y.Length != x.Length) throw new ArgumentException($"y has {y.Length} floats, x has {x.Length}.", nameof(y));
        if (Vec512.IsHardwareAccelerated) Activate<Vec512, Vector512<float>>(x, y, epilogue);
        else if (Vec256.IsHardwareAccelerated) Activate<Vec256, Vector256<float>>(x, y, epilogue);
        else if (Vec128.IsHardwareAccelerated) Activate<Vec128, Vector128<float>>(x, y, epilogue);
        else Activate<Scalar, float>(x, y, epilogue);
    }

    /// <summary>
    /// Per-channel affine over CHW (a BatchNorm that could not be folded):
    /// y[c, i] = epilogue(x[c, i] * scale[c] + shift[c]), multiply-add fused. x and y may be the same span.
    /// </summary>
    public static void ChannelAffine(ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift, int channels, int spatial, Epilogue epilogue)
    {
        if (channels < 0) throw new ArgumentException($"channels must be >= 0, got {channels}.", nameof(channels));
        if (spatial < 0) throw new ArgumentException($"spatial must be >= 0, got {spatial}.", nameof(spatial));
        long need = (long)channels * spatial;
        if (x.Length != need) throw new ArgumentException($"x has {x.Length} floats, {channels} channels x {spatial} need {need}.", nameof(x));
        if (y.Length != need) throw new ArgumentException($"y has {y.Length} floats, {channels} channels x {spatial} need {need}.", nameof(y));
        if (scale.Length != channels) throw new ArgumentException($"scale has {scale.Length} floats, channels is {channels}.", nameof(scale));
        if (shift.Length != channels) throw new ArgumentException($"shift has {shift.Length} floats, channels is {channels}.", nameof(shift));
        if (Vec512.IsHardwareAccelerated) ChannelAffine<Vec512, Vector512<float>>(x, y, scale, shift, channels, spatial, epilogue);
        else if (Vec256.IsHardwareAccelerated) ChannelAffine<Vec256, Vector256<float>>(x, y, scale, shift, channels, spatial, epilogue);
        else if (Vec128.IsHardwareAccelerated) ChannelAffine<Vec128, Vector128<float>>(x, y, scale, shift, channels, spatial, epilogue);
        else ChannelAffine<Scalar, float>(x, y, scale, shift, channels, spatial, epilogue);
    }

    /// <summary>Residual merge: y = epilogue(a + b). y may be a or b.</summary>
    public static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y, Epilogue epilogue)
    {
        CheckBinary(a.Length, b.Length, y.Length);
        if (Vec512.IsHardwareAccelerated) Add<Vec512, Vector512<float>>(a, b, y, epilogue);
        else if (Vec256.IsHardwareAccelerated) Add<Vec256, Vector256<float>>(a, b, y, epilogue);
        else if (Vec128.IsHardwareAccelerated) Add<Vec128, Vector128<float>>(a, b, y, epilogue);
        else Add<Scalar, float>(a, b, y, epilogue);
    }

    /// <summary>Gating merge: y = a * b. y may be a or b.</summary>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
    {
        CheckBinary(a.Length, b.Length, y.Length);
        if (Vec512.IsHardwareAccelerated) Multiply<Vec512, Vector512<float>>(a, b, y);
        else if (Vec256.IsHardwareAccelerated) Multiply<Vec256, Vector256<float>>(a, b, y);
        else if (Vec128.IsHardwareAccelerated) Multiply<Vec128, Vector128<float>>(a, b, y);
        else Multiply<Scalar, float>(a, b, y);
    }

    /// <summary>
    /// <c>torch.nn.ChannelShuffle(groups)</c> over CHW: the channels, viewed as [groups, channels/groups], are
    /// transposed, so output channel k * groups + g is input channel g * (channels/groups) + k. Not in place.
    /// </summary>
    public static void ChannelShuffle(ReadOnlySpan<float> input, Span<float> output, int channels, int groups, int spatial)
    {
        if (groups < 1 || channels < 0 || channels % groups != 0)
            throw new ArgumentException($"groups ({groups}) must be >= 1 and divide channels ({channels}).", nameof(groups));
        if (spatial < 0) throw new ArgumentException($"spatial must be >= 0, got {spatial}.", nameof(spatial));
        long need = (long)channels * spatial;
        if (input.Length != need) throw new ArgumentException($"input has {input.Length} floats, {channels} channels x {spatial} need {need}.", nameof(input));
        if (output.Length != need) throw new ArgumentException($"output has {output.Length} floats, {channels} channels x {spatial} need {need}.", nameof(output));
        int perGroup = channels / groups;
        for (int k = 0; k < perGroup; k++)
            for (int g = 0; g < groups; g++)
                input.Slice((g * perGroup + k) * spatial, spatial).CopyTo(output.Slice((k * groups + g) * spatial, spatial));
    }

    // ---- Per-width implementations (lengths already checked) ----

    internal static void Activate<TOps, TVec>(ReadOnlySpan<float> x, Span<float> y, Epilogue epilogue)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ByKind<TOps, TVec, Identity>(ref xr, ref xr, ref MemoryMarshal.GetReference(y), x.Length, epilogue);
    }

    internal static void Add<TOps, TVec>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y, Epilogue epilogue)
        where TOps : IVectorOps<TVec> where TVec : struct
        => ByKind<TOps, TVec, Sum>(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b), ref MemoryMarshal.GetReference(y), a.Length, epilogue);

    internal static void Multiply<TOps, TVec>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
        where TOps : IVectorOps<TVec> where TVec : struct
        => Map<TOps, TVec, Product, KindNone>(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b), ref MemoryMarshal.GetReference(y), a.Length, 0f);

    internal static void ChannelAffine<TOps, TVec>(ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift, int channels, int spatial, Epilogue epilogue)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float sr = ref MemoryMarshal.GetReference(scale);
        ref float tr = ref MemoryMarshal.GetReference(shift);
        switch (epilogue.Activation)
        {
            case ActivationKind.None: Affine<TOps, TVec, KindNone>(ref xr, ref yr, ref sr, ref tr, channels, spatial, epilogue.Alpha); break;
            case ActivationKind.ReLU: Affine<TOps, TVec, KindReLU>(ref xr, ref yr, ref sr, ref tr, channels, spatial, epilogue.Alpha); break;
            case ActivationKind.ReLU6: Affine<TOps, TVec, KindReLU6>(ref xr, ref yr, ref sr, ref tr, channels, spatial, epilogue.Alpha); break;
            case ActivationKind.LeakyReLU: Affine<TOps, TVec, KindLeakyReLU>(ref xr, ref yr, ref sr, ref tr, channels, spatial, epilogue.Alpha); break;
            case ActivationKind.Sigmoid: Affine<TOps, TVec, KindSigmoid>(ref xr, ref yr, ref sr, ref tr, channels, spatial, epilogue.Alpha); break;
            case ActivationKind.Tanh: Affine<TOps, TVec, KindTanh>(ref xr, ref yr, ref sr, ref tr, channels, spatial, epilogue.Alpha); break;
            case ActivationKind.SiLU: Affine<TOps, TVec, KindSiLU>(ref xr, ref yr, ref sr, ref tr, channels, spatial, epilogue.Alpha); break;
            case ActivationKind.Hardswish: Affine<TOps, TVec, KindHardswish>(ref xr, ref yr, ref sr, ref tr, channels, spatial, epilogue.Alpha); break;
            case ActivationKind.GELU: Affine<TOps, TVec, KindGELU>(ref xr, ref yr, ref sr, ref tr, channels, spatial, epilogue.Alpha); break;
            case ActivationKind.GELUTanh: Affine<TOps, TVec, KindGELUTanh>(ref xr, ref yr, ref sr, ref tr, channels, spatial, epilogue.Alpha); break;
            default: throw new ArgumentException($"Unknown activation {epilogue.Activation}.", nameof(epilogue));
        }
    }

    // ---- Drivers ----

    /// <summary>Runs <see cref="Map"/> specialised for the epilogue's activation kind.</summary>
    private static void ByKind<TOps, TVec, TOp>(ref float a, ref float b, ref float y, int n, Epilogue epilogue)
        where TOps : IVectorOps<TVec> where TVec : struct where TOp : struct, IBinaryOp
    {
        float alpha = epilogue.Alpha;
        switch (epilogue.Activation)
        {
            case ActivationKind.None: Map<TOps, TVec, TOp, KindNone>(ref a, ref b, ref y, n, alpha); break;
            case ActivationKind.ReLU: Map<TOps, TVec, TOp, KindReLU>(ref a, ref b, ref y, n, alpha); break;
            case ActivationKind.ReLU6: Map<TOps, TVec, TOp, KindReLU6>(ref a, ref b, ref y, n, alpha); break;
            case ActivationKind.LeakyReLU: Map<TOps, TVec, TOp, KindLeakyReLU>(ref a, ref b, ref y, n, alpha); break;
            case ActivationKind.Sigmoid: Map<TOps, TVec, TOp, KindSigmoid>(ref a, ref b, ref y, n, alpha); break;
            case ActivationKind.Tanh: Map<TOps, TVec, TOp, KindTanh>(ref a, ref b, ref y, n, alpha); break;
            case ActivationKind.SiLU: Map<TOps, TVec, TOp, KindSiLU>(ref a, ref b, ref y, n, alpha); break;
            case ActivationKind.Hardswish: Map<TOps, TVec, TOp, KindHardswish>(ref a, ref b, ref y, n, alpha); break;
            case ActivationKind.GELU: Map<TOps, TVec, TOp, KindGELU>(ref a, ref b, ref y, n, alpha); break;
            case ActivationKind.GELUTanh: Map<TOps, TVec, TOp, KindGELUTanh>(ref a, ref b, ref y, n, alpha); break;
            default: throw new ArgumentException($"Unknown activation {epilogue.Activation}.", nameof(epilogue));
        }
    }

    /// <summary>y[i] = activation(op(a[i], b[i])) for i in [0, n); y may be a or b.</summary>
    private static void Map<TOps, TVec, TOp, TKind>(ref float a, ref float b, ref float y, int n, float alpha)
        where TOps : IVectorOps<TVec> where TVec : struct where TOp : struct, IBinaryOp where TKind : struct, IActivationKind
    {
        // A constant activation kind: Apply's switch folds away once inlined.
        var epilogue = new Epilogue(TKind.Kind, alpha);
        if (TOps.Count == 1 || n < TOps.Count)
        {
            for (int k = 0; k < n; k++)
                Unsafe.Add(ref y, k) = epilogue.Apply<Scalar, float>(TOp.Invoke<Scalar, float>(Unsafe.Add(ref a, k), TOp.UsesRight ? Unsafe.Add(ref b, k) : 0f));
            return;
        }
        nint last = n - TOps.Count;
        TVec lastA = TOps.Load(ref Unsafe.Add(ref a, last));
        TVec lastB = TOp.UsesRight ? TOps.Load(ref Unsafe.Add(ref b, last)) : default;
        TVec lastY = epilogue.Apply<TOps, TVec>(TOp.Invoke<TOps, TVec>(lastA, lastB));
        nint i = 0;
        for (; i <= last - TOps.Count; i += 2 * TOps.Count)
        {
            TVec a0 = TOps.Load(ref Unsafe.Add(ref a, i)), a1 = TOps.Load(ref Unsafe.Add(ref a, i + TOps.Count));
            TVec b0 = TOp.UsesRight ? TOps.Load(ref Unsafe.Add(ref b, i)) : default;
            TVec b1 = TOp.UsesRight ? TOps.Load(ref Unsafe.Add(ref b, i + TOps.Count)) : default;
            TOps.Store(epilogue.Apply<TOps, TVec>(TOp.Invoke<TOps, TVec>(a0, b0)), ref Unsafe.Add(ref y, i));
            TOps.Store(epilogue.Apply<TOps, TVec>(TOp.Invoke<TOps, TVec>(a1, b1)), ref Unsafe.Add(ref y, i + TOps.Count));
        }
        if (i < last)
        {
            TVec a0 = TOps.Load(ref Unsafe.Add(ref a, i));
            TVec b0 = TOp.UsesRight ? TOps.Load(ref Unsafe.Add(ref b, i)) : default;
            TOps.Store(epilogue.Apply<TOps, TVec>(TOp.Invoke<TOps, TVec>(a0, b0)), ref Unsafe.Add(ref y, i));
        }
        TOps.Store(lastY, ref Unsafe.Add(ref y, last));
    }

    /// <summary>y[c, i] = activation(x[c, i] * scale[c] + shift[c]); y may be x.</summary>
    private static void Affine<TOps, TVec, TKind>(ref float x, ref float y, ref float scale, ref float shift, int channels, int spatial, float alpha)
        where TOps : IVectorOps<TVec> where TVec : struct where TKind : struct, IActivationKind
    {
        var epilogue = new Epilogue(TKind.Kind, alpha);
        if (spatial == 1)
        {
            // A vector of features (BatchNorm1d): scale and shift vary per element.
            AffineVector<TOps, TVec, TKind>(ref x, ref y, ref scale, ref shift, channels, alpha);
            return;
        }
        for (int c = 0; c < channels; c++)
        {
            ref float xc = ref Unsafe.Add(ref x, (nint)c * spatial);
            ref float yc = ref Unsafe.Add(ref y, (nint)c * spatial);
            float s = Unsafe.Add(ref scale, c), t = Unsafe.Add(ref shift, c);
            if (TOps.Count == 1 || spatial < TOps.Count)
            {
                for (int k = 0; k < spatial; k++)
                    Unsafe.Add(ref yc, k) = epilogue.Apply<Scalar, float>(Scalar.MultiplyAdd(Unsafe.Add(ref xc, k), s, t));
                continue;
            }
            TVec sv = TOps.Create(s), tv = TOps.Create(t);
            nint last = spatial - TOps.Count;
            TVec lastY = epilogue.Apply<TOps, TVec>(TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref xc, last)), sv, tv));
            for (nint i = 0; i < last; i += TOps.Count)
                TOps.Store(epilogue.Apply<TOps, TVec>(TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref xc, i)), sv, tv)), ref Unsafe.Add(ref yc, i));
            TOps.Store(lastY, ref Unsafe.Add(ref yc, last));
        }
    }

    /// <summary>y[i] = activation(x[i] * scale[i] + shift[i]) for i in [0, n); y may be x.</summary>
    private static void AffineVector<TOps, TVec, TKind>(ref float x, ref float y, ref float scale, ref float shift, int n, float alpha)
        where TOps : IVectorOps<TVec> where TVec : struct where TKind : struct, IActivationKind
    {
        var epilogue = new Epilogue(TKind.Kind, alpha);
        if (TOps.Count == 1 || n < TOps.Count)
        {
            for (int k = 0; k < n; k++)
                Unsafe.Add(ref y, k) = epilogue.Apply<Scalar, float>(Scalar.MultiplyAdd(Unsafe.Add(ref x, k), Unsafe.Add(ref scale, k), Unsafe.Add(ref shift, k)));
            return;
        }
        nint last = n - TOps.Count;
        TVec lastY = epilogue.Apply<TOps, TVec>(TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref x, last)),
            TOps.Load(ref Unsafe.Add(ref scale, last)), TOps.Load(ref Unsafe.Add(ref shift, last))));
        for (nint i = 0; i < last; i += TOps.Count)
            TOps.Store(epilogue.Apply<TOps, TVec>(TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref x, i)),
                TOps.Load(ref Unsafe.Add(ref scale, i)), TOps.Load(ref Unsafe.Add(ref shift, i)))), ref Unsafe.Add(ref y, i));
        TOps.Store(lastY, ref Unsafe.Add(ref y, last));
    }

    private static void CheckBinary(int a, int b, int y)
    {
        if (b != a) throw new ArgumentException($"b has {b} floats, a has {a}.", nameof(b));
        if (y != a) throw new ArgumentException($"y has {y} floats, a has {a}.", "y");
    }

    // ---- The operation before the activation ----

    private interface IBinaryOp
    {
        /// <summary>Whether the right operand is read at all (false: a unary map, b is never loaded).</summary>
        static abstract bool UsesRight { get; }
        static abstract TVec Invoke<TOps, TVec>(TVec left, TVec right) where TOps : IVectorOps<TVec> where TVec : struct;
    }

    private readonly struct Identity : IBinaryOp
    {
        public static bool UsesRight => false;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVec Invoke<TOps, TVec>(TVec left, TVec right) where TOps : IVectorOps<TVec> where TVec : struct => left;
    }

    private readonly struct Sum : IBinaryOp
    {
        public static bool UsesRight => true;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVec Invoke<TOps, TVec>(TVec left, TVec right) where TOps : IVectorOps<TVec> where TVec : struct => TOps.Add(left, right);
    }

    private readonly struct Product : IBinaryOp
    {
        public static bool UsesRight => true;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVec Invoke<TOps, TVec>(TVec left, TVec right) where TOps : IVectorOps<TVec> where TVec : struct => TOps.Multiply(left, right);
    }

    // ---- Activation kinds as types, so each loop is compiled for one ----

    private interface IActivationKind { static abstract ActivationKind Kind { get; } }
    private readonly struct KindNone : IActivationKind { public static ActivationKind Kind => ActivationKind.None; }
    private readonly struct KindReLU : IActivationKind { public static ActivationKind Kind => ActivationKind.ReLU; }
    private readonly struct KindReLU6 : IActivationKind { public static ActivationKind Kind => ActivationKind.ReLU6; }
    private readonly struct KindLeakyReLU : IActivationKind { public static ActivationKind Kind => ActivationKind.LeakyReLU; }
    private readonly struct KindSigmoid : IActivationKind { public static ActivationKind Kind => ActivationKind.Sigmoid; }
    private readonly struct KindTanh : IActivationKind { public static ActivationKind Kind => ActivationKind.Tanh; }
    private readonly struct KindSiLU : IActivationKind { public static ActivationKind Kind => ActivationKind.SiLU; }
    private readonly struct KindHardswish : IActivationKind { public static ActivationKind Kind => ActivationKind.Hardswish; }
    private readonly struct KindGELU : IActivationKind { public static ActivationKind Kind => ActivationKind.GELU; }
    private readonly struct KindGELUTanh : IActivationKind { public static ActivationKind Kind => ActivationKind.GELUTanh; }
}
