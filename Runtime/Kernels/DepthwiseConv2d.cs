using ConvGen.Runtime.Simd;

namespace ConvGen.Runtime.Kernels;

/// <summary>
/// PyTorch <c>Conv2d</c> with groups = input channels (depthwise, any depth multiplier) on blocked tensors: 16 channels
/// per vector, each output vector the sum over the kernel's taps of a weight vector times an input vector, with no
/// per-channel copies. Any kernel, stride, padding and dilation.
/// </summary>
/// <remarks>
/// Per vector of channels, the input rows an output row reads are copied once each into a ring of zero-padded rows
/// (zero rows above and below the input), so every tap of every output is a plain load: no border code. A small map
/// (<see cref="PadsWholePlane"/>) instead has its whole padded plane in the workspace, borders zeroed once per run,
/// and a three-wide kernel's output rows run in pairs (twice the independent accumulators of one row). Each output
/// row then runs as equal tiles of at most 8 positions (<see cref="TilePositions"/>; up to 8 accumulators, one weight
/// vector per tap shared by the tile), a last tile that does not fit moved back to end at the row's end. The epilogue adds bias, then the residual (same shape and
/// layout as the output; it may be the output span itself), then applies the activation; padding lanes stay zero.
/// Input and output must not overlap.
/// </remarks>
[SkipLocalsInit]
public static partial class DepthwiseConv2d
{
    /// <summary>Packs PyTorch weights <c>[OutChannels, 1, KH, KW]</c> and the bias (empty: none) as <see cref="PackedLength"/> says.</summary>
    public static float[] Pack(ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, in Conv2dGeometry g)
    {
        g.Validate();
        string? problem = Rejects(g);
        Conv2d.CheckRuns(problem, "DepthwiseConv2d", g);
        Conv2d.CheckLength(weights.Length, g.WeightLength, nameof(weights));
        Conv2d.CheckBias(bias.Length, g.OutChannels);
        var packed = new float[PackedLengthUnchecked(g)];
        int taps = g.KernelHeight * g.KernelWidth;
        for (int c = 0; c < g.OutChannels; c++)
            for (int t = 0; t < taps; t++)
                packed[((c / Blocked16.Lanes) * taps + t) * Blocked16.Lanes + c % Blocked16.Lanes] = weights[c * taps + t];
        bias.CopyTo(packed.AsSpan(Blocked16.Blocks(g.OutChannels) * taps * Blocked16.Lanes));
        return packed;
    }

