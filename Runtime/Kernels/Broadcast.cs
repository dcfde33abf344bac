using ConvGen.Runtime.Simd;

namespace ConvGen.Runtime.Kernels;

/// <summary>
/// Add, Subtract and Multiply with PyTorch's broadcasting, each compiled for one activation struct applied to the
/// result: <c>Channelwise</c> for operands that are whole tensors, per-channel vectors or single values
/// (either layout: squeeze-excitation gates, layer scales, numbers), and <c>General</c> for any other
/// broadcast of CHW tensors by strides (0 along a broadcast dimension).
/// </summary>
/// <remarks>The output may be a <see cref="OperandForm.Full"/> operand's span (in place). Blocked outputs keep their padding lanes zero.</remarks>
public static class Broadcast
{
    /// <summary>y = act(a op b), each operand <see cref="OperandForm.Full"/>, <see cref="OperandForm.Channel"/> or <see cref="OperandForm.Single"/>.</summary>
    public static void Channelwise<TAct>(ReadOnlySpan<float> a, OperandForm aForm, ReadOnlySpan<float> b, OperandForm bForm, Span<float> y,
        BinaryOperation operation, TensorLayout layout, int channels, int positions, TAct activation)
        where TAct : struct, IActivation
        => Channelwise(0, a, aForm, b, bForm, y, operation, layout, channels, positions, activation);

    /// <summary>y = act(x op number), or act(number op x) with <paramref name="numberFirst"/> (<c>1 - t</c>).</summary>
    public static void WithNumber<TAct>(ReadOnlySpan<float> x, float number, bool numberFirst, Span<float> y, BinaryOperation operation,
        TensorLayout layout, int channels, int positions, TAct activation)
        where TAct : struct, IActivation
        => WithNumber(0, x, number, numberFirst, y, operation, layout, channels, positions, activation);

    /// <summary>
    /// y = act(a op b) over CHW tensors of output <paramref name="sizes"/>; each operand is read at its
    /// <paramref name="aStrides"/>/<paramref name="bStrides"/> (0 along the dimensions it broadcasts).
    /// </summary>
    public static void General<TAct>(ReadOnlySpan<float> a, in Dims4 aStrides, ReadOnlySpan<float> b, in Dims4 bStrides, Span<float> y, in Dims4 sizes,
        BinaryOperation operation, TAct activation)
        where TAct : struct, IActivation
        => General(0, a, aStrides, b, bStrides, y, sizes, operation, activation);

    internal static void WithNumber<TAct>(int lanes, ReadOnlySpan<float> x, float number, bool numberFirst, Span<float> y, BinaryOperation operation,
        TensorLayout layout, int channels, int positions, TAct activation)
        where TAct : struct, IActivation
    {
        Span<float> single = stackalloc float[1];
        single[0] = number;
        if (numberFirst) Channelwise(lanes, single, OperandForm.Single, x, OperandForm.Full, y, operation, layout, channels, positions, activation);
        else Channelwise(lanes, x, OperandForm.Full, single, OperandForm.Single, y, operation, layout, channels, positions, activation);
    }

    internal static void Channelwise<TAct>(int lanes, ReadOnlySpan<float> a, OperandForm aForm, ReadOnlySpan<float> b, OperandForm bForm, Span<float> y,
        BinaryOperation operation, TensorLayout layout, int channels, int positions, TAct activation)
        where TAct : struct, IActivation
    {
        if (channels < 1 || positions < 1) throw new ArgumentException($"channels {channels} and positions {positions} must be at least 1.");
        int length = Blocked16.Length(layout, channels, positions);
        Conv2d.CheckLength(y.Length, length, nameof(y));
        CheckOperand(a.Length, aForm, channels, length, nameof(a));
        CheckOperand(b.Length, bForm, channels, length, nameof(b));
        var job = new ChannelJob<TAct>(a, aForm, b, bForm, y, operation, layout, channels, positions, activation);
        WidthDispatch.Run(lanes, ref job);
        // A single value or an activation with f(0) != 0 would leave the padding lanes non-zero; two full operands
        // have zeros there, and 0 op 0 = 0.
        bool zeroPadding = aForm == OperandForm.Full && bForm == OperandForm.Full && TAct.PreservesZero;
        if (layout == TensorLayout.Blocked16 && !zeroPadding) Blocked16.ClearPadding(y, channels, positions);
    }

