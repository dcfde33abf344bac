using ConvGen.Runtime.Simd;

namespace ConvGen.Runtime.Kernels;

/// <summary>
/// PyTorch <c>Linear</c> over the last dimension, <c>y[r, o] = act(bias[o] + sum_i x[r, i] * W[o, i])</c>, on weights
/// packed at load in panels of 16 outputs (<see cref="PackedLength"/>). One row is a GEMV streaming the panels, four
/// at a time with two partial sums each; more rows run the convolutions' register-tiled micro-kernel with the rows
/// as positions. <see cref="PackFromBlocked"/> permutes the weight columns into blocked order, so Linear reads a
/// flattened <see cref="TensorLayout.Blocked16"/> map as it is.
/// </summary>
[SkipLocalsInit]
public static partial class PackedLinear
{
    /// <summary>Packs PyTorch weights <c>[outFeatures, inFeatures]</c> and the bias (empty: none).</summary>
    public static float[] Pack(ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, int inFeatures, int outFeatures)
    {
        var packed = new float[PackedLength(inFeatures, outFeatures)];
        Conv2d.CheckLength(weights.Length, checked(inFeatures * outFeatures), nameof(weights));
        Conv2d.CheckBias(bias.Length, outFeatures);
        for (int o = 0; o < outFeatures; o++)
        {
            ReadOnlySpan<float> row = weights.Slice(o * inFeatures, inFeatures);
            int at = (o / Blocked16.Lanes) * inFeatures * Blocked16.Lanes + o % Blocked16.Lanes;
            for (int i = 0; i < inFeatures; i++) packed[at + i * Blocked16.Lanes] = row[i];
        }

        bias.CopyTo(packed.AsSpan(Blocked16.Blocks(outFeatures) * inFeatures * Blocked16.Lanes));
        return packed;
    }

    /// <summary>
    /// Packs PyTorch weights <c>[outFeatures, channels * positions]</c> (a Linear after Flatten of a CHW map) for an
    /// input that is the blocked map itself: input feature <c>((c/16)*positions + p)*16 + c%16</c> gets column
    /// <c>c*positions + p</c>, padding lanes get zero. Run it with inFeatures = <see cref="BlockedInFeatures"/>.
    /// </summary>
    public static float[] PackFromBlocked(ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, int channels, int positions, int outFeatures)
    {
        int inFeatures = BlockedInFeatures(channels, positions);
        var packed = new float[PackedLength(inFeatures, outFeatures)];
        Conv2d.CheckLength(weights.Length, checked(channels * positions * outFeatures), nameof(weights));
        Conv2d.CheckBias(bias.Length, outFeatures);
        for (int o = 0; o < outFeatures; o++)
        {
            int at = (o / Blocked16.Lanes) * inFeatures * Blocked16.Lanes + o % Blocked16.Lanes;
            for (int c = 0; c < channels; c++)
                for (int p = 0; p < positions; p++)
                {
                    int i = ((c / Blocked16.Lanes) * positions + p) * Blocked16.Lanes + c % Blocked16.Lanes;
                    packed[at + i * Blocked16.Lanes] = weights[(o * channels + c) * positions + p];
                }
        }

        bias.CopyTo(packed.AsSpan(Blocked16.Blocks(outFeatures) * inFeatures * Blocked16.Lanes));
        return packed;
    }

