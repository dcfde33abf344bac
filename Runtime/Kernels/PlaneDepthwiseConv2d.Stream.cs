using ConvGen.Runtime.Simd;

namespace ConvGen.Runtime.Kernels;

public static partial class PlaneDepthwiseConv2d
{
    // The 3×3 tile at 512 bits (StreamVectors): up to three vectors of a row (TV), streamed down the padded plane. Each padded row is
    // loaded once (at columns +0, +1, +2) and feeds the three output rows it belongs to: the oldest (kernel row 2,
    // then stored), the middle one (kernel row 1) and a new one (kernel row 0, from the bias); the accumulators then
    // move up by one. Each output is the same chain of multiply-adds as Column4's, in the same order. The two rows
    // before the first store and the one past the last compute sums that are never stored.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Stream3x3<TOps, TVec, TAct, TV>(ref float plane, nint stride, ref float output, nint ow, int oh, nint xb, nint xc,
        ref float weights, float bias, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TAct : struct, IActivation where TV : struct, IConstant
    {
        TVec w00 = TOps.Create(weights), w01 = TOps.Create(Unsafe.Add(ref weights, 1)), w02 = TOps.Create(Unsafe.Add(ref weights, 2));
        TVec w10 = TOps.Create(Unsafe.Add(ref weights, 3)), w11 = TOps.Create(Unsafe.Add(ref weights, 4)), w12 = TOps.Create(Unsafe.Add(ref weights, 5));
        TVec w20 = TOps.Create(Unsafe.Add(ref weights, 6)), w21 = TOps.Create(Unsafe.Add(ref weights, 7)), w22 = TOps.Create(Unsafe.Add(ref weights, 8));
        TVec b = TOps.Create(bias);
        TVec o0 = b, o1 = b, o2 = b, m0 = b, m1 = b, m2 = b;
        for (int k = 0; k < oh + 2; k++)
        {
            ref float row = ref Unsafe.Add(ref plane, k * stride);
            TVec y0 = Feed<TOps, TVec>(ref row, w00, w01, w02, w10, w11, w12, w20, w21, w22, b, ref o0, ref m0);
            TVec y1 = Unsafe.SizeOf<TV>() > 1 ? Feed<TOps, TVec>(ref Unsafe.Add(ref row, xb), w00, w01, w02, w10, w11, w12, w20, w21, w22, b, ref o1, ref m1) : default;
            TVec y2 = Unsafe.SizeOf<TV>() > 2 ? Feed<TOps, TVec>(ref Unsafe.Add(ref row, xc), w00, w01, w02, w10, w11, w12, w20, w21, w22, b, ref o2, ref m2) : default;
            if (k >= 2)
            {
                ref float done = ref Unsafe.Add(ref output, (k - 2) * ow);
                Store<TOps, TVec, TAct>(o0, ref done, act);
                if (Unsafe.SizeOf<TV>() > 1) Store<TOps, TVec, TAct>(o1, ref Unsafe.Add(ref done, xb), act);
                if (Unsafe.SizeOf<TV>() > 2) Store<TOps, TVec, TAct>(o2, ref Unsafe.Add(ref done, xc), act);
            }

            o0 = m0; m0 = y0;
            if (Unsafe.SizeOf<TV>() > 1) { o1 = m1; m1 = y1; }
            if (Unsafe.SizeOf<TV>() > 2) { o2 = m2; m2 = y2; }
        }
    }

    // One padded row at one vector: its last kernel row into the oldest sum, its middle one into the middle sum, and
    // the first one into a new sum from the bias (returned).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Feed<TOps, TVec>(ref float r, TVec w00, TVec w01, TVec w02, TVec w10, TVec w11, TVec w12, TVec w20, TVec w21, TVec w22,
        TVec bias, ref TVec oldest, ref TVec middle)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        TVec l = TOps.Load(ref r), m = TOps.Load(ref Unsafe.Add(ref r, 1)), q = TOps.Load(ref Unsafe.Add(ref r, 2));
        oldest = TOps.MultiplyAdd(q, w22, TOps.MultiplyAdd(m, w21, TOps.MultiplyAdd(l, w20, oldest)));
        middle = TOps.MultiplyAdd(q, w12, TOps.MultiplyAdd(m, w11, TOps.MultiplyAdd(l, w10, middle)));
        return TOps.MultiplyAdd(q, w02, TOps.MultiplyAdd(m, w01, TOps.MultiplyAdd(l, w00, bias)));
    }
}
