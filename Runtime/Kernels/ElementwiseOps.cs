using ConvGen.Runtime.Simd;

namespace ConvGen.Runtime.Kernels;

/// <summary>
/// Element-wise layers in either layout (<see cref="TensorLayout.Chw"/> or <see cref="TensorLayout.Blocked16"/>),
/// each compiled for one activation struct: an activation on its own, a per-channel affine (an unfolded BatchNorm), and
/// the channel copies of a concatenation; the element-wise map under them and under <see cref="Broadcast"/> (Add,
/// Subtract, Multiply).
/// </summary>
/// <remarks>
/// The outputs may be the same span as an input (in place). On a blocked tensor the padding lanes of the output are
/// zero: they are zero in the inputs, and are cleared again after an activation with f(0) != 0.
/// </remarks>
public static class ElementwiseOps
{
    /// <summary>y = act(x); <paramref name="y"/> may be <paramref name="x"/>.</summary>
    public static void Activate<TAct>(ReadOnlySpan<float> x, Span<float> y, TensorLayout layout, int channels, int positions, TAct activation)
        where TAct : struct, IActivation
        => Activate(0, x, y, layout, channels, positions, activation);

    /// <summary>
    /// y[c, p] = act(x[c, p] * scale[c] + shift[c]) (a BatchNorm that could not be folded); <paramref name="scale"/> and
    /// <paramref name="shift"/> have <paramref name="channels"/> values; <paramref name="y"/> may be <paramref name="x"/>.
    /// </summary>
    public static void ChannelAffine<TAct>(ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift,
        TensorLayout layout, int channels, int positions, TAct activation)
        where TAct : struct, IActivation
        => ChannelAffine(0, x, y, scale, shift, layout, channels, positions, activation);

    /// <summary>
    /// Copies <paramref name="part"/> (<paramref name="partChannels"/> x <paramref name="positions"/>, in
    /// <paramref name="layout"/>) into channels [channelOffset, channelOffset + partChannels) of
    /// <paramref name="output"/> (<paramref name="totalChannels"/> channels): one input of a channel concatenation.
    /// Blocked, a part starts on a block (<paramref name="channelOffset"/> a multiple of 16) and every part but the last
    /// has a multiple of 16 channels, so each part is whole blocks; a plan can also have the producers write there directly.
    /// </summary>
    public static void CopyChannels(ReadOnlySpan<float> part, Span<float> output, TensorLayout layout, int channelOffset, int partChannels,
        int totalChannels, int positions)
    {
        if (partChannels < 1 || channelOffset < 0 || channelOffset + partChannels > totalChannels || positions < 1)
            throw new ArgumentException($"Channels [{channelOffset}, {channelOffset + partChannels}) are not inside {totalChannels} channels (positions {positions}).");
        Conv2d.CheckLength(part.Length, Blocked16.Length(layout, partChannels, positions), nameof(part));
        Conv2d.CheckLength(output.Length, Blocked16.Length(layout, totalChannels, positions), nameof(output));
        if (layout == TensorLayout.Chw)
        {
            part.CopyTo(output.Slice(channelOffset * positions));
            return;
        }

        if (channelOffset % Blocked16.Lanes != 0 || (channelOffset + partChannels != totalChannels && partChannels % Blocked16.Lanes != 0))
            throw new ArgumentException(
                $"A blocked concatenation needs whole blocks: channels [{channelOffset}, {channelOffset + partChannels}) of {totalChannels} do not start on a block or leave a partial block before the next part.");
        part.CopyTo(output.Slice(channelOffset / Blocked16.Lanes * positions * Blocked16.Lanes));
    }

    internal static void Activate<TAct>(int lanes, ReadOnlySpan<float> x, Span<float> y, TensorLayout layout, int channels, int positions, TAct act)
        where TAct : struct, IActivation
    {
        int length = CheckTensor(x.Length, layout, channels, positions, "x");
        Conv2d.CheckLength(y.Length, length, nameof(y));
        var job = new MapJob<Identity, TAct>(x, x, y, act);
        WidthDispatch.Run(lanes, ref job);
        ClearPadding<TAct>(y, layout, channels, positions);
    }

