using System.Runtime.Intrinsics;
using ConvGen.Runtime.Simd;

namespace ConvGen.Runtime.Kernels;

/// <summary>
/// PyTorch <c>Linear</c> over the last dimension: <c>y[r, o] = epilogue(bias[o] + sum_i x[r, i] * W[o, i])</c> for
/// <c>rows</c> rows of <c>inFeatures</c> values, on weights packed once at load.
/// </summary>
/// <remarks>
/// The packed weights are W transposed, <c>[inFeatures][outStride]</c> with <c>outStride</c> = outFeatures rounded
/// up to <see cref="Gemm.MaxLanes"/> (zeros past outFeatures), so a vector of outputs reads one contiguous, always
/// in-bounds run per input feature. One row (the usual batch-1 case) is a GEMV vectorised along the outputs; more
/// rows are a GEMM with the input as A and the packed weights as B.
/// </remarks>
[SkipLocalsInit]
public static class Linear
{
    /// <summary>Floats of <see cref="PackWeights"/>'s result.</summary>
    public static int PackedLength(int inFeatures, int outFeatures)
    {
        CheckFeatures(inFeatures, outFeatures);
        return checked(inFeatures * OutStride(outFeatures));
    }

    /// <summary>Packs PyTorch weights <c>[outFeatures, inFeatures]</c> into <c>[inFeatures][outStride]</c> (see the remarks).</summary>
    public static float[] PackWeights(ReadOnlySpan<float> weights, int inFeatures, int outFeatures)
    {
        CheckFeatures(inFeatures, outFeatures);
        Conv2d.CheckLength(weights.Length, checked(inFeatures * outFeatures), nameof(weights));
        int stride = OutStride(outFeatures);
        var packed = new float[checked(inFeatures * stride)];
        for (int o = 0; o < outFeatures; o++)
        {
            ReadOnlySpan<float> row = weights.Slice(o * inFeatures, inFeatures);
            for (int i = 0; i < inFeatures; i++) packed[i * stride + o] = row[i];
        }

        return packed;
    }

    /// <summary>
    /// <c>rows</c> x <c>inFeatures</c> to <c>rows</c> x <c>outFeatures</c>. <paramref name="bias"/> is empty (no bias)
    /// or has outFeatures values. Input and output must not overlap.
    /// </summary>
    public static void Forward(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packedWeights,
        ReadOnlySpan<float> bias, int rows, int inFeatures, int outFeatures, Epilogue epilogue)
    {
        if (Vec512.IsHardwareAccelerated) Forward<Vec512, Vector512<float>>(input, output, packedWeights, bias, rows, inFeatures, outFeatures, epilogue);
        else if (Vec256.IsHardwareAccelerated) Forward<Vec256, Vector256<float>>(input, output, packedWeights, bias, rows, inFeatures, outFeatures, epilogue);
        else if (Vec128.IsHardwareAccelerated) Forward<Vec128, Vector128<float>>(input, output, packedWeights, bias, rows, inFeatures, outFeatures, epilogue);
        else Forward<Scalar, float>(input, output, packedWeights, bias, rows, inFeatures, outFeatures, epilogue);
    }