    internal static void General<TAct>(int lanes, ReadOnlySpan<float> a, in Dims4 aStrides, ReadOnlySpan<float> b, in Dims4 bStrides, Span<float> y,
        in Dims4 sizes, BinaryOperation operation, TAct activation)
        where TAct : struct, IActivation
    {
        if (sizes.D0 < 1 || sizes.D1 < 1 || sizes.D2 < 1 || sizes.D3 < 1) throw new ArgumentException($"sizes {sizes} must be at least 1.", nameof(sizes));
        Conv2d.CheckLength(y.Length, sizes.D0 * sizes.D1 * sizes.D2 * sizes.D3, nameof(y));
        CheckReach(a.Length, aStrides, sizes, nameof(a));
        CheckReach(b.Length, bStrides, sizes, nameof(b));
        var job = new GeneralJob<TAct>(a, aStrides, b, bStrides, y, sizes, operation, activation);
        WidthDispatch.Run(lanes, ref job);
    }

    // A per-channel operand is its first `channels` floats in either layout (CHW, or blocked with one position).
    private static void CheckOperand(int length, OperandForm form, int channels, int full, string name)
    {
        bool ok = form switch { OperandForm.Full => length == full, OperandForm.Channel => length >= channels, _ => length >= 1 };
        if (!ok) throw new ArgumentException($"{name}: {length} floats do not hold a {form} operand of {channels} channels ({full} floats in the output).", name);
    }

    /// <summary>Throws unless reading <paramref name="sizes"/> at strides <paramref name="s"/> (each >= 0) stays inside <paramref name="length"/> floats.</summary>
    internal static void CheckReach(int length, in Dims4 s, in Dims4 sizes, string name)
    {
        long last = (long)(sizes.D0 - 1) * s.D0 + (long)(sizes.D1 - 1) * s.D1 + (long)(sizes.D2 - 1) * s.D2 + (long)(sizes.D3 - 1) * s.D3;
        if (s.D0 < 0 || s.D1 < 0 || s.D2 < 0 || s.D3 < 0 || last >= length)
            throw new ArgumentException($"{name}: strides {s} over sizes {sizes} reach element {last}, past its {length} floats.", name);
    }

