using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using ConvGen.Runtime.Simd;

namespace ConvGen.Runtime.Kernels;

public static partial class Conv2d
{
    // Vectors along an output row in one register tile (the VWW stem's 48-column rows in one tile).
    private const int ColumnVectors = ConvWorkspace.GatherTileVectors;

    // The lanes of a 512-bit vector.
    private const int Lanes16 = 16;

    /// <summary>
    /// The shifted algorithm's 512-bit form for column stride 2 (<see cref="ConvWorkspace.GathersStrideTwoColumns(in Conv2dGeometry)"/>), reading the
    /// input in place: no phase copy, no workspace. For 16 output columns x0..x0+15, tap column kw reads input columns
    /// 2x + kw*DW - PadLeft: two loads of the input row (at that column for x0 and 15 columns further on) and one
    /// two-source permute give the 16 even-spaced values, lanes outside the row zeroed by a mask (the padding; only
    /// in the vectors that have such lanes). A
    /// register tile of <see cref="Gemm.MR"/> output channels (one panel of the packed GEMM weights, so the same
    /// packing) × up to three such vectors of one output row accumulates, per input channel, kernel row and tap
    /// column, each gathered vector times 8 broadcast weights: each permute feeds 8 multiply-adds, each broadcast 3.
    /// Output rows whose input rows are all inside the input run in one call. Kernel rows outside the input are skipped; the first and last rows of the input, whose loads would leave it,
    /// are read from a zero-padded copy of the tile's columns. A row narrower than the tile has its last vector
    /// shifted back to end at the row's end (a few columns computed twice, stored the same).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void StrideTwoColumns(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packedWeights,
        ReadOnlySpan<float> bias, in Conv2dGeometry g, Epilogue epilogue)
    {
        switch (epilogue.Activation)
        {
            case ActivationKind.ReLU: StrideTwoColumns<ReLU>(input, output, packedWeights, bias, g); break;
            case ActivationKind.ReLU6: StrideTwoColumns<ReLU6>(input, output, packedWeights, bias, g); break;
            default:
                // Any other activation runs over the stored sums.
                StrideTwoColumns<Identity>(input, output, packedWeights, bias, g);
                Gemm.ActivateInPlace<Vec512, Vector512<float>>(ref MemoryMarshal.GetReference(output), output.Length, epilogue);
                break;
        }
    }

    private static unsafe void StrideTwoColumns<TAct>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packedWeights,
        ReadOnlySpan<float> bias, in Conv2dGeometry g)
        where TAct : struct, IActivation
    {
        int m = g.OutChannelsPerGroup, k = g.ReductionLength, channels = g.InChannelsPerGroup;
        int h = g.InHeight, w = g.InWidth, oh = g.OutHeight, ow = g.OutWidth, kh = g.KernelHeight, kw = g.KernelWidth;
        int groupWeights = Gemm.PackedLength(m, k), panels = (m + Gemm.MR - 1) / Gemm.MR;
        nint inPlane = (nint)h * w, outPlane = (nint)oh * ow, inputLength = input.Length;
        // Per vector of the tile and tap column: the input column of lane 0 relative to the row, and the lane mask
        // (all bits of the lanes whose column is inside the row).
        int* offsets = stackalloc int[ColumnVectors * MaxGatherWidth];
        int* masks = stackalloc int[ColumnVectors * MaxGatherWidth * Lanes16];
        // Per input row the tile reads for one output row: its first column and the offset of its weights.
        int rowCount = checked(channels * kh);
        float** rows = stackalloc float*[rowCount];
        int* taps = stackalloc int[rowCount];
        // Zero-padded copies of the first and last input rows (each a tile's columns and the loads past them): with
        // padding no wider than the input (the rule), no other row's loads leave the input.
        const int EdgeLength = 2 * ColumnVectors * Lanes16 + MaxGatherReach + 2 * Lanes16;
        float* edges = stackalloc float[2 * EdgeLength];
        // One panel's bias, zeros past its channels (and everywhere without a bias).
        float* tileBias = stackalloc float[Gemm.MR];
        fixed (float* inputBase = input, outputBase = output, weightBase = packedWeights, biasBase = bias)
        {
            for (int group = 0; group < g.Groups; group++)
            {
                float* groupIn = inputBase + group * channels * inPlane;
                float* groupWeightBase = weightBase + (nint)group * groupWeights;
                for (int x0 = 0; x0 < ow; x0 += ColumnVectors * Lanes16)
                {
                    int vectors = Math.Min(ColumnVectors, (ow - x0 + Lanes16 - 1) / Lanes16);
                    int sMin = int.MaxValue, sMax = int.MinValue, maskMode = 0;
                    for (int v = 0; v < vectors; v++)
                    {
                        int xs = Math.Min(x0 + v * Lanes16, ow - Lanes16);
                        for (int t = 0; t < kw; t++)
                        {
                            int s = 2 * xs - g.PadLeft + t * g.DilationWidth;
                            offsets[v * kw + t] = s;
                            sMin = Math.Min(sMin, s);
                            sMax = Math.Max(sMax, s);
                            for (int lane = 0; lane < Lanes16; lane++)
                            {
                                bool inside = (uint)(s + 2 * lane) < (uint)w;
                                masks[(v * kw + t) * Lanes16 + lane] = inside ? -1 : 0;
                                if (!inside) maskMode |= v == 0 ? MaskFirst.Value : v == vectors - 1 ? MaskLast.Value : MaskAll.Value;
                            }
                        }
                    }

                    // The columns [sMin, sMax + 31) every load of a row reads.
                    int readEnd = sMax + 2 * Lanes16 - 1;
                    nint c0 = Math.Min(x0, ow - Lanes16), c1 = Math.Min(x0 + Lanes16, ow - Lanes16), c2 = Math.Min(x0 + 2 * Lanes16, ow - Lanes16);
                    nint rowStep = (nint)g.StrideHeight * w;
                    for (int y = 0; y < oh;)
                    {
                        // The input rows of output row y (shared by every panel of output channels, so they stay in L1).
                        int count = 0, edgeRows = 0;
                        for (int c = 0; c < channels; c++)
                        {
                            for (int i = 0; i < kh; i++)
                            {
                                int r = y * g.StrideHeight + i * g.DilationHeight - g.PadTop;
                                if ((uint)r >= (uint)h) continue;
                                float* row = groupIn + c * inPlane + (nint)r * w;
                                nint start = (nint)(row - inputBase);
                                if (start + sMin < 0 || start + readEnd > inputLength)
                                {
                                    // A load would leave the input: read a copy of the columns, zeros outside the row.
                                    float* copy = edges + edgeRows++ * EdgeLength;
                                    for (int col = sMin; col < readEnd; col++)
                                        copy[col - sMin] = (uint)col < (uint)w ? row[col] : 0f;
                                    row = copy - sMin;
                                }

                                rows[count] = row;
                                taps[count++] = (c * kh + i) * kw * Gemm.MR;
                            }
                        }

                        // The output rows after y whose input rows are the same ones StrideHeight rows further down,
                        // all inside the input and read in place: one call runs them all.
                        int run = 1;
                        if (edgeRows == 0 && count == rowCount)
                        {
                            for (; y + run < oh; run++)
                            {
                                int top = (y + run) * g.StrideHeight - g.PadTop, bottom = top + (kh - 1) * g.DilationHeight;
                                if (top < 0 || bottom >= h) break;
                                nint firstStart = (nint)(groupIn - inputBase) + (nint)top * w;
                                nint lastStart = (nint)(groupIn - inputBase) + (channels - 1) * inPlane + (nint)bottom * w;
                                if (firstStart + sMin < 0 || lastStart + readEnd > inputLength) break;
                            }
                        }

                        for (int panel = 0; panel < panels; panel++)
                        {
                            int first = panel * Gemm.MR, live = Math.Min(Gemm.MR, m - first);
                            for (int i = 0; i < Gemm.MR; i++) tileBias[i] = i < live && biasBase != null ? biasBase[group * m + first + i] : 0f;
                            float* panelWeights = groupWeightBase + (nint)first * k;
                            float* target = outputBase + (group * m + first) * outPlane + (nint)y * ow;
                            var call = new AccumulateCall(rows, taps, count, panelWeights, kw, offsets, masks, target, outPlane, c0, c1, c2, live, tileBias,
                                new OutputRows(run, rowStep, ow));
                            switch (maskMode)
                            {
                                case 0: Accumulate<MaskNone, TAct>(vectors, call); break;
                                case 1: Accumulate<MaskFirst, TAct>(vectors, call); break;
                                case 2: Accumulate<MaskLast, TAct>(vectors, call); break;
                                case 3: Accumulate<MaskEnds, TAct>(vectors, call); break;
                                default: Accumulate<MaskAll, TAct>(vectors, call); break;
                            }
                        }

                        y += run;
                    }
                }
            }
        }
    }

    // Which gathered vectors of a tile have lanes outside the input row, zeroed by their masks (bits: the first, the
    // last, one between them): a tile without padding columns skips the masking.
    private readonly struct MaskNone : IConstant { public static int Value => 0; }
    private readonly struct MaskFirst : IConstant { public static int Value => 1; }
    private readonly struct MaskLast : IConstant { public static int Value => 2; }
    private readonly struct MaskEnds : IConstant { public static int Value => 3; }
    private readonly struct MaskAll : IConstant { public static int Value => 7; }

    // The arguments of one Accumulate call, passed on to the instantiation for the tile's vector count.
    private readonly unsafe struct AccumulateCall(float** rows, int* taps, int count, float* panel, int kw, int* offsets, int* masks,
        float* target, nint outPlane, nint c0, nint c1, nint c2, int live, float* bias, OutputRows outputRows)
    {
        public readonly float** Rows = rows;
        public readonly int* Taps = taps, Offsets = offsets, Masks = masks;
        public readonly int Count = count, Kw = kw, Live = live;
        public readonly float* Panel = panel, Target = target, Bias = bias;
        public readonly nint OutPlane = outPlane, C0 = c0, C1 = c1, C2 = c2;
        public readonly OutputRows OutputRows = outputRows;
    }

    private static unsafe void Accumulate<TM, TAct>(int vectors, AccumulateCall a) where TM : IConstant where TAct : struct, IActivation
    {
        switch (vectors)
        {
            case 3: Accumulate<C3, TM, TAct>(a.Rows, a.Taps, a.Count, a.Panel, a.Kw, a.Offsets, a.Masks, a.Target, a.OutPlane, a.C0, a.C1, a.C2, a.Live, a.Bias, a.OutputRows); break;
            case 2: Accumulate<C2, TM, TAct>(a.Rows, a.Taps, a.Count, a.Panel, a.Kw, a.Offsets, a.Masks, a.Target, a.OutPlane, a.C0, a.C1, a.C2, a.Live, a.Bias, a.OutputRows); break;
            default: Accumulate<C1, TM, TAct>(a.Rows, a.Taps, a.Count, a.Panel, a.Kw, a.Offsets, a.Masks, a.Target, a.OutPlane, a.C0, a.C1, a.C2, a.Live, a.Bias, a.OutputRows); break;
        }
    }

    // Consecutive output rows one Accumulate call computes: Count of them, their input rows InputStep floats apart,
    // their output rows OutputStep apart.
    private readonly record struct OutputRows(int Count, nint InputStep, nint OutputStep);

    // Tap columns the 512-bit stride-2 path keeps descriptors for on the stack, and the farthest column a tap reaches
    // past the first ((KW - 1) * DW): ConvWorkspace.GathersStrideTwoColumns.
    private const int MaxGatherWidth = ConvWorkspace.MaxGatherKernelWidth;
    private const int MaxGatherReach = ConvWorkspace.MaxGatherKernelReach;

    // Output rows of the tile, one after the other: TV vectors (at columns c0, c1, c2) × 8 channels of accumulators,
    // summed over the `count` input rows (rows[t] moved down by the row's input step, weights at panel + taps[t]) and
    // the KW tap columns; the first `live` channels stored. TM: the vectors whose gathers are masked.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Accumulate<TV, TM, TAct>(float** rows, int* taps, int count, float* panel, int kw, int* offsets, int* masks,
        float* target, nint outPlane, nint c0, nint c1, nint c2, int live, float* bias, OutputRows outputRows)
        where TV : IConstant where TM : IConstant where TAct : struct, IActivation
    {
        int rowsLeft = outputRows.Count;
        nint shift = 0;
        do
        {
            AccumulateRow<TV, TM, TAct>(rows, taps, count, panel, kw, offsets, masks, target, outPlane, c0, c1, c2, live, bias, shift);
            shift += outputRows.InputStep;
            target += outputRows.OutputStep;
        }
        while (--rowsLeft > 0);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void AccumulateRow<TV, TM, TAct>(float** rows, int* taps, int count, float* panel, int kw, int* offsets, int* masks,
        float* target, nint outPlane, nint c0, nint c1, nint c2, int live, float* bias, nint shift)
        where TV : IConstant where TM : IConstant where TAct : struct, IActivation
    {
        // Lanes 0..7 take even elements 0..14 of the first load, lanes 8..15 odd elements 1..15 of the second (which
        // starts 15 columns further on): columns s, s + 2, ..., s + 30, read from [s, s + 31) only.
        Vector512<int> pick = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 17, 19, 21, 23, 25, 27, 29, 31);
        Vector512<float> a00 = default, a01 = default, a02 = default, a10 = default, a11 = default, a12 = default;
        Vector512<float> a20 = default, a21 = default, a22 = default, a30 = default, a31 = default, a32 = default;
        Vector512<float> a40 = default, a41 = default, a42 = default, a50 = default, a51 = default, a52 = default;
        Vector512<float> a60 = default, a61 = default, a62 = default, a70 = default, a71 = default, a72 = default;
        for (int t = 0; t < count; t++)
        {
            float* row = rows[t] + shift;
            float* tap = panel + taps[t];
            for (int j = 0; j < kw; j++, tap += Gemm.MR)
            {
                // The masks of the first vector, the last (of two or three) and the middle one (of three).
                Vector512<float> g0 = Gather(row + offsets[j], pick, masks + j * Lanes16, (TM.Value & (TV.Value == 1 ? 3 : 1)) != 0), g1 = default, g2 = default;
                if (TV.Value >= 2) g1 = Gather(row + offsets[kw + j], pick, masks + (kw + j) * Lanes16, (TM.Value & (TV.Value == 2 ? 2 : 4)) != 0);
                if (TV.Value >= 3) g2 = Gather(row + offsets[2 * kw + j], pick, masks + (2 * kw + j) * Lanes16, (TM.Value & 2) != 0);
                Vector512<float> b = Vector512.Create(tap[0]);
                a00 = Vector512.FusedMultiplyAdd(g0, b, a00);
                if (TV.Value >= 2) a01 = Vector512.FusedMultiplyAdd(g1, b, a01);
                if (TV.Value >= 3) a02 = Vector512.FusedMultiplyAdd(g2, b, a02);
                b = Vector512.Create(tap[1]);
                a10 = Vector512.FusedMultiplyAdd(g0, b, a10);
                if (TV.Value >= 2) a11 = Vector512.FusedMultiplyAdd(g1, b, a11);
                if (TV.Value >= 3) a12 = Vector512.FusedMultiplyAdd(g2, b, a12);
                b = Vector512.Create(tap[2]);
                a20 = Vector512.FusedMultiplyAdd(g0, b, a20);
                if (TV.Value >= 2) a21 = Vector512.FusedMultiplyAdd(g1, b, a21);
                if (TV.Value >= 3) a22 = Vector512.FusedMultiplyAdd(g2, b, a22);
                b = Vector512.Create(tap[3]);
                a30 = Vector512.FusedMultiplyAdd(g0, b, a30);
                if (TV.Value >= 2) a31 = Vector512.FusedMultiplyAdd(g1, b, a31);
                if (TV.Value >= 3) a32 = Vector512.FusedMultiplyAdd(g2, b, a32);
                b = Vector512.Create(tap[4]);
                a40 = Vector512.FusedMultiplyAdd(g0, b, a40);
                if (TV.Value >= 2) a41 = Vector512.FusedMultiplyAdd(g1, b, a41);
                if (TV.Value >= 3) a42 = Vector512.FusedMultiplyAdd(g2, b, a42);
                b = Vector512.Create(tap[5]);
                a50 = Vector512.FusedMultiplyAdd(g0, b, a50);
                if (TV.Value >= 2) a51 = Vector512.FusedMultiplyAdd(g1, b, a51);
                if (TV.Value >= 3) a52 = Vector512.FusedMultiplyAdd(g2, b, a52);
                b = Vector512.Create(tap[6]);
                a60 = Vector512.FusedMultiplyAdd(g0, b, a60);
                if (TV.Value >= 2) a61 = Vector512.FusedMultiplyAdd(g1, b, a61);
                if (TV.Value >= 3) a62 = Vector512.FusedMultiplyAdd(g2, b, a62);
                b = Vector512.Create(tap[7]);
                a70 = Vector512.FusedMultiplyAdd(g0, b, a70);
                if (TV.Value >= 2) a71 = Vector512.FusedMultiplyAdd(g1, b, a71);
                if (TV.Value >= 3) a72 = Vector512.FusedMultiplyAdd(g2, b, a72);
            }
        }

        // Bias and activation as the tile stores; channels past the panel's live ones (zero weights) are not stored.
        Store<TV, TAct>(target, c0, c1, c2, a00, a01, a02, bias[0]);
        if (live > 1) Store<TV, TAct>(target + outPlane, c0, c1, c2, a10, a11, a12, bias[1]);
        if (live > 2) Store<TV, TAct>(target + 2 * outPlane, c0, c1, c2, a20, a21, a22, bias[2]);
        if (live > 3) Store<TV, TAct>(target + 3 * outPlane, c0, c1, c2, a30, a31, a32, bias[3]);
        if (live > 4) Store<TV, TAct>(target + 4 * outPlane, c0, c1, c2, a40, a41, a42, bias[4]);
        if (live > 5) Store<TV, TAct>(target + 5 * outPlane, c0, c1, c2, a50, a51, a52, bias[5]);
        if (live > 6) Store<TV, TAct>(target + 6 * outPlane, c0, c1, c2, a60, a61, a62, bias[6]);
        if (live > 7) Store<TV, TAct>(target + 7 * outPlane, c0, c1, c2, a70, a71, a72, bias[7]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store<TV, TAct>(float* row, nint c0, nint c1, nint c2, Vector512<float> x0, Vector512<float> x1, Vector512<float> x2, float bias)
        where TV : IConstant where TAct : struct, IActivation
    {
        Vector512<float> add = Vector512.Create(bias);
        default(TAct).Apply<Vec512, Vector512<float>>(x0 + add).Store(row + c0);
        if (TV.Value >= 2) default(TAct).Apply<Vec512, Vector512<float>>(x1 + add).Store(row + c1);
        if (TV.Value >= 3) default(TAct).Apply<Vec512, Vector512<float>>(x2 + add).Store(row + c2);
    }

    // Input columns s, s + 2, ..., s + 30 of a row from `first` = row + s (two loads, [s, s + 31), and a permute),
    // lanes outside the row zeroed by the mask.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<float> Gather(float* first, Vector512<int> pick, int* mask, bool masked)
    {
        Vector512<float> gathered = Avx512F.PermuteVar16x32x2(Vector512.Load(first), pick, Vector512.Load(first + 15));
        return masked ? gathered & Vector512.Load(mask).AsSingle() : gathered;
    }
}