    /// <summary><see cref="Forward(ReadOnlySpan{float}, Span{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, Epilogue)"/> at one width.</summary>
    internal static void Forward<TOps, TVec>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packedWeights,
        ReadOnlySpan<float> bias, int rows, int inFeatures, int outFeatures, Epilogue epilogue)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        CheckFeatures(inFeatures, outFeatures);
        if (rows < 0) throw new ArgumentException($"rows must be >= 0, got {rows}.", nameof(rows));
        Conv2d.CheckLength(input.Length, checked(rows * inFeatures), nameof(input));
        Conv2d.CheckLength(output.Length, checked(rows * outFeatures), nameof(output));
        Conv2d.CheckLength(packedWeights.Length, PackedLength(inFeatures, outFeatures), nameof(packedWeights));
        Conv2d.CheckBias(bias.Length, outFeatures);
        if (rows == 0) return;

        int stride = OutStride(outFeatures);
        ref float x = ref MemoryMarshal.GetReference(input);
        ref float wt = ref MemoryMarshal.GetReference(packedWeights);
        ref float b = ref MemoryMarshal.GetReference(bias);
        ref float y = ref MemoryMarshal.GetReference(output);
        if (rows == 1)
        {
            Gemv<TOps, TVec>(ref x, ref wt, stride, inFeatures, outFeatures, ref b, !bias.IsEmpty, epilogue, ref y);
            return;
        }

        // A = input (row-major rows x in), B = packed weights (in x stride, every column up to stride readable).
        Gemm.Run<TOps, TVec>(ref x, (nint)Gemm.MR * inFeatures, inFeatures, 1, rows, inFeatures, ref wt, stride, outFeatures, stride,
            ref y, outFeatures, ref b, bias.IsEmpty ? GemmBias.None : GemmBias.PerColumn, epilogue);
    }

    private static int OutStride(int outFeatures) => checked((outFeatures + Gemm.MaxLanes - 1) / Gemm.MaxLanes * Gemm.MaxLanes);

    private static void CheckFeatures(int inFeatures, int outFeatures)
    {
        if (inFeatures < 1) throw new ArgumentException($"inFeatures must be >= 1, got {inFeatures}.", nameof(inFeatures));
        if (outFeatures < 1) throw new ArgumentException($"outFeatures must be >= 1, got {outFeatures}.", nameof(outFeatures));
    }

    // One row: blocks of eight output vectors (one chain each), then four (two interleaved partial sums over even and
    // odd inputs, eight chains), then single vectors (four interleaved partial sums). Reads never pass the padded
    // stride.
    private static void Gemv<TOps, TVec>(ref float x, ref float wt, nint stride, int inFeatures, int outFeatures,
        ref float bias, bool hasBias, Epilogue epilogue, ref float y)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        int lanes = TOps.Count;
        int vectors = (outFeatures + lanes - 1) / lanes;
        int v = 0;
        for (; v + 8 <= vectors; v += 8)
        {
            // Eight output vectors: one chain each, and each weight row read as one contiguous run.
            nint o = (nint)v * lanes;
            ref float w0 = ref Unsafe.Add(ref wt, o);
            TVec a0 = TOps.Zero, a1 = TOps.Zero, a2 = TOps.Zero, a3 = TOps.Zero, a4 = TOps.Zero, a5 = TOps.Zero, a6 = TOps.Zero, a7 = TOps.Zero;
            for (int i = 0; i < inFeatures; i++)
            {
                ref float wr = ref Unsafe.Add(ref w0, i * stride);
                TVec xi = TOps.Create(Unsafe.Add(ref x, i));
                a0 = TOps.MultiplyAdd(xi, TOps.Load(ref wr), a0);
                a1 = TOps.MultiplyAdd(xi, TOps.Load(ref Unsafe.Add(ref wr, lanes)), a1);
                a2 = TOps.MultiplyAdd(xi, TOps.Load(ref Unsafe.Add(ref wr, 2 * lanes)), a2);
                a3 = TOps.MultiplyAdd(xi, TOps.Load(ref Unsafe.Add(ref wr, 3 * lanes)), a3);
                a4 = TOps.MultiplyAdd(xi, TOps.Load(ref Unsafe.Add(ref wr, 4 * lanes)), a4);
                a5 = TOps.MultiplyAdd(xi, TOps.Load(ref Unsafe.Add(ref wr, 5 * lanes)), a5);
                a6 = TOps.MultiplyAdd(xi, TOps.Load(ref Unsafe.Add(ref wr, 6 * lanes)), a6);
                a7 = TOps.MultiplyAdd(xi, TOps.Load(ref Unsafe.Add(ref wr, 7 * lanes)), a7);
            }

            StoreOutputs<TOps, TVec>(a0, (int)o, outFeatures, ref bias, hasBias, ref y);
            StoreOutputs<TOps, TVec>(a1, (int)o + lanes, outFeatures, ref bias, hasBias, ref y);
            StoreOutputs<TOps, TVec>(a2, (int)o + 2 * lanes, outFeatures, ref bias, hasBias, ref y);
            StoreOutputs<TOps, TVec>(a3, (int)o + 3 * lanes, outFeatures, ref bias, hasBias, ref y);
            StoreOutputs<TOps, TVec>(a4, (int)o + 4 * lanes, outFeatures, ref bias, hasBias, ref y);
            StoreOutputs<TOps, TVec>(a5, (int)o + 5 * lanes, outFeatures, ref bias, hasBias, ref y);
            StoreOutputs<TOps, TVec>(a6, (int)o + 6 * lanes, outFeatures, ref bias, hasBias, ref y);
            StoreOutputs<TOps, TVec>(a7, (int)o + 7 * lanes, outFeatures, ref bias, hasBias, ref y);
        }

        for (; v + 4 <= vectors; v += 4)
        {
            nint o = (nint)v * lanes;
            ref float w0 = ref Unsafe.Add(ref wt, o);
            TVec a0 = TOps.Zero, a1 = TOps.Zero, a2 = TOps.Zero, a3 = TOps.Zero;
            TVec b0 = TOps.Zero, b1 = TOps.Zero, b2 = TOps.Zero, b3 = TOps.Zero;
            int i = 0;
            for (; i + 1 < inFeatures; i += 2)
            {
                ref float wa = ref Unsafe.Add(ref w0, i * stride);
                ref float wb = ref Unsafe.Add(ref wa, stride);
                TVec xa = TOps.Create(Unsafe.Add(ref x, i));
                TVec xb = TOps.Create(Unsafe.Add(ref x, i + 1));
                a0 = TOps.MultiplyAdd(xa, TOps.Load(ref wa), a0);
                a1 = TOps.MultiplyAdd(xa, TOps.Load(ref Unsafe.Add(ref wa, lanes)), a1);
                a2 = TOps.MultiplyAdd(xa, TOps.Load(ref Unsafe.Add(ref wa, 2 * lanes)), a2);
                a3 = TOps.MultiplyAdd(xa, TOps.Load(ref Unsafe.Add(ref wa, 3 * lanes)), a3);
                b0 = TOps.MultiplyAdd(xb, TOps.Load(ref wb), b0);
                b1 = TOps.MultiplyAdd(xb, TOps.Load(ref Unsafe.Add(ref wb, lanes)), b1);
                b2 = TOps.MultiplyAdd(xb, TOps.Load(ref Unsafe.Add(ref wb, 2 * lanes)), b2);
                b3 = TOps.MultiplyAdd(xb, TOps.Load(ref Unsafe.Add(ref wb, 3 * lanes)), b3);
            }

            if (i < inFeatures)
            {
                ref float wa = ref Unsafe.Add(ref w0, i * stride);
                TVec xa = TOps.Create(Unsafe.Add(ref x, i));
                a0 = TOps.MultiplyAdd(xa, TOps.Load(ref wa), a0);
                a1 = TOps.MultiplyAdd(xa, TOps.Load(ref Unsafe.Add(ref wa, lanes)), a1);
                a2 = TOps.MultiplyAdd(xa, TOps.Load(ref Unsafe.Add(ref wa, 2 * lanes)), a2);
                a3 = TOps.MultiplyAdd(xa, TOps.Load(ref Unsafe.Add(ref wa, 3 * lanes)), a3);
            }

            StoreOutputs<TOps, TVec>(TOps.Add(a0, b0), (int)o, outFeatures, ref bias, hasBias, ref y);
            StoreOutputs<TOps, TVec>(TOps.Add(a1, b1), (int)o + lanes, outFeatures, ref bias, hasBias, ref y);
            StoreOutputs<TOps, TVec>(TOps.Add(a2, b2), (int)o + 2 * lanes, outFeatures, ref bias, hasBias, ref y);
            StoreOutputs<TOps, TVec>(TOps.Add(a3, b3), (int)o + 3 * lanes, outFeatures, ref bias, hasBias, ref y);
        }

        for (; v < vectors; v++)
        {
            nint o = (nint)v * lanes;
            ref float w0 = ref Unsafe.Add(ref wt, o);
            TVec a0 = TOps.Zero, a1 = TOps.Zero, a2 = TOps.Zero, a3 = TOps.Zero;
            int i = 0;
            for (; i + 3 < inFeatures; i += 4)
            {
                ref float wa = ref Unsafe.Add(ref w0, i * stride);
                a0 = TOps.MultiplyAdd(TOps.Create(Unsafe.Add(ref x, i)), TOps.Load(ref wa), a0);
                a1 = TOps.MultiplyAdd(TOps.Create(Unsafe.Add(ref x, i + 1)), TOps.Load(ref Unsafe.Add(ref wa, stride)), a1);
                a2 = TOps.MultiplyAdd(TOps.Create(Unsafe.Add(ref x, i + 2)), TOps.Load(ref Unsafe.Add(ref wa, 2 * stride)), a2);
                a3 = TOps.MultiplyAdd(TOps.Create(Unsafe.Add(ref x, i + 3)), TOps.Load(ref Unsafe.Add(ref wa, 3 * stride)), a3);
            }

            for (; i < inFeatures; i++)
                a0 = TOps.MultiplyAdd(TOps.Create(Unsafe.Add(ref x, i)), TOps.Load(ref Unsafe.Add(ref w0, i * stride)), a0);

            StoreOutputs<TOps, TVec>(TOps.Add(TOps.Add(a0, a1), TOps.Add(a2, a3)), (int)o, outFeatures, ref bias, hasBias, ref y);
        }

        Gemm.ActivateInPlace<TOps, TVec>(ref y, outFeatures, epilogue);
    }

    // y[o .. o + lanes) = sum + bias, only the outputs below outFeatures; the activation runs afterwards over all of y.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreOutputs<TOps, TVec>(TVec sum, int o, int outFeatures, ref float bias, bool hasBias, ref float y)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        int lanes = TOps.Count;
        if (o + lanes <= outFeatures)
        {
            if (hasBias) sum = TOps.Add(sum, TOps.Load(ref Unsafe.Add(ref bias, o)));
            TOps.Store(sum, ref Unsafe.Add(ref y, o));
            return;
        }

        if (o < outFeatures) StorePartial<TOps, TVec>(sum, o, outFeatures, ref bias, hasBias, ref y);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void StorePartial<TOps, TVec>(TVec sum, int o, int outFeatures, ref float bias, bool hasBias, ref float y)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        Span<float> lanesOut = stackalloc float[Gemm.MaxLanes];
        TOps.Store(sum, ref MemoryMarshal.GetReference(lanesOut));
        for (int l = 0; o + l < outFeatures; l++)
            Unsafe.Add(ref y, o + l) = lanesOut[l] + (hasBias ? Unsafe.Add(ref bias, o + l) : 0f);
    }
}