    /// <summary>
    /// y[i] = act(a[i·aStep] op b[i·bStep]) for i &lt; n, each step 0 (one value broadcast) or 1; the last vector is
    /// computed first and stored last, so it may overlap the one before even in place.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row<TOps, TVec, TOp, TAct>(ref float a, int aStep, ref float b, int bStep, ref float y, int n, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TOp : struct, ElementwiseOps.IBinaryOperator where TAct : struct, IActivation
    {
        int lanes = TOps.Count;
        if (n < lanes)
        {
            for (int i = 0; i < n; i++)
                Unsafe.Add(ref y, i) = act.Apply<Scalar, float>(TOp.Invoke<Scalar, float>(Unsafe.Add(ref a, i * aStep), Unsafe.Add(ref b, i * bStep)));
            return;
        }
        TVec av = TOps.Create(a), bv = TOps.Create(b);
        nint last = n - lanes;
        TVec lastY = act.Apply<TOps, TVec>(TOp.Invoke<TOps, TVec>(Read<TOps, TVec>(ref a, aStep, av, last), Read<TOps, TVec>(ref b, bStep, bv, last)));
        for (nint i = 0; i < last; i += lanes)
            TOps.Store(act.Apply<TOps, TVec>(TOp.Invoke<TOps, TVec>(Read<TOps, TVec>(ref a, aStep, av, i), Read<TOps, TVec>(ref b, bStep, bv, i))), ref Unsafe.Add(ref y, i));
        TOps.Store(lastY, ref Unsafe.Add(ref y, last));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Read<TOps, TVec>(ref float r, int step, TVec broadcast, nint i) where TOps : IVectorOps<TVec> where TVec : struct
        => step == 0 ? broadcast : TOps.Load(ref Unsafe.Add(ref r, i));

    private readonly ref struct ChannelJob<TAct>(ReadOnlySpan<float> a, OperandForm aForm, ReadOnlySpan<float> b, OperandForm bForm, Span<float> y,
        BinaryOperation operation, TensorLayout layout, int channels, int positions, TAct act) : IWidthKernel
        where TAct : struct, IActivation
    {
        private readonly ReadOnlySpan<float> _a = a, _b = b;
        private readonly Span<float> _y = y;

        public void Run<TOps, TVec>() where TOps : IVectorOps<TVec> where TVec : struct
        {
            switch (operation)
            {
                case BinaryOperation.Add: Channelwise<TOps, TVec, ElementwiseOps.Sum, TAct>(_a, aForm, _b, bForm, _y, layout, channels, positions, act); break;
                case BinaryOperation.Subtract: Channelwise<TOps, TVec, ElementwiseOps.Difference, TAct>(_a, aForm, _b, bForm, _y, layout, channels, positions, act); break;
                default: Channelwise<TOps, TVec, ElementwiseOps.Product, TAct>(_a, aForm, _b, bForm, _y, layout, channels, positions, act); break;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Channelwise<TOps, TVec, TOp, TAct>(ReadOnlySpan<float> a, OperandForm aForm, ReadOnlySpan<float> b, OperandForm bForm, Span<float> y,
        TensorLayout layout, int channels, int positions, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TOp : struct, ElementwiseOps.IBinaryOperator where TAct : struct, IActivation
    {
        if (aForm == OperandForm.Full && bForm == OperandForm.Full)
        {
            // Same shape and layout: one pass over the whole tensor, padding lanes included.
            ElementwiseOps.Map<TOps, TVec, TOp, TAct>(a, b, y, act);
            return;
        }

        ref float ar = ref MemoryMarshal.GetReference(a), br = ref MemoryMarshal.GetReference(b), yr = ref MemoryMarshal.GetReference(y);
        if (layout == TensorLayout.Chw)
        {
            // One row of positions per channel; a per-channel or single operand is one value broadcast along it.
            for (int c = 0; c < channels; c++)
            {
                nint plane = (nint)c * positions;
                Row<TOps, TVec, TOp, TAct>(ref Unsafe.Add(ref ar, Offset(aForm, c, plane)), aForm == OperandForm.Full ? 1 : 0,
                    ref Unsafe.Add(ref br, Offset(bForm, c, plane)), bForm == OperandForm.Full ? 1 : 0, ref Unsafe.Add(ref yr, plane), positions, act);
            }
            return;
        }

        // Blocked: 16 channels per position; a per-channel operand is a vector of the block's 16 values (zeros past the
        // channels), a single value one broadcast vector.
        Span<float> a16 = stackalloc float[Blocked16.Lanes], b16 = stackalloc float[Blocked16.Lanes];
        int blocks = Blocked16.Blocks(channels), lanes = TOps.Count;
        for (int k = 0; k < blocks; k++)
        {
            Lanes(a, aForm, k, channels, a16);
            Lanes(b, bForm, k, channels, b16);
            nint plane = (nint)k * positions * Blocked16.Lanes;
            for (int part = 0; part < Blocked16.Lanes; part += lanes)
            {
                TVec av = TOps.Load(ref a16[part]), bv = TOps.Load(ref b16[part]);
                for (int p = 0; p < positions; p++)
                {
                    nint at = plane + (nint)p * Blocked16.Lanes + part;
                    TVec left = aForm == OperandForm.Full ? TOps.Load(ref Unsafe.Add(ref ar, at)) : av;
                    TVec right = bForm == OperandForm.Full ? TOps.Load(ref Unsafe.Add(ref br, at)) : bv;
                    TOps.Store(act.Apply<TOps, TVec>(TOp.Invoke<TOps, TVec>(left, right)), ref Unsafe.Add(ref yr, at));
                }
            }
        }
    }

    private static nint Offset(OperandForm form, int channel, nint plane) => form switch { OperandForm.Full => plane, OperandForm.Channel => channel, _ => 0 };

    /// <summary>The 16 values block <paramref name="block"/> reads of a per-channel or single operand (zeros past the channels).</summary>
    private static void Lanes(ReadOnlySpan<float> x, OperandForm form, int block, int channels, Span<float> lanes16)
    {
        if (form == OperandForm.Single) { lanes16.Fill(x[0]); return; }
        if (form == OperandForm.Channel) Blocked16.LoadBlock(x, block, channels, lanes16);
        else lanes16.Clear();
    }

    private readonly ref struct GeneralJob<TAct>(ReadOnlySpan<float> a, Dims4 aStrides, ReadOnlySpan<float> b, Dims4 bStrides, Span<float> y, Dims4 sizes,
        BinaryOperation operation, TAct act) : IWidthKernel
        where TAct : struct, IActivation
    {
        private readonly ReadOnlySpan<float> _a = a, _b = b;
        private readonly Span<float> _y = y;

        public void Run<TOps, TVec>() where TOps : IVectorOps<TVec> where TVec : struct
        {
            switch (operation)
            {
                case BinaryOperation.Add: General<TOps, TVec, ElementwiseOps.Sum, TAct>(_a, aStrides, _b, bStrides, _y, sizes, act); break;
                case BinaryOperation.Subtract: General<TOps, TVec, ElementwiseOps.Difference, TAct>(_a, aStrides, _b, bStrides, _y, sizes, act); break;
                default: General<TOps, TVec, ElementwiseOps.Product, TAct>(_a, aStrides, _b, bStrides, _y, sizes, act); break;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void General<TOps, TVec, TOp, TAct>(ReadOnlySpan<float> a, Dims4 s, ReadOnlySpan<float> b, Dims4 t, Span<float> y, Dims4 n, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TOp : struct, ElementwiseOps.IBinaryOperator where TAct : struct, IActivation
    {
        ref float ar = ref MemoryMarshal.GetReference(a), br = ref MemoryMarshal.GetReference(b), yr = ref MemoryMarshal.GetReference(y);
        bool rows = s.D3 <= 1 && t.D3 <= 1;
        nint o = 0;
        for (int i0 = 0; i0 < n.D0; i0++)
            for (int i1 = 0; i1 < n.D1; i1++)
                for (int i2 = 0; i2 < n.D2; i2++, o += n.D3)
                {
                    nint ai = (nint)i0 * s.D0 + (nint)i1 * s.D1 + (nint)i2 * s.D2, bi = (nint)i0 * t.D0 + (nint)i1 * t.D1 + (nint)i2 * t.D2;
                    if (rows)
                    {
                        Row<TOps, TVec, TOp, TAct>(ref Unsafe.Add(ref ar, ai), s.D3, ref Unsafe.Add(ref br, bi), t.D3, ref Unsafe.Add(ref yr, o), n.D3, act);
                        continue;
                    }
                    for (int i3 = 0; i3 < n.D3; i3++)
                        Unsafe.Add(ref yr, o + i3) = act.Apply<Scalar, float>(TOp.Invoke<Scalar, float>(Unsafe.Add(ref ar, ai + (nint)i3 * s.D3), Unsafe.Add(ref br, bi + (nint)i3 * t.D3)));
                }
    }
}
