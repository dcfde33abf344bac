using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
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

public static partial class PlaneDepthwiseConv2d
{
    // ReadsInPlace at 512 bits: every output channel straight from its input plane, groups of up to StreamVectors
    // vectors per row.
    private static void RunInPlace<TAct>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packed, in Conv2dGeometry g, TAct act)
        where TAct : struct, IActivation
    {
        int multiplier = g.OutChannels / g.InChannels, vectors = g.OutWidth / Blocked16.Lanes;
        nint plane = (nint)g.OutHeight * g.OutWidth;
        ref float x = ref MemoryMarshal.GetReference(input);
        ref float y = ref MemoryMarshal.GetReference(output);
        ref float weights = ref MemoryMarshal.GetReference(packed);
        ref float bias = ref Unsafe.Add(ref weights, (nint)g.WeightLength);
        for (int oc = 0; oc < g.OutChannels; oc++)
        {
            ref float xc = ref Unsafe.Add(ref x, oc / multiplier * plane);
            ref float yc = ref Unsafe.Add(ref y, oc * plane);
            ref float wc = ref Unsafe.Add(ref weights, (nint)oc * 9);
            float b = Unsafe.Add(ref bias, oc);
            for (int v = 0; v < vectors; v += StreamVectors)
            {
                nint at = (nint)v * Blocked16.Lanes;
                bool first = v == 0, last = v + StreamVectors >= vectors;
                switch (Math.Min(StreamVectors, vectors - v))
                {
                    case 1: StreamInPlace<TAct, C1>(ref Unsafe.Add(ref xc, at), ref Unsafe.Add(ref yc, at), g.OutWidth, g.OutHeight, first, last, ref wc, b, act); break;
                    case 2: StreamInPlace<TAct, C2>(ref Unsafe.Add(ref xc, at), ref Unsafe.Add(ref yc, at), g.OutWidth, g.OutHeight, first, last, ref wc, b, act); break;
                    default: StreamInPlace<TAct, C3>(ref Unsafe.Add(ref xc, at), ref Unsafe.Add(ref yc, at), g.OutWidth, g.OutHeight, first, last, ref wc, b, act); break;
                }
            }
        }

        if (!TAct.InRegisters) ElementwiseOps.Map<Vec512, Vector512<float>, TAct>(output, output, act);
    }

    // Stream3x3 over rows read in place: per input row (and a zero row above and below the plane) the group's TV
    // aligned vectors plus its neighbours (zeros past the row's ends: `first`, `last`), the columns at -1 and +1 by
    // valignd; then the same feeding and order of multiply-adds as Stream3x3.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void StreamInPlace<TAct, TV>(ref float input, ref float output, nint width, int height, bool first, bool last,
        ref float weights, float bias, TAct act)
        where TAct : struct, IActivation where TV : struct, IConstant
    {
        int n = Unsafe.SizeOf<TV>();
        var w00 = Vector512.Create(weights); var w01 = Vector512.Create(Unsafe.Add(ref weights, 1)); var w02 = Vector512.Create(Unsafe.Add(ref weights, 2));
        var w10 = Vector512.Create(Unsafe.Add(ref weights, 3)); var w11 = Vector512.Create(Unsafe.Add(ref weights, 4)); var w12 = Vector512.Create(Unsafe.Add(ref weights, 5));
        var w20 = Vector512.Create(Unsafe.Add(ref weights, 6)); var w21 = Vector512.Create(Unsafe.Add(ref weights, 7)); var w22 = Vector512.Create(Unsafe.Add(ref weights, 8));
        var b = Vector512.Create(bias);
        Vector512<float> o0 = b, o1 = b, o2 = b, m0 = b, m1 = b, m2 = b;
        nint lanes = Blocked16.Lanes;
        for (int k = 0; k < height + 2; k++)
        {
            Vector512<float> before = default, c0 = default, c1 = default, c2 = default, after = default;
            if ((uint)(k - 1) < (uint)height)
            {
                ref float row = ref Unsafe.Add(ref input, (k - 1) * width);
                if (!first) before = Vector512.LoadUnsafe(ref Unsafe.Subtract(ref row, lanes));
                c0 = Vector512.LoadUnsafe(ref row);
                if (n > 1) c1 = Vector512.LoadUnsafe(ref Unsafe.Add(ref row, lanes));
                if (n > 2) c2 = Vector512.LoadUnsafe(ref Unsafe.Add(ref row, 2 * lanes));
                if (!last) after = Vector512.LoadUnsafe(ref Unsafe.Add(ref row, n * lanes));
            }

            Vector512<float> next0 = n > 1 ? c1 : after, next1 = n > 2 ? c2 : after;
            Vector512<float> y0 = FeedInPlace(Left(c0, before), c0, Right(next0, c0), w00, w01, w02, w10, w11, w12, w20, w21, w22, b, ref o0, ref m0);
            Vector512<float> y1 = n > 1 ? FeedInPlace(Left(c1, c0), c1, Right(next1, c1), w00, w01, w02, w10, w11, w12, w20, w21, w22, b, ref o1, ref m1) : default;
            Vector512<float> y2 = n > 2 ? FeedInPlace(Left(c2, c1), c2, Right(after, c2), w00, w01, w02, w10, w11, w12, w20, w21, w22, b, ref o2, ref m2) : default;
            if (k >= 2)
            {
                ref float done = ref Unsafe.Add(ref output, (k - 2) * width);
                Store<Vec512, Vector512<float>, TAct>(o0, ref done, act);
                if (n > 1) Store<Vec512, Vector512<float>, TAct>(o1, ref Unsafe.Add(ref done, lanes), act);
                if (n > 2) Store<Vec512, Vector512<float>, TAct>(o2, ref Unsafe.Add(ref done, 2 * lanes), act);
            }

            o0 = m0; m0 = y0;
            if (n > 1) { o1 = m1; m1 = y1; }
            if (n > 2) { o2 = m2; m2 = y2; }
        }
    }

    // Columns -1 ([previous 15, current 0..14]) and +1 ([current 1..15, next 0]) of a vector.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Left(Vector512<float> current, Vector512<float> previous) =>
        Avx512F.AlignRight32(current.AsUInt32(), previous.AsUInt32(), 15).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Right(Vector512<float> next, Vector512<float> current) =>
        Avx512F.AlignRight32(next.AsUInt32(), current.AsUInt32(), 1).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> FeedInPlace(Vector512<float> l, Vector512<float> m, Vector512<float> q,
        Vector512<float> w00, Vector512<float> w01, Vector512<float> w02, Vector512<float> w10, Vector512<float> w11, Vector512<float> w12,
        Vector512<float> w20, Vector512<float> w21, Vector512<float> w22, Vector512<float> bias, ref Vector512<float> oldest, ref Vector512<float> middle)
    {
        oldest = Vector512.FusedMultiplyAdd(q, w22, Vector512.FusedMultiplyAdd(m, w21, Vector512.FusedMultiplyAdd(l, w20, oldest)));
        middle = Vector512.FusedMultiplyAdd(q, w12, Vector512.FusedMultiplyAdd(m, w11, Vector512.FusedMultiplyAdd(l, w10, middle)));
        return Vector512.FusedMultiplyAdd(q, w02, Vector512.FusedMultiplyAdd(m, w01, Vector512.FusedMultiplyAdd(l, w00, bias)));
    }
}