    internal static void ChannelAffine<TAct>(int lanes, ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift,
        TensorLayout layout, int channels, int positions, TAct act)
        where TAct : struct, IActivation
    {
        int length = CheckTensor(x.Length, layout, channels, positions, "x");
        Conv2d.CheckLength(y.Length, length, nameof(y));
        Conv2d.CheckLength(scale.Length, channels, nameof(scale));
        Conv2d.CheckLength(shift.Length, channels, nameof(shift));
        var job = new AffineJob<TAct>(x, y, scale, shift, layout, channels, positions, act);
        WidthDispatch.Run(lanes, ref job);
        ClearPadding<TAct>(y, layout, channels, positions);
    }

    private static int CheckTensor(int length, TensorLayout layout, int channels, int positions, string name)
    {
        if (channels < 1) throw new ArgumentException($"channels must be >= 1, got {channels}.", nameof(channels));
        if (positions < 1) throw new ArgumentException($"positions must be >= 1, got {positions}.", nameof(positions));
        int expected = Blocked16.Length(layout, channels, positions);
        Conv2d.CheckLength(length, expected, name);
        return expected;
    }

    // Padding lanes back to zero after an activation with f(0) != 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ClearPadding<TAct>(Span<float> y, TensorLayout layout, int channels, int positions) where TAct : struct, IActivation
    {
        if (!TAct.PreservesZero && layout == TensorLayout.Blocked16) Blocked16.ClearPadding(y, channels, positions);
    }

    /// <summary>y[i] = act(x[i]) over whole spans (any layout); <paramref name="y"/> may be <paramref name="x"/>.</summary>
    internal static void Map<TOps, TVec, TAct>(ReadOnlySpan<float> x, Span<float> y, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TAct : struct, IActivation
        => Map<TOps, TVec, Identity, TAct>(x, x, y, act);

    /// <summary>The operation before the activation.</summary>
    internal interface IBinaryOperator
    {
        /// <summary>Whether the right operand is read (false: a unary map).</summary>
        static abstract bool UsesRight { get; }
        static abstract TVec Invoke<TOps, TVec>(TVec left, TVec right) where TOps : IVectorOps<TVec> where TVec : struct;
    }

    internal readonly struct Identity : IBinaryOperator
    {
        public static bool UsesRight => false;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVec Invoke<TOps, TVec>(TVec left, TVec right) where TOps : IVectorOps<TVec> where TVec : struct => left;
    }

    internal readonly struct Sum : IBinaryOperator
    {
        public static bool UsesRight => true;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVec Invoke<TOps, TVec>(TVec left, TVec right) where TOps : IVectorOps<TVec> where TVec : struct => TOps.Add(left, right);
    }

    internal readonly struct Difference : IBinaryOperator
    {
        public static bool UsesRight => true;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVec Invoke<TOps, TVec>(TVec left, TVec right) where TOps : IVectorOps<TVec> where TVec : struct => TOps.Subtract(left, right);
    }

    internal readonly struct Product : IBinaryOperator
    {
        public static bool UsesRight => true;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVec Invoke<TOps, TVec>(TVec left, TVec right) where TOps : IVectorOps<TVec> where TVec : struct => TOps.Multiply(left, right);
    }

    private readonly ref struct MapJob<TOp, TAct>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y, TAct act) : IWidthKernel
        where TOp : struct, IBinaryOperator where TAct : struct, IActivation
    {
        private readonly ReadOnlySpan<float> _a = a, _b = b;
        private readonly Span<float> _y = y;

        public void Run<TOps, TVec>() where TOps : IVectorOps<TVec> where TVec : struct => Map<TOps, TVec, TOp, TAct>(_a, _b, _y, act);
    }

