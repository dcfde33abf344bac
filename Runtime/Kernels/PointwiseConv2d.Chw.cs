using System.Runtime.Intrinsics;
using ConvGen.Runtime.Simd;

namespace ConvGen.Runtime.Kernels;

public static partial class PointwiseConv2d
{
    /// <summary>
    /// The short-reduction CHW form at 512 bits (<see cref="HoldsWeightsInRegisters"/>): per output block its weight
    /// vectors (one per input channel) and bias stay in registers for the whole map; a tile of 16 positions is 16
    /// accumulators, per input channel 16 multiply-adds each with one broadcast at a constant displacement from that
    /// channel's plane, then the epilogue (bias, residual, activation, padding-lane mask) as the tile stores. The
    /// positions past the last whole tile go one at a time. Spans checked by the caller.
    /// </summary>
    private static void RunChwShortReduction<TAct>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packed,
        ReadOnlySpan<float> residual, in Conv2dGeometry g, TAct act)
        where TAct : struct, IActivation
    {
        switch (g.InChannels)
        {
            case 1: ChwShortReduction<C1, TAct>(input, output, packed, residual, g, act); break;
            case 2: ChwShortReduction<C2, TAct>(input, output, packed, residual, g, act); break;
            case 3: ChwShortReduction<C3, TAct>(input, output, packed, residual, g, act); break;
            case 4: ChwShortReduction<C4, TAct>(input, output, packed, residual, g, act); break;
            case 5: ChwShortReduction<C5, TAct>(input, output, packed, residual, g, act); break;
            case 6: ChwShortReduction<C6, TAct>(input, output, packed, residual, g, act); break;
            case 7: ChwShortReduction<C7, TAct>(input, output, packed, residual, g, act); break;
            case 8: ChwShortReduction<C8, TAct>(input, output, packed, residual, g, act); break;
            default: throw new ArgumentException($"The short-reduction form takes 1..{MostShortReductionChannels} input channels, got {g.InChannels}.", nameof(g));
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ChwShortReduction<TK, TAct>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packed,
        ReadOnlySpan<float> residual, in Conv2dGeometry g, TAct act)
        where TK : struct, IConstant where TAct : struct, IActivation
    {
        int k = Unsafe.SizeOf<TK>(), positions = g.OutHeight * g.OutWidth, blocks = Blocked16.Blocks(g.OutChannels);
        int lastLanes = g.OutChannels - (blocks - 1) * Blocked16.Lanes;
        nint plane = positions;
        bool hasResidual = !residual.IsEmpty;
        ref float x = ref MemoryMarshal.GetReference(input);
        ref float w = ref MemoryMarshal.GetReference(packed);
        ref float bias = ref Unsafe.Add(ref w, (nint)blocks * k * Blocked16.Lanes);
        ref float yr = ref MemoryMarshal.GetReference(output);
        ref float rr = ref MemoryMarshal.GetReference(residual);
        Vector512<float> lastMask = Vec512.Load(ref Blocked16.LaneMask(lastLanes));
        int whole = positions / Blocked16.Lanes * Blocked16.Lanes;
        for (int b = 0; b < blocks; b++)
        {
            ref float wb = ref Unsafe.Add(ref w, (nint)b * k * Blocked16.Lanes);
            var w0 = Vec512.Load(ref wb);
            var w1 = k > 1 ? Vec512.Load(ref Unsafe.Add(ref wb, 1 * Blocked16.Lanes)) : default;
            var w2 = k > 2 ? Vec512.Load(ref Unsafe.Add(ref wb, 2 * Blocked16.Lanes)) : default;
            var w3 = k > 3 ? Vec512.Load(ref Unsafe.Add(ref wb, 3 * Blocked16.Lanes)) : default;
            var w4 = k > 4 ? Vec512.Load(ref Unsafe.Add(ref wb, 4 * Blocked16.Lanes)) : default;
            var w5 = k > 5 ? Vec512.Load(ref Unsafe.Add(ref wb, 5 * Blocked16.Lanes)) : default;
            var w6 = k > 6 ? Vec512.Load(ref Unsafe.Add(ref wb, 6 * Blocked16.Lanes)) : default;
            var w7 = k > 7 ? Vec512.Load(ref Unsafe.Add(ref wb, 7 * Blocked16.Lanes)) : default;
            var bv = Vec512.Load(ref Unsafe.Add(ref bias, (nint)b * Blocked16.Lanes));
            bool masked = !TAct.PreservesZero && b == blocks - 1 && lastLanes < Blocked16.Lanes;
            nint blockOffset = (nint)b * positions * Blocked16.Lanes;
            ref float yb = ref Unsafe.Add(ref yr, blockOffset);
            ref float rb = ref hasResidual ? ref Unsafe.Add(ref rr, blockOffset) : ref yb;
            for (int p0 = 0; p0 < whole; p0 += Blocked16.Lanes)
            {
                ref float x0 = ref Unsafe.Add(ref x, p0);
                var a0 = bv; var a1 = bv; var a2 = bv; var a3 = bv; var a4 = bv; var a5 = bv; var a6 = bv; var a7 = bv;
                var a8 = bv; var a9 = bv; var aA = bv; var aB = bv; var aC = bv; var aD = bv; var aE = bv; var aF = bv;
                Step(w0, ref x0, ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7, ref a8, ref a9, ref aA, ref aB, ref aC, ref aD, ref aE, ref aF);
                if (k > 1) Step(w1, ref Unsafe.Add(ref x0, 1 * plane), ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7, ref a8, ref a9, ref aA, ref aB, ref aC, ref aD, ref aE, ref aF);
                if (k > 2) Step(w2, ref Unsafe.Add(ref x0, 2 * plane), ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7, ref a8, ref a9, ref aA, ref aB, ref aC, ref aD, ref aE, ref aF);
                if (k > 3) Step(w3, ref Unsafe.Add(ref x0, 3 * plane), ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7, ref a8, ref a9, ref aA, ref aB, ref aC, ref aD, ref aE, ref aF);
                if (k > 4) Step(w4, ref Unsafe.Add(ref x0, 4 * plane), ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7, ref a8, ref a9, ref aA, ref aB, ref aC, ref aD, ref aE, ref aF);
                if (k > 5) Step(w5, ref Unsafe.Add(ref x0, 5 * plane), ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7, ref a8, ref a9, ref aA, ref aB, ref aC, ref aD, ref aE, ref aF);
                if (k > 6) Step(w6, ref Unsafe.Add(ref x0, 6 * plane), ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7, ref a8, ref a9, ref aA, ref aB, ref aC, ref aD, ref aE, ref aF);
                if (k > 7) Step(w7, ref Unsafe.Add(ref x0, 7 * plane), ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7, ref a8, ref a9, ref aA, ref aB, ref aC, ref aD, ref aE, ref aF);
                ref float y0 = ref Unsafe.Add(ref yb, (nint)p0 * Blocked16.Lanes);
                ref float r0 = ref Unsafe.Add(ref rb, (nint)p0 * Blocked16.Lanes);
                Finish(act, a0, ref y0, ref r0, 0, hasResidual, masked, lastMask);
                Finish(act, a1, ref y0, ref r0, 1, hasResidual, masked, lastMask);
                Finish(act, a2, ref y0, ref r0, 2, hasResidual, masked, lastMask);
                Finish(act, a3, ref y0, ref r0, 3, hasResidual, masked, lastMask);
                Finish(act, a4, ref y0, ref r0, 4, hasResidual, masked, lastMask);
                Finish(act, a5, ref y0, ref r0, 5, hasResidual, masked, lastMask);
                Finish(act, a6, ref y0, ref r0, 6, hasResidual, masked, lastMask);
                Finish(act, a7, ref y0, ref r0, 7, hasResidual, masked, lastMask);
                Finish(act, a8, ref y0, ref r0, 8, hasResidual, masked, lastMask);
                Finish(act, a9, ref y0, ref r0, 9, hasResidual, masked, lastMask);
                Finish(act, aA, ref y0, ref r0, 10, hasResidual, masked, lastMask);
                Finish(act, aB, ref y0, ref r0, 11, hasResidual, masked, lastMask);
                Finish(act, aC, ref y0, ref r0, 12, hasResidual, masked, lastMask);
                Finish(act, aD, ref y0, ref r0, 13, hasResidual, masked, lastMask);
                Finish(act, aE, ref y0, ref r0, 14, hasResidual, masked, lastMask);
                Finish(act, aF, ref y0, ref r0, 15, hasResidual, masked, lastMask);
            }

            for (int p = whole; p < positions; p++)
            {
                ref float xp = ref Unsafe.Add(ref x, p);
                var a = Vec512.MultiplyAdd(w0, Vec512.Create(xp), bv);
                if (k > 1) a = Vec512.MultiplyAdd(w1, Vec512.Create(Unsafe.Add(ref xp, 1 * plane)), a);
                if (k > 2) a = Vec512.MultiplyAdd(w2, Vec512.Create(Unsafe.Add(ref xp, 2 * plane)), a);
                if (k > 3) a = Vec512.MultiplyAdd(w3, Vec512.Create(Unsafe.Add(ref xp, 3 * plane)), a);
                if (k > 4) a = Vec512.MultiplyAdd(w4, Vec512.Create(Unsafe.Add(ref xp, 4 * plane)), a);
                if (k > 5) a = Vec512.MultiplyAdd(w5, Vec512.Create(Unsafe.Add(ref xp, 5 * plane)), a);
                if (k > 6) a = Vec512.MultiplyAdd(w6, Vec512.Create(Unsafe.Add(ref xp, 6 * plane)), a);
                if (k > 7) a = Vec512.MultiplyAdd(w7, Vec512.Create(Unsafe.Add(ref xp, 7 * plane)), a);
                Finish(act, a, ref Unsafe.Add(ref yb, (nint)p * Blocked16.Lanes), ref Unsafe.Add(ref rb, (nint)p * Blocked16.Lanes), 0, hasResidual, masked, lastMask);
            }
        }
    }

    // One input channel's multiply-adds into the 16 positions of a tile: broadcasts at constant displacements.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step(Vector512<float> wk, ref float xk,
        ref Vector512<float> a0, ref Vector512<float> a1, ref Vector512<float> a2, ref Vector512<float> a3,
        ref Vector512<float> a4, ref Vector512<float> a5, ref Vector512<float> a6, ref Vector512<float> a7,
        ref Vector512<float> a8, ref Vector512<float> a9, ref Vector512<float> aA, ref Vector512<float> aB,
        ref Vector512<float> aC, ref Vector512<float> aD, ref Vector512<float> aE, ref Vector512<float> aF)
    {
        a0 = Vec512.MultiplyAdd(wk, Vec512.Create(xk), a0);
        a1 = Vec512.MultiplyAdd(wk, Vec512.Create(Unsafe.Add(ref xk, 1)), a1);
        a2 = Vec512.MultiplyAdd(wk, Vec512.Create(Unsafe.Add(ref xk, 2)), a2);
        a3 = Vec512.MultiplyAdd(wk, Vec512.Create(Unsafe.Add(ref xk, 3)), a3);
        a4 = Vec512.MultiplyAdd(wk, Vec512.Create(Unsafe.Add(ref xk, 4)), a4);
        a5 = Vec512.MultiplyAdd(wk, Vec512.Create(Unsafe.Add(ref xk, 5)), a5);
        a6 = Vec512.MultiplyAdd(wk, Vec512.Create(Unsafe.Add(ref xk, 6)), a6);
        a7 = Vec512.MultiplyAdd(wk, Vec512.Create(Unsafe.Add(ref xk, 7)), a7);
        a8 = Vec512.MultiplyAdd(wk, Vec512.Create(Unsafe.Add(ref xk, 8)), a8);
        a9 = Vec512.MultiplyAdd(wk, Vec512.Create(Unsafe.Add(ref xk, 9)), a9);
        aA = Vec512.MultiplyAdd(wk, Vec512.Create(Unsafe.Add(ref xk, 10)), aA);
        aB = Vec512.MultiplyAdd(wk, Vec512.Create(Unsafe.Add(ref xk, 11)), aB);
        aC = Vec512.MultiplyAdd(wk, Vec512.Create(Unsafe.Add(ref xk, 12)), aC);
        aD = Vec512.MultiplyAdd(wk, Vec512.Create(Unsafe.Add(ref xk, 13)), aD);
        aE = Vec512.MultiplyAdd(wk, Vec512.Create(Unsafe.Add(ref xk, 14)), aE);
        aF = Vec512.MultiplyAdd(wk, Vec512.Create(Unsafe.Add(ref xk, 15)), aF);
    }

    // Position p of a tile: residual, activation, padding-lane mask, store.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish<TAct>(TAct act, Vector512<float> value, ref float y0, ref float r0, int p, bool hasResidual, bool masked, Vector512<float> mask)
        where TAct : struct, IActivation
    {
        ref float y = ref Unsafe.Add(ref y0, p * Blocked16.Lanes);
        if (hasResidual) value = Vec512.Add(value, Vec512.Load(ref Unsafe.Add(ref r0, p * Blocked16.Lanes)));
        value = act.Apply<Vec512, Vector512<float>>(value);
        if (!TAct.PreservesZero && masked) value = Vec512.Multiply(value, mask);
        Vec512.Store(value, ref y);
    }
}