    /// <summary>
    /// <paramref name="rows"/> x <paramref name="inFeatures"/> in, <see cref="OutputLength"/> out: row-major exact for
    /// <see cref="TensorLayout.Chw"/>, the padded vector (padding lanes zero) for <see cref="TensorLayout.Blocked16"/>
    /// (rows = 1). Input and output must not overlap.
    /// </summary>
    public static void Run<TAct>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packed, int rows, int inFeatures, int outFeatures,
        TensorLayout outputLayout, TAct activation)
        where TAct : struct, IActivation
        => Run(0, input, output, packed, rows, inFeatures, outFeatures, outputLayout, activation);

    // Out of line (never inlined), so that Run formats no message inline.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowRows(int rows) => throw (rows < 1
        ? new ArgumentException($"rows must be >= 1, got {rows}.", nameof(rows))
        : new ArgumentException($"A blocked output is one padded channel vector: rows must be 1, got {rows}.", "outputLayout"));

    internal static void Run<TAct>(int lanes, ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packed, int rows, int inFeatures, int outFeatures,
        TensorLayout outputLayout, TAct activation)
        where TAct : struct, IActivation
    {
        if (rows < 1 || outputLayout == TensorLayout.Blocked16 && rows != 1) ThrowRows(rows);
        Conv2d.CheckLength(packed.Length, PackedLength(inFeatures, outFeatures), nameof(packed));
        Conv2d.CheckLength(input.Length, checked(rows * inFeatures), nameof(input));
        Conv2d.CheckLength(output.Length, OutputLength(rows, outFeatures, outputLayout), nameof(output));
        if (input.Overlaps(output)) throw new ArgumentException("input and output must not overlap.", nameof(output));
        var job = new Job<TAct>(input, output, packed, rows, inFeatures, outFeatures, outputLayout == TensorLayout.Blocked16, activation);
        WidthDispatch.Run(lanes, ref job);
    }

    private readonly ref struct Job<TAct>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packed, int rows, int inFeatures,
        int outFeatures, bool padded, TAct activation) : IWidthKernel
        where TAct : struct, IActivation
    {
        private readonly ReadOnlySpan<float> _input = input, _packed = packed;
        private readonly Span<float> _output = output;

        public void Run<TOps, TVec>() where TOps : IVectorOps<TVec> where TVec : struct
        {
            if (rows == 1) Gemv<TOps, TVec, TAct>(_input, _output, _packed, inFeatures, outFeatures, padded, activation);
            else Gemm<TOps, TVec, TAct>(_input, _output, _packed, rows, inFeatures, outFeatures, activation);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Gemm<TOps, TVec, TAct>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packed, int rows, int inFeatures,
        int outFeatures, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TAct : struct, IActivation
    {
        int blocks = Blocked16.Blocks(outFeatures);
        Span<int> taps = stackalloc int[2];
        taps[0] = 0;
        taps[1] = inFeatures;
        ref float w = ref MemoryMarshal.GetReference(packed);
        var problem = new TileProblem
        {
            Weights = ref w,
            WeightBlockStride = (nint)inFeatures * Blocked16.Lanes,
            WeightTapStride = 0,
            Taps = taps,
            Input = ref MemoryMarshal.GetReference(input),
            InputRowStride = 0,
            PositionStride = inFeatures,
            InnerStride = 1,
            Blocks = blocks,
            Rows = 1,
            Columns = rows,
            Output = ref MemoryMarshal.GetReference(output),
            OutputBlockStride = Blocked16.Lanes,
            OutputRowStride = 0,
            OutputPositionStride = outFeatures,
            Bias = ref Unsafe.Add(ref w, (nint)blocks * inFeatures * Blocked16.Lanes),
            LastBlockLanes = outFeatures - (blocks - 1) * Blocked16.Lanes,
            StoreLastBlockPartially = true,
        };
        TileDriver.Run<TOps, TVec, TAct>(ref problem, GemmTile(rows, inFeatures, outFeatures), act);
    }

    // One row: vector rows (16-output panels on the 512-bit path, parts of them on narrower ones) four at a time,
    // each with two partial sums (even and odd inputs), so eight independent multiply-add chains stream four panels.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Gemv<TOps, TVec, TAct>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packed, int inFeatures,
        int outFeatures, bool padded, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TAct : struct, IActivation
    {
        int lanes = TOps.Count, perBlock = Blocked16.Lanes / lanes, blocks = Blocked16.Blocks(outFeatures);
        int vectors = blocks * perBlock;
        nint panel = (nint)inFeatures * Blocked16.Lanes;
        ref float x = ref MemoryMarshal.GetReference(input);
        ref float w = ref MemoryMarshal.GetReference(packed);
        ref float bias = ref Unsafe.Add(ref w, blocks * panel);
        Span<float> last = stackalloc float[Blocked16.Lanes];
        int v = 0;
        for (; v + 4 <= vectors; v += 4)
        {
            ref float w0 = ref Unsafe.Add(ref w, Offset(v, perBlock, lanes, panel));
            ref float w1 = ref Unsafe.Add(ref w, Offset(v + 1, perBlock, lanes, panel));
            ref float w2 = ref Unsafe.Add(ref w, Offset(v + 2, perBlock, lanes, panel));
            ref float w3 = ref Unsafe.Add(ref w, Offset(v + 3, perBlock, lanes, panel));
            TVec a0 = TOps.Zero, a1 = TOps.Zero, a2 = TOps.Zero, a3 = TOps.Zero, b0 = TOps.Zero, b1 = TOps.Zero, b2 = TOps.Zero, b3 = TOps.Zero;
            int i = 0;
            for (; i + 1 < inFeatures; i += 2)
            {
                nint at = (nint)i * Blocked16.Lanes;
                TVec xa = TOps.Create(Unsafe.Add(ref x, i)), xb = TOps.Create(Unsafe.Add(ref x, i + 1));
                a0 = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref w0, at)), xa, a0);
                a1 = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref w1, at)), xa, a1);
                a2 = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref w2, at)), xa, a2);
                a3 = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref w3, at)), xa, a3);
                b0 = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref w0, at + Blocked16.Lanes)), xb, b0);
                b1 = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref w1, at + Blocked16.Lanes)), xb, b1);
                b2 = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref w2, at + Blocked16.Lanes)), xb, b2);
                b3 = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref w3, at + Blocked16.Lanes)), xb, b3);
            }

            if (i < inFeatures)
            {
                nint at = (nint)i * Blocked16.Lanes;
                TVec xa = TOps.Create(Unsafe.Add(ref x, i));
                a0 = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref w0, at)), xa, a0);
                a1 = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref w1, at)), xa, a1);
                a2 = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref w2, at)), xa, a2);
                a3 = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref w3, at)), xa, a3);
            }

            // Sums stored first (no call while accumulators are live), then bias, activation and mask per vector. All
            // four sums are formed before the first store: a store of a partial vector calls a copy, and an accumulator
            // live across it was spilled inside the loop (a store and a load per iteration on the 128-bit path).
            TVec s0 = TOps.Add(a0, b0), s1 = TOps.Add(a1, b1), s2 = TOps.Add(a2, b2), s3 = TOps.Add(a3, b3);
            StoreSum<TOps, TVec>(s0, v, lanes, ref bias, output, last, outFeatures, padded);
            StoreSum<TOps, TVec>(s1, v + 1, lanes, ref bias, output, last, outFeatures, padded);
            StoreSum<TOps, TVec>(s2, v + 2, lanes, ref bias, output, last, outFeatures, padded);
            StoreSum<TOps, TVec>(s3, v + 3, lanes, ref bias, output, last, outFeatures, padded);
        }

        for (; v < vectors; v++)
        {
            ref float w0 = ref Unsafe.Add(ref w, Offset(v, perBlock, lanes, panel));
            TVec a0 = TOps.Zero, b0 = TOps.Zero;
            int i = 0;
            for (; i + 1 < inFeatures; i += 2)
            {
                nint at = (nint)i * Blocked16.Lanes;
                a0 = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref w0, at)), TOps.Create(Unsafe.Add(ref x, i)), a0);
                b0 = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref w0, at + Blocked16.Lanes)), TOps.Create(Unsafe.Add(ref x, i + 1)), b0);
            }

            if (i < inFeatures)
                a0 = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref w0, (nint)i * Blocked16.Lanes)), TOps.Create(Unsafe.Add(ref x, i)), a0);
            StoreSum<TOps, TVec>(TOps.Add(a0, b0), v, lanes, ref bias, output, last, outFeatures, padded);
        }

        Finish<TOps, TVec, TAct>(output, outFeatures, padded, act);
    }

    private static nint Offset(int vector, int perBlock, int lanes, nint panel) => vector / perBlock * panel + vector % perBlock * lanes;

    // Vector `v` of outputs (+ bias): a whole vector where it fits the output, else its valid lanes.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreSum<TOps, TVec>(TVec sum, int v, int lanes, ref float bias, Span<float> output, Span<float> last, int outFeatures, bool padded)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        int o = v * lanes;
        sum = TOps.Add(sum, TOps.Load(ref Unsafe.Add(ref bias, o)));
        if (padded || o + lanes <= outFeatures)
        {
            TOps.Store(sum, ref Unsafe.Add(ref MemoryMarshal.GetReference(output), o));
            return;
        }

        if (o >= outFeatures) return;
        TOps.Store(sum, ref MemoryMarshal.GetReference(last));
        last.Slice(0, outFeatures - o).CopyTo(output.Slice(o));
    }

    // The activation over the stored sums, then zero padding lanes of a padded output (for an activation with f(0) != 0).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Finish<TOps, TVec, TAct>(Span<float> output, int outFeatures, bool padded, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TAct : struct, IActivation
    {
        ElementwiseOps.Map<TOps, TVec, TAct>(output, output, act);
        if (padded && !TAct.PreservesZero) output.Slice(outFeatures).Clear();
    }
}