    // y[i] = act(op(a[i], b[i])). The last vector is computed before the loop and stored after it, so it may overlap
    // the one before (same values) even in place; spans shorter than a vector go scalar.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Map<TOps, TVec, TOp, TAct>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TOp : struct, IBinaryOperator where TAct : struct, IActivation
    {
        int n = y.Length, lanes = TOps.Count;
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref MemoryMarshal.GetReference(b);
        ref float yr = ref MemoryMarshal.GetReference(y);
        if (n < lanes)
        {
            for (int i = 0; i < n; i++)
                Unsafe.Add(ref yr, i) = act.Apply<Scalar, float>(TOp.Invoke<Scalar, float>(Unsafe.Add(ref ar, i), TOp.UsesRight ? Unsafe.Add(ref br, i) : 0f));
            return;
        }

        nint last = n - lanes;
        TVec lastY = act.Apply<TOps, TVec>(TOp.Invoke<TOps, TVec>(TOps.Load(ref Unsafe.Add(ref ar, last)),
            TOp.UsesRight ? TOps.Load(ref Unsafe.Add(ref br, last)) : default));
        for (nint i = 0; i < last; i += lanes)
        {
            TVec left = TOps.Load(ref Unsafe.Add(ref ar, i));
            TVec right = TOp.UsesRight ? TOps.Load(ref Unsafe.Add(ref br, i)) : default;
            TOps.Store(act.Apply<TOps, TVec>(TOp.Invoke<TOps, TVec>(left, right)), ref Unsafe.Add(ref yr, i));
        }

        TOps.Store(lastY, ref Unsafe.Add(ref yr, last));
    }

    private readonly ref struct AffineJob<TAct>(ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift,
        TensorLayout layout, int channels, int positions, TAct act) : IWidthKernel
        where TAct : struct, IActivation
    {
        private readonly ReadOnlySpan<float> _x = x, _scale = scale, _shift = shift;
        private readonly Span<float> _y = y;

        public void Run<TOps, TVec>() where TOps : IVectorOps<TVec> where TVec : struct
        {
            if (layout == TensorLayout.Blocked16) AffineBlocked<TOps, TVec, TAct>(_x, _y, _scale, _shift, channels, positions, act);
            else AffineChw<TOps, TVec, TAct>(_x, _y, _scale, _shift, channels, positions, act);
        }
    }

    // CHW: one scale and shift per plane.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AffineChw<TOps, TVec, TAct>(ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift,
        int channels, int positions, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TAct : struct, IActivation
    {
        for (int c = 0; c < channels; c++)
        {
            ref float xc = ref Unsafe.Add(ref MemoryMarshal.GetReference(x), (nint)c * positions);
            ref float yc = ref Unsafe.Add(ref MemoryMarshal.GetReference(y), (nint)c * positions);
            float s = scale[c], t = shift[c];
            if (positions < TOps.Count)
            {
                for (int i = 0; i < positions; i++) Unsafe.Add(ref yc, i) = act.Apply<Scalar, float>(Scalar.MultiplyAdd(Unsafe.Add(ref xc, i), s, t));
                continue;
            }

            TVec sv = TOps.Create(s), tv = TOps.Create(t);
            nint last = positions - TOps.Count;
            TVec lastY = act.Apply<TOps, TVec>(TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref xc, last)), sv, tv));
            for (nint i = 0; i < last; i += TOps.Count)
                TOps.Store(act.Apply<TOps, TVec>(TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref xc, i)), sv, tv)), ref Unsafe.Add(ref yc, i));
            TOps.Store(lastY, ref Unsafe.Add(ref yc, last));
        }
    }

    // Blocked: one vector of 16 scales and shifts per block (zero in padding lanes).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AffineBlocked<TOps, TVec, TAct>(ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift,
        int channels, int positions, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TAct : struct, IActivation
    {
        Span<float> s16 = stackalloc float[Blocked16.Lanes], t16 = stackalloc float[Blocked16.Lanes];
        int blocks = Blocked16.Blocks(channels), lanes = TOps.Count;
        for (int b = 0; b < blocks; b++)
        {
            Blocked16.LoadBlock(scale, b, channels, s16);
            Blocked16.LoadBlock(shift, b, channels, t16);
            nint plane = (nint)b * positions * Blocked16.Lanes;
            for (int part = 0; part < Blocked16.Lanes; part += lanes)
            {
                TVec sv = TOps.Load(ref s16[part]), tv = TOps.Load(ref t16[part]);
                for (int p = 0; p < positions; p++)
                {
                    nint at = plane + (nint)p * Blocked16.Lanes + part;
                    TOps.Store(act.Apply<TOps, TVec>(TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref MemoryMarshal.GetReference(x), at)), sv, tv)),
                        ref Unsafe.Add(ref MemoryMarshal.GetReference(y), at));
                }
            }
        }
    }
}