    /// <summary>
    /// Runs the convolution on a blocked input to a blocked output; <paramref name="residual"/> empty or the output's
    /// length; <paramref name="workspace"/> at least <see cref="WorkspaceLength"/> floats.
    /// </summary>
    public static void Run<TAct>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packed, ReadOnlySpan<float> residual,
        in Conv2dGeometry g, TAct activation, Span<float> workspace)
        where TAct : struct, IActivation
        => Run(0, input, output, packed, residual, g, activation, workspace);

    internal static void Run<TAct>(int lanes, ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packed, ReadOnlySpan<float> residual,
        in Conv2dGeometry g, TAct activation, Span<float> workspace)
        where TAct : struct, IActivation
    {
        g.Validate();
        Conv2d.CheckRuns(Rejects(g), "DepthwiseConv2d", g);
        Conv2d.CheckLength(input.Length, Blocked16.Length(g.InChannels, g.InHeight * g.InWidth), nameof(input));
        int outputLength = Blocked16.Length(g.OutChannels, g.OutHeight * g.OutWidth);
        Conv2d.CheckLength(output.Length, outputLength, nameof(output));
        Conv2d.CheckLength(packed.Length, PackedLengthUnchecked(g), nameof(packed));
        if (!residual.IsEmpty) Conv2d.CheckLength(residual.Length, outputLength, nameof(residual));
        if (input.Overlaps(output)) throw new ArgumentException("input and output must not overlap.", nameof(output));
        int ringLength = RingLength(g), ringEnd = ringLength + RingSlack, needed = WorkspaceAround(ringLength, g);
        Conv2d.CheckWorkspace(workspace.Length, needed, "DepthwiseConv2d", g);
        if (needed > ringEnd)
        {
            Span<float> expanded = workspace.Slice(ringEnd, needed - ringEnd);
            Expand(input, expanded, g.InChannels, g.OutChannels / g.InChannels, g.InHeight * g.InWidth);
            input = expanded;
        }

        var job = new Job<TAct>(input, output, packed, residual, workspace.Slice(Blocked16.AlignmentSkip(ref MemoryMarshal.GetReference(workspace)), ringLength), g, activation);
        WidthDispatch.Run(lanes, ref job);
    }

    // Channel c of the expanded tensor is input channel c / multiplier.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Expand(ReadOnlySpan<float> input, Span<float> expanded, int channels, int multiplier, int positions)
    {
        int outChannels = channels * multiplier;
        expanded.Clear();
        for (int c = 0; c < outChannels; c++)
        {
            int source = c / multiplier;
            ReadOnlySpan<float> from = input.Slice(source / Blocked16.Lanes * positions * Blocked16.Lanes);
            Span<float> to = expanded.Slice(c / Blocked16.Lanes * positions * Blocked16.Lanes);
            int sl = source % Blocked16.Lanes, dl = c % Blocked16.Lanes;
            for (int p = 0; p < positions; p++) to[p * Blocked16.Lanes + dl] = from[p * Blocked16.Lanes + sl];
        }
    }

    private readonly ref struct Job<TAct>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packed, ReadOnlySpan<float> residual,
        Span<float> ring, Conv2dGeometry g, TAct activation) : IWidthKernel
        where TAct : struct, IActivation
    {
        private readonly ReadOnlySpan<float> _input = input, _packed = packed, _residual = residual;
        private readonly Span<float> _output = output, _ring = ring;

        public void Run<TOps, TVec>() where TOps : IVectorOps<TVec> where TVec : struct
        {
            switch (TilePositions(g))
            {
                case 1: Convolve<TOps, TVec, C1, TAct>(_input, _output, _packed, _residual, _ring, g, activation); break;
                case 2: Convolve<TOps, TVec, C2, TAct>(_input, _output, _packed, _residual, _ring, g, activation); break;
                case 3: Convolve<TOps, TVec, C3, TAct>(_input, _output, _packed, _residual, _ring, g, activation); break;
                case 4: Convolve<TOps, TVec, C4, TAct>(_input, _output, _packed, _residual, _ring, g, activation); break;
                case 5: Convolve<TOps, TVec, C5, TAct>(_input, _output, _packed, _residual, _ring, g, activation); break;
                case 6: Convolve<TOps, TVec, C6, TAct>(_input, _output, _packed, _residual, _ring, g, activation); break;
                case 7: Convolve<TOps, TVec, C7, TAct>(_input, _output, _packed, _residual, _ring, g, activation); break;
                default: Convolve<TOps, TVec, C8, TAct>(_input, _output, _packed, _residual, _ring, g, activation); break;
            }
        }
    }

    // Per vector of channels (a block on the 512-bit path, a part of one on narrower paths): the ring of padded rows,
    // then each output row in tiles of TPositions.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Convolve<TOps, TVec, TPositions, TAct>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packed,
        ReadOnlySpan<float> residual, Span<float> ring, in Conv2dGeometry g, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TPositions : struct, IConstant where TAct : struct, IActivation
    {
        switch (PathOf(g, TOps.Count))
        {
            case DepthwisePath.BlockTiles:
                ConvolveBlockTiles<TOps, TVec, TPositions, TAct>(input, output, packed, residual, g, act);
                return;
            case DepthwisePath.RowsInPlace:
                ConvolveRows<TOps, TVec, TPositions, TAct>(input, output, packed, residual, g, act);
                return;
            case DepthwisePath.WholePlane:
                ConvolvePlanes<TOps, TVec, TPositions, TAct>(input, output, packed, residual, ring, g, act, inPlace: false);
                return;
            case DepthwisePath.WholePlaneInPlace:
                ConvolvePlanes<TOps, TVec, TPositions, TAct>(input, output, packed, residual, ring, g, act, inPlace: true);
                return;
            case DepthwisePath.StrideTwoInPlace:
                ConvolveInPlace<TOps, TVec, TPositions, TAct>(input, output, packed, residual, ring, g, act);
                return;
        }

        // DepthwisePath.Ring.

        int lanes = TOps.Count, perBlock = Blocked16.Lanes / lanes;
        int blocks = Blocked16.Blocks(g.OutChannels), kh = g.KernelHeight, kw = g.KernelWidth, taps = kh * kw;
        int h = g.InHeight, w = g.InWidth, oh = g.OutHeight, ow = g.OutWidth, wp = PaddedWidth(g), span = RingRows(g);
        nint inPlane = (nint)h * w * Blocked16.Lanes, outPlane = (nint)oh * ow * Blocked16.Lanes;
        int lastLanes = g.OutChannels - (blocks - 1) * Blocked16.Lanes;
        ref float mask = ref Blocked16.LaneMask(lastLanes);
        Span<nint> rows = stackalloc nint[kh];
        ref float wr = ref MemoryMarshal.GetReference(packed);
        ref float ringRef = ref MemoryMarshal.GetReference(ring);
        ref float biasRef = ref Unsafe.Add(ref wr, (nint)blocks * taps * Blocked16.Lanes);
        bool hasResidual = !residual.IsEmpty;
        nint rowFloats = (nint)wp * lanes;
        // Three kernel columns at stride 1 or 2 (dilation 1): each loaded input vector feeds every output that reads it.
        int threeWide = kw == 3 && g.DilationWidth == 1 && g.StrideWidth <= 2 ? g.StrideWidth : 0;
        for (int v = 0; v < blocks * perBlock; v++)
        {
            int block = v / perBlock, lane = v % perBlock * lanes;
            ref float weights = ref Unsafe.Add(ref wr, (nint)block * taps * Blocked16.Lanes + lane);
            TVec bias = TOps.Load(ref Unsafe.Add(ref biasRef, (nint)block * Blocked16.Lanes + lane));
            bool masked = !TAct.PreservesZero && block == blocks - 1 && lastLanes < Blocked16.Lanes;
            TVec maskVector = masked ? TOps.Load(ref Unsafe.Add(ref mask, lane)) : default;
            ReadOnlySpan<float> plane = input.Slice((int)(block * inPlane));
            nint outBase = block * outPlane + lane;
            // Padded row r holds input row r - PadTop (zero outside the input), in ring slot r % span. Output row oy
            // reads rows r0 = oy * StrideHeight to r0 + span - 1, each copied once, in order; the slots are counted
            // round the ring (no division per row).
            int slot0 = 0, next = 0, nextSlot = 0;
            for (int oy = 0; oy < oh; oy++)
            {
                int r0 = oy * g.StrideHeight;
                if (next < r0)
                {
                    next = r0;
                    nextSlot = slot0;
                }

                for (; next < r0 + span; next++)
                {
                    PadRow<TOps, TVec>(plane, ref Unsafe.Add(ref ringRef, nextSlot * rowFloats), next - g.PadTop, h, w, wp, g.PadLeft, lane);
                    if (++nextSlot == span) nextSlot = 0;
                }

                for (int y = 0; y < kh; y++)
                {
                    int slot = slot0 + y * g.DilationHeight;
                    rows[y] = (slot < span ? slot : slot - span) * rowFloats;
                }

                for (slot0 += g.StrideHeight; slot0 >= span; slot0 -= span) { }

                nint outRow = outBase + (nint)oy * ow * Blocked16.Lanes;
                int p = TPositions.Value;
                for (int c0 = 0; c0 < ow; c0 += p)
                {
                    int start = c0, first = 0;
                    if (c0 + p > ow)
                    {
                        start = ow - p;
                        first = c0 - start;
                    }

                    nint column = (nint)start * g.StrideWidth * lanes, at = outRow + (nint)start * Blocked16.Lanes;
                    if (threeWide == 1)
                        Tile3<TOps, TVec, TPositions, C1, TAct>(ref ringRef, rows, ref weights, bias, column, output, residual, hasResidual, at, first, masked, maskVector, act);
                    else if (threeWide == 2)
                        Tile3<TOps, TVec, TPositions, C2, TAct>(ref ringRef, rows, ref weights, bias, column, output, residual, hasResidual, at, first, masked, maskVector, act);
                    else
                        Tile<TOps, TVec, TPositions, TAct>(ref ringRef, rows, ref weights, bias, column, (nint)g.StrideWidth * lanes,
                            (nint)g.DilationWidth * lanes, kw, output, residual, hasResidual, at, first, masked, maskVector, act);
                }
            }
        }
    }

    // Convolve on whole padded planes (PadsWholePlane): the plane's zero borders written once, then per vector of
    // channels the input's positions copied in and the output rows (PlaneRows), with no ring to count.
    // Not inlined, so that Convolve's ring path keeps the JIT's inlining budget.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ConvolvePlanes<TOps, TVec, TPositions, TAct>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packed,
        ReadOnlySpan<float> residual, Span<float> ring, in Conv2dGeometry g, TAct act, bool inPlace)
        where TOps : IVectorOps<TVec> where TVec : struct where TPositions : struct, IConstant where TAct : struct, IActivation
    {
        int lanes = TOps.Count, perBlock = Blocked16.Lanes / lanes;
        int blocks = Blocked16.Blocks(g.OutChannels), kh = g.KernelHeight, kw = g.KernelWidth, taps = kh * kw;
        int h = g.InHeight, w = g.InWidth, oh = g.OutHeight, ow = g.OutWidth, height = PaddedHeight(g);
        nint inPlane = (nint)h * w * Blocked16.Lanes, outPlane = (nint)oh * ow * Blocked16.Lanes;
        int lastLanes = g.OutChannels - (blocks - 1) * Blocked16.Lanes;
        ref float mask = ref Blocked16.LaneMask(lastLanes);
        Span<nint> rows = stackalloc nint[kh];
        ref float wr = ref MemoryMarshal.GetReference(packed);
        ref float ringRef = ref MemoryMarshal.GetReference(ring);
        ref float biasRef = ref Unsafe.Add(ref wr, (nint)blocks * taps * Blocked16.Lanes);
        nint rowFloats = (nint)PaddedWidth(g) * lanes;
        int threeWide = kw == 3 && g.DilationWidth == 1 && g.StrideWidth <= 2 ? g.StrideWidth : 0;
        // Input rows the plane holds (fewer than InHeight when the outputs stop short of the last rows), at PadTop,
        // PadLeft of the padded plane. Only the plane's borders need zeros, and the copies never write them: cleared
        // once per run (clearing the whole plane cost more than the multiply-adds on DS-CNN's 64 x 25 x 5). In place
        // (DepthwisePath.WholePlaneInPlace: unpadded, 512 bits, a position one vector) each block is read where it is.
        int copied = Math.Max(0, Math.Min(h, height - g.PadTop));
        nint copyAt = g.PadTop * rowFloats + (nint)g.PadLeft * lanes, rowCopy = (nint)w * lanes;
        if (!inPlace)
            Blocked16.ClearBorder<TOps, TVec>(ref ringRef, lanes, copied, w, g.PadTop, g.PadLeft, height - g.PadTop - copied, PaddedWidth(g) - g.PadLeft - w);

        for (int v = 0; v < blocks * perBlock; v++)
        {
            int block = v / perBlock, lane = v % perBlock * lanes;
            ref float weights = ref Unsafe.Add(ref wr, (nint)block * taps * Blocked16.Lanes + lane);
            TVec bias = TOps.Load(ref Unsafe.Add(ref biasRef, (nint)block * Blocked16.Lanes + lane));
            bool masked = !TAct.PreservesZero && block == blocks - 1 && lastLanes < Blocked16.Lanes;
            TVec maskVector = masked ? TOps.Load(ref Unsafe.Add(ref mask, lane)) : default;
            ref float src = ref Unsafe.Add(ref MemoryMarshal.GetReference(input), block * inPlane + lane);
            ref float plane = ref ringRef;
            if (inPlace)
                plane = ref src;
            else
            {
                // The input rows are consecutive (w positions of 16 floats each), so one pointer walks them all.
                for (int y = 0; y < copied; y++)
                {
                    ref float to = ref Unsafe.Add(ref ringRef, copyAt + y * rowFloats);
                    for (nint x = 0; x < rowCopy; x += lanes)
                    {
                        TOps.Store(TOps.Load(ref src), ref Unsafe.Add(ref to, x));
                        src = ref Unsafe.Add(ref src, Blocked16.Lanes);
                    }
                }
            }

            nint outBase = block * outPlane + lane;
            if (threeWide == 1)
                PlaneRows<TOps, TVec, TPositions, C1, TAct>(output, residual, ref plane, rows, rowFloats, ref weights, bias, g, outBase, masked, maskVector, act);
            else if (threeWide == 2)
                PlaneRows<TOps, TVec, TPositions, C2, TAct>(output, residual, ref plane, rows, rowFloats, ref weights, bias, g, outBase, masked, maskVector, act);
            else
                PlaneRows<TOps, TVec, TPositions, RuntimeStride, TAct>(output, residual, ref plane, rows, rowFloats, ref weights, bias, g, outBase, masked, maskVector, act);
        }
    }

    // The output rows of one vector on the padded plane: for a three-wide kernel (TStride its stride) in pairs when the
    // pair's accumulators fit the registers; any other kernel (RuntimeStride) row by row. One method per tile kind, as
    // each inlines its tiles whole (within the JIT's inlining budget).
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    internal static void PlaneRows<TOps, TVec, TPositions, TStride, TAct>(Span<float> output, ReadOnlySpan<float> residual, ref float ringRef, Span<nint> rows,
        nint rowFloats, ref float weights, TVec bias, in Conv2dGeometry g, nint outBase, bool masked, TVec maskVector, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TPositions : struct, IConstant where TStride : struct, IConstant where TAct : struct, IActivation
    {
        int lanes = TOps.Count, p = TPositions.Value, kh = g.KernelHeight, oh = g.OutHeight, ow = g.OutWidth;
        nint outRowFloats = (nint)ow * Blocked16.Lanes;
        bool hasResidual = !residual.IsEmpty;
        // Two rows of accumulators, three weights and an input vector in the registers (32 on the 512-bit path, else 16).
        bool pairs = TStride.Value != 0 && (lanes == 16 || 2 * p + 4 <= 16);
        nint pairOffset = g.StrideHeight * rowFloats;
        // Kernel row y of every output row is y * DilationHeight padded rows below the output row's first: the offsets
        // are the same for every row, which adds its own first row (oy * StrideHeight) to the tiles' column.
        for (int y = 0; y < kh; y++) rows[y] = (nint)y * g.DilationHeight * rowFloats;
        for (int oy = 0; oy < oh;)
        {
            bool pair = pairs && oy + 1 < oh;
            nint outRow = outBase + oy * outRowFloats;
            for (int c0 = 0; c0 < ow; c0 += p)
            {
                int start = c0, first = 0;
                if (c0 + p > ow)
                {
                    start = ow - p;
                    first = c0 - start;
                }

                nint column = oy * pairOffset + (nint)start * g.StrideWidth * lanes, at = outRow + (nint)start * Blocked16.Lanes;
                if (TStride.Value == 0)
                    Tile<TOps, TVec, TPositions, TAct>(ref ringRef, rows, ref weights, bias, column, (nint)g.StrideWidth * lanes,
                        (nint)g.DilationWidth * lanes, g.KernelWidth, output, residual, hasResidual, at, first, masked, maskVector, act);
                else if (pair)
                    Tile3Pair<TOps, TVec, TPositions, TStride, TAct>(ref ringRef, rows, pairOffset, ref weights, bias, column, output, residual, hasResidual, at, outRowFloats, first, masked, maskVector, act);
                else
                    Tile3<TOps, TVec, TPositions, TStride, TAct>(ref ringRef, rows, ref weights, bias, column, output, residual, hasResidual, at, first, masked, maskVector, act);
            }

            oy += pair ? 2 : 1;
        }
    }

    // Padded row: PadLeft zero positions, the input row's `lanes` channels from `lane` (or zeros outside the input), zeros to wp.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PadRow<TOps, TVec>(ReadOnlySpan<float> plane, ref float row, int y, int h, int w, int wp, int left, int lane)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        int lanes = TOps.Count;
        if ((uint)y >= (uint)h)
        {
            for (int x = 0; x < wp; x++) TOps.Store(TOps.Zero, ref Unsafe.Add(ref row, x * lanes));
            return;
        }

        ref float src = ref Unsafe.Add(ref MemoryMarshal.GetReference(plane), (nint)y * w * Blocked16.Lanes + lane);
        for (int x = 0; x < left; x++) TOps.Store(TOps.Zero, ref Unsafe.Add(ref row, x * lanes));
        ref float dst = ref Unsafe.Add(ref row, left * lanes);
        for (int x = 0; x < w; x++) TOps.Store(TOps.Load(ref Unsafe.Add(ref src, x * Blocked16.Lanes)), ref Unsafe.Add(ref dst, x * lanes));
        for (int x = left + w; x < wp; x++) TOps.Store(TOps.Zero, ref Unsafe.Add(ref row, x * lanes));
    }

    // TPositions output vectors of one row: bias, plus weight vector times padded input vector over every tap, then
    // residual, activation and mask as they store; positions below `first` are not stored.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile<TOps, TVec, TPositions, TAct>(ref float ring, ReadOnlySpan<nint> rows, ref float weights, TVec bias, nint column, nint ps, nint dw,
        int kw, Span<float> output, ReadOnlySpan<float> residual, bool hasResidual, nint at, int first, bool masked, TVec mask, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TPositions : struct, IConstant where TAct : struct, IActivation
    {
        int p = TPositions.Value;
        TVec a0 = bias, a1 = bias, a2 = bias, a3 = bias, a4 = bias, a5 = bias, a6 = bias, a7 = bias;
        ref float wt = ref weights;
        for (int y = 0; y < rows.Length; y++)
        {
            ref float xp = ref Unsafe.Add(ref ring, rows[y] + column);
            for (int x = 0; x < kw; x++)
            {
                TVec wv = TOps.Load(ref wt);
                a0 = TOps.MultiplyAdd(wv, TOps.Load(ref xp), a0);
                if (p > 1) a1 = TOps.MultiplyAdd(wv, TOps.Load(ref Unsafe.Add(ref xp, ps)), a1);
                if (p > 2) a2 = TOps.MultiplyAdd(wv, TOps.Load(ref Unsafe.Add(ref xp, 2 * ps)), a2);
                if (p > 3) a3 = TOps.MultiplyAdd(wv, TOps.Load(ref Unsafe.Add(ref xp, 3 * ps)), a3);
                if (p > 4) a4 = TOps.MultiplyAdd(wv, TOps.Load(ref Unsafe.Add(ref xp, 4 * ps)), a4);
                if (p > 5) a5 = TOps.MultiplyAdd(wv, TOps.Load(ref Unsafe.Add(ref xp, 5 * ps)), a5);
                if (p > 6) a6 = TOps.MultiplyAdd(wv, TOps.Load(ref Unsafe.Add(ref xp, 6 * ps)), a6);
                if (p > 7) a7 = TOps.MultiplyAdd(wv, TOps.Load(ref Unsafe.Add(ref xp, 7 * ps)), a7);
                wt = ref Unsafe.Add(ref wt, Blocked16.Lanes);
                xp = ref Unsafe.Add(ref xp, dw);
            }
        }

        StoreTile<TOps, TVec, TPositions, TAct>(output, residual, hasResidual, at, first, masked, mask, act, a0, a1, a2, a3, a4, a5, a6, a7);
    }

    // A tile of a three-wide kernel row at stride TStride: input column c of the row is loaded once and multiplied into
    // every output p with c = TStride * p + k (tap k), so a tile of 8 loads 10 (stride 1) or 17 (stride 2) vectors per
    // kernel row for its 24 multiply-adds. Each output's taps are still summed in (row, column) order.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile3<TOps, TVec, TPositions, TStride, TAct>(ref float ring, ReadOnlySpan<nint> rows, ref float weights, TVec bias, nint column,
        Span<float> output, ReadOnlySpan<float> residual, bool hasResidual, nint at, int first, bool masked, TVec mask, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TPositions : struct, IConstant where TStride : struct, IConstant where TAct : struct, IActivation
    {
        TVec a0 = bias, a1 = bias, a2 = bias, a3 = bias, a4 = bias, a5 = bias, a6 = bias, a7 = bias;
        ref float wt = ref weights;
        for (int y = 0; y < rows.Length; y++)
        {
            Row3<TOps, TVec, TPositions, TStride>(ref Unsafe.Add(ref ring, rows[y] + column), ref wt, ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7);
            wt = ref Unsafe.Add(ref wt, 3 * Blocked16.Lanes);
        }

        StoreTile<TOps, TVec, TPositions, TAct>(output, residual, hasResidual, at, first, masked, mask, act, a0, a1, a2, a3, a4, a5, a6, a7);
    }

    // Two output rows (stride rows apart in the padded input) of a three-wide kernel, each tile as Tile3 sums it: twice
    // the independent accumulators of one row, for maps whose rows are one short tile.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile3Pair<TOps, TVec, TPositions, TStride, TAct>(ref float ring, ReadOnlySpan<nint> rows, nint pairOffset, ref float weights, TVec bias,
        nint column, Span<float> output, ReadOnlySpan<float> residual, bool hasResidual, nint at, nint pairAt, int first, bool masked, TVec mask, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TPositions : struct, IConstant where TStride : struct, IConstant where TAct : struct, IActivation
    {
        TVec a0 = bias, a1 = bias, a2 = bias, a3 = bias, a4 = bias, a5 = bias, a6 = bias, a7 = bias;
        TVec b0 = bias, b1 = bias, b2 = bias, b3 = bias, b4 = bias, b5 = bias, b6 = bias, b7 = bias;
        ref float wt = ref weights;
        for (int y = 0; y < rows.Length; y++)
        {
            ref float row = ref Unsafe.Add(ref ring, rows[y] + column);
            Row3<TOps, TVec, TPositions, TStride>(ref row, ref wt, ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7);
            Row3<TOps, TVec, TPositions, TStride>(ref Unsafe.Add(ref row, pairOffset), ref wt, ref b0, ref b1, ref b2, ref b3, ref b4, ref b5, ref b6, ref b7);
            wt = ref Unsafe.Add(ref wt, 3 * Blocked16.Lanes);
        }

        StoreTile<TOps, TVec, TPositions, TAct>(output, residual, hasResidual, at, first, masked, mask, act, a0, a1, a2, a3, a4, a5, a6, a7);
        StoreTile<TOps, TVec, TPositions, TAct>(output, residual, hasResidual, at + pairAt, first, masked, mask, act, b0, b1, b2, b3, b4, b5, b6, b7);
    }

    // One kernel row of a three-wide tile: input column c of the row loaded once and multiplied into every output p with
    // c = TStride * p + k (tap k, weight vector k of the row at `wt`). RowInsidePadding: stride 1 on a row read in place,
    // `row` its column 1 (the first input column), columns 0 and P + 1 (the padding) skipped; RowAfterPadding only
    // column 0 (the first tile of a wider row), RowBeforePadding only column P + 1 (the last, `row` its column 0).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row3<TOps, TVec, TPositions, TStride>(ref float row, ref float wt,
        ref TVec a0, ref TVec a1, ref TVec a2, ref TVec a3, ref TVec a4, ref TVec a5, ref TVec a6, ref TVec a7)
        where TOps : IVectorOps<TVec> where TVec : struct where TPositions : struct, IConstant where TStride : struct, IConstant
    {
        int P = TPositions.Value;
        nint lanes = TOps.Count;
        TVec w0 = TOps.Load(ref wt), w1 = TOps.Load(ref Unsafe.Add(ref wt, Blocked16.Lanes)), w2 = TOps.Load(ref Unsafe.Add(ref wt, 2 * Blocked16.Lanes));
        TVec x;
        bool padLeft = TStride.Value == RowInsidePadding.Value || TStride.Value == RowAfterPadding.Value;
        bool padRight = TStride.Value == RowInsidePadding.Value || TStride.Value == RowBeforePadding.Value;
        if (TStride.Value == 1 || padLeft || padRight)
        {
            // Column c at (c - 1) * lanes when the row starts at column 1; a padding column is not read.
            nint o = padLeft ? -lanes : 0;
            int pad = padRight ? P + 1 : -1;
            if (P > 0 && !padLeft) { x = TOps.Load(ref Unsafe.Add(ref row, 0 * lanes + o)); a0 = TOps.MultiplyAdd(w0, x, a0); }
            if (P > 0) { x = TOps.Load(ref Unsafe.Add(ref row, 1 * lanes + o)); if (P > 1) a1 = TOps.MultiplyAdd(w0, x, a1); a0 = TOps.MultiplyAdd(w1, x, a0); }
            if (P > 0 && pad != 2) { x = TOps.Load(ref Unsafe.Add(ref row, 2 * lanes + o)); if (P > 2) a2 = TOps.MultiplyAdd(w0, x, a2); if (P > 1) a1 = TOps.MultiplyAdd(w1, x, a1); a0 = TOps.MultiplyAdd(w2, x, a0); }
            if (P > 1 && pad != 3) { x = TOps.Load(ref Unsafe.Add(ref row, 3 * lanes + o)); if (P > 3) a3 = TOps.MultiplyAdd(w0, x, a3); if (P > 2) a2 = TOps.MultiplyAdd(w1, x, a2); a1 = TOps.MultiplyAdd(w2, x, a1); }
            if (P > 2 && pad != 4) { x = TOps.Load(ref Unsafe.Add(ref row, 4 * lanes + o)); if (P > 4) a4 = TOps.MultiplyAdd(w0, x, a4); if (P > 3) a3 = TOps.MultiplyAdd(w1, x, a3); a2 = TOps.MultiplyAdd(w2, x, a2); }
            if (P > 3 && pad != 5) { x = TOps.Load(ref Unsafe.Add(ref row, 5 * lanes + o)); if (P > 5) a5 = TOps.MultiplyAdd(w0, x, a5); if (P > 4) a4 = TOps.MultiplyAdd(w1, x, a4); a3 = TOps.MultiplyAdd(w2, x, a3); }
            if (P > 4 && pad != 6) { x = TOps.Load(ref Unsafe.Add(ref row, 6 * lanes + o)); if (P > 6) a6 = TOps.MultiplyAdd(w0, x, a6); if (P > 5) a5 = TOps.MultiplyAdd(w1, x, a5); a4 = TOps.MultiplyAdd(w2, x, a4); }
            if (P > 5 && pad != 7) { x = TOps.Load(ref Unsafe.Add(ref row, 7 * lanes + o)); if (P > 7) a7 = TOps.MultiplyAdd(w0, x, a7); if (P > 6) a6 = TOps.MultiplyAdd(w1, x, a6); a5 = TOps.MultiplyAdd(w2, x, a5); }
            if (P > 6 && pad != 8) { x = TOps.Load(ref Unsafe.Add(ref row, 8 * lanes + o)); if (P > 7) a7 = TOps.MultiplyAdd(w1, x, a7); a6 = TOps.MultiplyAdd(w2, x, a6); }
            if (P > 7 && pad != 9) { x = TOps.Load(ref Unsafe.Add(ref row, 9 * lanes + o)); a7 = TOps.MultiplyAdd(w2, x, a7); }
        }
        else
        {
            if (P > 0) { x = TOps.Load(ref Unsafe.Add(ref row, 0 * lanes)); a0 = TOps.MultiplyAdd(w0, x, a0); }
            if (P > 0) { x = TOps.Load(ref Unsafe.Add(ref row, 1 * lanes)); a0 = TOps.MultiplyAdd(w1, x, a0); }
            if (P > 0) { x = TOps.Load(ref Unsafe.Add(ref row, 2 * lanes)); if (P > 1) a1 = TOps.MultiplyAdd(w0, x, a1); a0 = TOps.MultiplyAdd(w2, x, a0); }
            if (P > 1) { x = TOps.Load(ref Unsafe.Add(ref row, 3 * lanes)); a1 = TOps.MultiplyAdd(w1, x, a1); }
            if (P > 1) { x = TOps.Load(ref Unsafe.Add(ref row, 4 * lanes)); if (P > 2) a2 = TOps.MultiplyAdd(w0, x, a2); a1 = TOps.MultiplyAdd(w2, x, a1); }
            if (P > 2) { x = TOps.Load(ref Unsafe.Add(ref row, 5 * lanes)); a2 = TOps.MultiplyAdd(w1, x, a2); }
            if (P > 2) { x = TOps.Load(ref Unsafe.Add(ref row, 6 * lanes)); if (P > 3) a3 = TOps.MultiplyAdd(w0, x, a3); a2 = TOps.MultiplyAdd(w2, x, a2); }
            if (P > 3) { x = TOps.Load(ref Unsafe.Add(ref row, 7 * lanes)); a3 = TOps.MultiplyAdd(w1, x, a3); }
            if (P > 3) { x = TOps.Load(ref Unsafe.Add(ref row, 8 * lanes)); if (P > 4) a4 = TOps.MultiplyAdd(w0, x, a4); a3 = TOps.MultiplyAdd(w2, x, a3); }
            if (P > 4) { x = TOps.Load(ref Unsafe.Add(ref row, 9 * lanes)); a4 = TOps.MultiplyAdd(w1, x, a4); }
            if (P > 4) { x = TOps.Load(ref Unsafe.Add(ref row, 10 * lanes)); if (P > 5) a5 = TOps.MultiplyAdd(w0, x, a5); a4 = TOps.MultiplyAdd(w2, x, a4); }
            if (P > 5) { x = TOps.Load(ref Unsafe.Add(ref row, 11 * lanes)); a5 = TOps.MultiplyAdd(w1, x, a5); }
            if (P > 5) { x = TOps.Load(ref Unsafe.Add(ref row, 12 * lanes)); if (P > 6) a6 = TOps.MultiplyAdd(w0, x, a6); a5 = TOps.MultiplyAdd(w2, x, a5); }
            if (P > 6) { x = TOps.Load(ref Unsafe.Add(ref row, 13 * lanes)); a6 = TOps.MultiplyAdd(w1, x, a6); }
            if (P > 6) { x = TOps.Load(ref Unsafe.Add(ref row, 14 * lanes)); if (P > 7) a7 = TOps.MultiplyAdd(w0, x, a7); a6 = TOps.MultiplyAdd(w2, x, a6); }
            if (P > 7) { x = TOps.Load(ref Unsafe.Add(ref row, 15 * lanes)); a7 = TOps.MultiplyAdd(w1, x, a7); }
            if (P > 7) { x = TOps.Load(ref Unsafe.Add(ref row, 16 * lanes)); a7 = TOps.MultiplyAdd(w2, x, a7); }
        }
    }

    // The stores of a tile's TPositions output vectors from `at`; positions below `first` are not stored. A whole tile
    // with no residual (most tiles of most layers) has its stores inlined with neither test (constant arguments).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreTile<TOps, TVec, TPositions, TAct>(Span<float> output, ReadOnlySpan<float> residual, bool hasResidual, nint at, int first,
        bool masked, TVec mask, TAct act, TVec a0, TVec a1, TVec a2, TVec a3, TVec a4, TVec a5, TVec a6, TVec a7)
        where TOps : IVectorOps<TVec> where TVec : struct where TPositions : struct, IConstant where TAct : struct, IActivation
    {
        if (first == 0 && !hasResidual)
            StoreTileFrom<TOps, TVec, TPositions, TAct>(output, default, false, at, 0, masked, mask, act, a0, a1, a2, a3, a4, a5, a6, a7);
        else
            StoreTileFrom<TOps, TVec, TPositions, TAct>(output, residual, hasResidual, at, first, masked, mask, act, a0, a1, a2, a3, a4, a5, a6, a7);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreTileFrom<TOps, TVec, TPositions, TAct>(Span<float> output, ReadOnlySpan<float> residual, bool hasResidual, nint at, int first,
        bool masked, TVec mask, TAct act, TVec a0, TVec a1, TVec a2, TVec a3, TVec a4, TVec a5, TVec a6, TVec a7)
        where TOps : IVectorOps<TVec> where TVec : struct where TPositions : struct, IConstant where TAct : struct, IActivation
    {
        int P = TPositions.Value;
        ref float y0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(output), at);
        ref float r0 = ref hasResidual ? ref Unsafe.Add(ref MemoryMarshal.GetReference(residual), at) : ref y0;
        if (first <= 0) Store<TOps, TVec, TAct>(ref y0, ref r0, 0, a0, hasResidual, masked, mask, act);
        if (P > 1 && first <= 1) Store<TOps, TVec, TAct>(ref y0, ref r0, 1, a1, hasResidual, masked, mask, act);
        if (P > 2 && first <= 2) Store<TOps, TVec, TAct>(ref y0, ref r0, 2, a2, hasResidual, masked, mask, act);
        if (P > 3 && first <= 3) Store<TOps, TVec, TAct>(ref y0, ref r0, 3, a3, hasResidual, masked, mask, act);
        if (P > 4 && first <= 4) Store<TOps, TVec, TAct>(ref y0, ref r0, 4, a4, hasResidual, masked, mask, act);
        if (P > 5 && first <= 5) Store<TOps, TVec, TAct>(ref y0, ref r0, 5, a5, hasResidual, masked, mask, act);
        if (P > 6 && first <= 6) Store<TOps, TVec, TAct>(ref y0, ref r0, 6, a6, hasResidual, masked, mask, act);
        if (P > 7 && first <= 7) Store<TOps, TVec, TAct>(ref y0, ref r0, 7, a7, hasResidual, masked, mask, act);
        if (!TAct.InRegisters) ActivateStored<TOps, TVec, TAct>(ref y0, first, P, masked, mask, act);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TOps, TVec, TAct>(ref float y0, ref float r0, int p, TVec value, bool hasResidual, bool masked, TVec mask, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TAct : struct, IActivation
    {
        nint at = (nint)p * Blocked16.Lanes;
        if (hasResidual) value = TOps.Add(value, TOps.Load(ref Unsafe.Add(ref r0, at)));
        if (TAct.InRegisters)
        {
            value = act.Apply<TOps, TVec>(value);
            if (!TAct.PreservesZero && masked) value = TOps.Multiply(value, mask);
        }

        TOps.Store(value, ref Unsafe.Add(ref y0, at));
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ActivateStored<TOps, TVec, TAct>(ref float y0, int first, int positions, bool masked, TVec mask, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TAct : struct, IActivation
    {
        for (int p = first; p < positions; p++)
        {
            ref float y = ref Unsafe.Add(ref y0, (nint)p * Blocked16.Lanes);
            TVec value = act.Apply<TOps, TVec>(TOps.Load(ref y));
            if (!TAct.PreservesZero && masked) value = TOps.Multiply(value, mask);
            TOps.Store(value, ref y);
        }
    }
}
