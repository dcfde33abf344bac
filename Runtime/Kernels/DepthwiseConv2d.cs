using ConvGen.Runtime.Simd;

namespace ConvGen.Runtime.Kernels;

/// <summary>
/// PyTorch <c>Conv2d</c> with groups = input channels (depthwise, any depth multiplier) on blocked tensors: 16 channels
/// per vector, each output vector the sum over the kernel's taps of a weight vector times an input vector, with no
/// per-channel copies. Any kernel, stride, padding and dilation.
/// </summary>
/// <remarks>
/// Per output row the kernel rows that fall inside the input are found once; the row's columns split into an
/// interior, where every tap is inside the input, run as tiles of up to 8 positions (8 accumulators, one weight vector
/// per tap shared by the tile), and the border columns, each with its own range of kernel columns. The epilogue adds
/// bias, then the residual (same shape and layout as the output; it may be the output span itself), then applies the
/// activation; padding lanes stay zero. Input and output must not overlap.
/// </remarks>
[SkipLocalsInit]
public static partial class DepthwiseConv2d
{
    /// <summary>Most positions of an interior tile.</summary>
    private const int MaxPositions = 8;

    /// <summary>Packs PyTorch weights <c>[OutChannels, 1, KH, KW]</c> and the bias (empty: none) as <see cref="PackedLength"/> says.</summary>
    public static float[] Pack(ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, in Conv2dGeometry g)
    {
        g.Validate();
        string? problem = Rejects(g);
        if (problem is not null) throw new ArgumentException($"DepthwiseConv2d cannot run {DirectConv2d.Describe(g)}: {problem}.", nameof(g));
        Conv2d.CheckLength(weights.Length, g.WeightLength, nameof(weights));
        Conv2d.CheckBias(bias.Length, g.OutChannels);
        var packed = new float[PackedLength(g)];
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
        string? problem = Rejects(g);
        if (problem is not null) throw new ArgumentException($"DepthwiseConv2d cannot run {DirectConv2d.Describe(g)}: {problem}.", nameof(g));
        Conv2d.CheckLength(input.Length, Blocked16.Length(g.InChannels, g.InHeight * g.InWidth), nameof(input));
        int outputLength = Blocked16.Length(g.OutChannels, g.OutHeight * g.OutWidth);
        Conv2d.CheckLength(output.Length, outputLength, nameof(output));
        Conv2d.CheckLength(packed.Length, PackedLength(g), nameof(packed));
        if (!residual.IsEmpty) Conv2d.CheckLength(residual.Length, outputLength, nameof(residual));
        if (input.Overlaps(output)) throw new ArgumentException("input and output must not overlap.", nameof(output));
        int needed = WorkspaceLength(g);
        if (workspace.Length < needed)
            throw new ArgumentException($"workspace has {workspace.Length} floats; DepthwiseConv2d needs {needed} for {DirectConv2d.Describe(g)}.", nameof(workspace));
        if (needed > 0)
        {
            Expand(input, workspace.Slice(0, needed), g.InChannels, g.OutChannels / g.InChannels, g.InHeight * g.InWidth);
            input = workspace.Slice(0, needed);
        }

        var job = new Job<TAct>(input, output, packed, residual, g, activation);
        WidthDispatch.Run(lanes, ref job);
    }

    // Channel c of the expanded tensor is input channel c / multiplier.
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
        Conv2dGeometry g, TAct activation) : IWidthKernel
        where TAct : struct, IActivation
    {
        private readonly ReadOnlySpan<float> _input = input, _packed = packed, _residual = residual;
        private readonly Span<float> _output = output;

        public void Run<TOps, TVec>() where TOps : IVectorOps<TVec> where TVec : struct =>
            Convolve<TOps, TVec, TAct>(_input, _output, _packed, _residual, g, activation);
    }

    /// <summary>One tile of one output row, for one vector of channels: the taps it reads and where it stores.</summary>
    private ref struct Segment
    {
        public ref float Weights;   // tap (0, 0) of this vector of channels
        public ref float Input;     // this vector's input plane
        public ref float Output;    // this vector's output plane
        public ref float Residual;
        public bool HasResidual;
        public ref float Bias;
        public ref float Mask;
        public bool Masked;
        public nint InputOffset;    // input of tap (0, 0) of the tile's first position (negative in the padding)
        public nint OutputOffset;
        public int KhFrom, KhTo, KwFrom, KwTo, KernelWidth;
        public nint TapRowStride, TapColumnStride, PositionStride;
        public int FirstStored;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Convolve<TOps, TVec, TAct>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packed,
        ReadOnlySpan<float> residual, in Conv2dGeometry g, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TAct : struct, IActivation
    {
        int lanes = TOps.Count, perBlock = Blocked16.Lanes / lanes;
        int blocks = Blocked16.Blocks(g.OutChannels), taps = g.KernelHeight * g.KernelWidth;
        int h = g.InHeight, w = g.InWidth, oh = g.OutHeight, ow = g.OutWidth;
        int sh = g.StrideHeight, sw = g.StrideWidth, dh = g.DilationHeight, dw = g.DilationWidth, kh = g.KernelHeight, kw = g.KernelWidth;
        nint inPlane = (nint)h * w * Blocked16.Lanes, outPlane = (nint)oh * ow * Blocked16.Lanes;
        // Interior columns: every kernel column inside the input.
        int interiorFrom = Math.Min(ow, (g.PadLeft + sw - 1) / sw);
        int lastStart = w - 1 + g.PadLeft - (kw - 1) * dw;
        int interiorTo = lastStart < 0 ? 0 : Math.Min(ow, lastStart / sw + 1);
        if (interiorTo < interiorFrom) interiorTo = interiorFrom;
        int lastLanes = g.OutChannels - (blocks - 1) * Blocked16.Lanes;
        Span<float> mask = stackalloc float[Blocked16.Lanes];
        for (int l = 0; l < Blocked16.Lanes; l++) mask[l] = l < lastLanes ? 1f : 0f;

        ref float wr = ref MemoryMarshal.GetReference(packed);
        ref float biasRef = ref Unsafe.Add(ref wr, (nint)blocks * taps * Blocked16.Lanes);
        scoped var s = new Segment
        {
            HasResidual = !residual.IsEmpty,
            KernelWidth = kw,
            TapRowStride = (nint)dh * w * Blocked16.Lanes,
            TapColumnStride = (nint)dw * Blocked16.Lanes,
            PositionStride = (nint)sw * Blocked16.Lanes,
        };
        int positions = Math.Min(MaxPositions, interiorTo - interiorFrom);
        for (int v = 0; v < blocks * perBlock; v++)
        {
            int block = v / perBlock, lane = v % perBlock * lanes;
            s.Weights = ref Unsafe.Add(ref wr, (nint)block * taps * Blocked16.Lanes + lane);
            s.Bias = ref Unsafe.Add(ref biasRef, (nint)block * Blocked16.Lanes + lane);
            s.Masked = !TAct.PreservesZero && block == blocks - 1 && lastLanes < Blocked16.Lanes;
            s.Mask = ref Unsafe.Add(ref MemoryMarshal.GetReference(mask), lane);
            s.Input = ref Unsafe.Add(ref MemoryMarshal.GetReference(input), block * inPlane + lane);
            s.Output = ref Unsafe.Add(ref MemoryMarshal.GetReference(output), block * outPlane + lane);
            if (s.HasResidual) s.Residual = ref Unsafe.Add(ref MemoryMarshal.GetReference(residual), block * outPlane + lane);
            for (int oy = 0; oy < oh; oy++)
            {
                int top = oy * sh - g.PadTop;
                s.KhFrom = top >= 0 ? 0 : (-top + dh - 1) / dh;
                s.KhTo = top >= h ? 0 : Math.Min(kh, (h - 1 - top) / dh + 1);
                if (s.KhTo < s.KhFrom) s.KhTo = s.KhFrom;
                nint rowIn = (nint)top * w * Blocked16.Lanes - (nint)g.PadLeft * Blocked16.Lanes;
                nint rowOut = (nint)oy * ow * Blocked16.Lanes;
                for (int ox = 0; ox < interiorFrom; ox++) Border<TOps, TVec, TAct>(ref s, act, rowIn, rowOut, ox, g);
                if (positions > 0)
                {
                    s.KwFrom = 0;
                    s.KwTo = kw;
                    switch (positions)
                    {
                        case 1: Interior<TOps, TVec, C1, TAct>(ref s, act, rowIn, rowOut, interiorFrom, interiorTo); break;
                        case 2: Interior<TOps, TVec, C2, TAct>(ref s, act, rowIn, rowOut, interiorFrom, interiorTo); break;
                        case 3: Interior<TOps, TVec, C3, TAct>(ref s, act, rowIn, rowOut, interiorFrom, interiorTo); break;
                        case 4: Interior<TOps, TVec, C4, TAct>(ref s, act, rowIn, rowOut, interiorFrom, interiorTo); break;
                        case 5: Interior<TOps, TVec, C5, TAct>(ref s, act, rowIn, rowOut, interiorFrom, interiorTo); break;
                        case 6: Interior<TOps, TVec, C6, TAct>(ref s, act, rowIn, rowOut, interiorFrom, interiorTo); break;
                        case 7: Interior<TOps, TVec, C7, TAct>(ref s, act, rowIn, rowOut, interiorFrom, interiorTo); break;
                        default: Interior<TOps, TVec, C8, TAct>(ref s, act, rowIn, rowOut, interiorFrom, interiorTo); break;
                    }
                }

                for (int ox = interiorTo; ox < ow; ox++) Border<TOps, TVec, TAct>(ref s, act, rowIn, rowOut, ox, g);
            }
        }
    }

    // Columns [from, to) of the interior in tiles of TPositions, the last tile moved back to end at `to`.
    private static void Interior<TOps, TVec, TPositions, TAct>(scoped ref Segment s, TAct act, nint rowIn, nint rowOut, int from, int to)
        where TOps : IVectorOps<TVec> where TVec : struct where TPositions : struct, IConstant where TAct : struct, IActivation
    {
        int p = TPositions.Value;
        for (int c0 = from; c0 < to; c0 += p)
        {
            int start = c0;
            s.FirstStored = 0;
            if (c0 + p > to)
            {
                start = to - p;
                s.FirstStored = c0 - start;
            }

            s.InputOffset = rowIn + start * s.PositionStride;
            s.OutputOffset = rowOut + (nint)start * Blocked16.Lanes;
            Tile<TOps, TVec, TPositions, TAct>(ref s, act);
        }
    }

    // One border column: only the kernel columns inside the input.
    private static void Border<TOps, TVec, TAct>(scoped ref Segment s, TAct act, nint rowIn, nint rowOut, int ox, in Conv2dGeometry g)
        where TOps : IVectorOps<TVec> where TVec : struct where TAct : struct, IActivation
    {
        int left = ox * g.StrideWidth - g.PadLeft;
        s.KwFrom = left >= 0 ? 0 : (-left + g.DilationWidth - 1) / g.DilationWidth;
        s.KwTo = left >= g.InWidth ? 0 : Math.Min(g.KernelWidth, (g.InWidth - 1 - left) / g.DilationWidth + 1);
        if (s.KwTo < s.KwFrom) s.KwTo = s.KwFrom;
        s.FirstStored = 0;
        s.InputOffset = rowIn + ox * s.PositionStride;
        s.OutputOffset = rowOut + (nint)ox * Blocked16.Lanes;
        Tile<TOps, TVec, C1, TAct>(ref s, act);
    }

    // TPositions output vectors: bias, plus weight vector times input vector over the segment's taps, then residual,
    // activation and mask as they store.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TOps, TVec, TPositions, TAct>(scoped ref Segment s, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TPositions : struct, IConstant where TAct : struct, IActivation
    {
        int p = TPositions.Value;
        TVec b = TOps.Load(ref s.Bias);
        TVec a0 = b, a1 = b, a2 = b, a3 = b, a4 = b, a5 = b, a6 = b, a7 = b;
        nint ps = s.PositionStride, tcs = s.TapColumnStride;
        for (int y = s.KhFrom; y < s.KhTo; y++)
        {
            nint row = s.InputOffset + y * s.TapRowStride;
            ref float wRow = ref Unsafe.Add(ref s.Weights, (nint)y * s.KernelWidth * Blocked16.Lanes);
            for (int x = s.KwFrom; x < s.KwTo; x++)
            {
                TVec wv = TOps.Load(ref Unsafe.Add(ref wRow, (nint)x * Blocked16.Lanes));
                ref float xp = ref Unsafe.Add(ref s.Input, row + x * tcs);
                a0 = TOps.MultiplyAdd(wv, TOps.Load(ref xp), a0);
                if (p > 1) a1 = TOps.MultiplyAdd(wv, TOps.Load(ref Unsafe.Add(ref xp, ps)), a1);
                if (p > 2) a2 = TOps.MultiplyAdd(wv, TOps.Load(ref Unsafe.Add(ref xp, 2 * ps)), a2);
                if (p > 3) a3 = TOps.MultiplyAdd(wv, TOps.Load(ref Unsafe.Add(ref xp, 3 * ps)), a3);
                if (p > 4) a4 = TOps.MultiplyAdd(wv, TOps.Load(ref Unsafe.Add(ref xp, 4 * ps)), a4);
                if (p > 5) a5 = TOps.MultiplyAdd(wv, TOps.Load(ref Unsafe.Add(ref xp, 5 * ps)), a5);
                if (p > 6) a6 = TOps.MultiplyAdd(wv, TOps.Load(ref Unsafe.Add(ref xp, 6 * ps)), a6);
                if (p > 7) a7 = TOps.MultiplyAdd(wv, TOps.Load(ref Unsafe.Add(ref xp, 7 * ps)), a7);
            }
        }

        int first = s.FirstStored;
        if (first <= 0) Store<TOps, TVec, TAct>(ref s, act, 0, a0);
        if (p > 1 && first <= 1) Store<TOps, TVec, TAct>(ref s, act, 1, a1);
        if (p > 2 && first <= 2) Store<TOps, TVec, TAct>(ref s, act, 2, a2);
        if (p > 3 && first <= 3) Store<TOps, TVec, TAct>(ref s, act, 3, a3);
        if (p > 4 && first <= 4) Store<TOps, TVec, TAct>(ref s, act, 4, a4);
        if (p > 5 && first <= 5) Store<TOps, TVec, TAct>(ref s, act, 5, a5);
        if (p > 6 && first <= 6) Store<TOps, TVec, TAct>(ref s, act, 6, a6);
        if (p > 7 && first <= 7) Store<TOps, TVec, TAct>(ref s, act, 7, a7);
        if (!TAct.InRegisters) ActivateStored<TOps, TVec, TAct>(ref s, act, p);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TOps, TVec, TAct>(scoped ref Segment s, TAct act, int p, TVec value)
        where TOps : IVectorOps<TVec> where TVec : struct where TAct : struct, IActivation
    {
        nint at = s.OutputOffset + (nint)p * Blocked16.Lanes;
        if (s.HasResidual) value = TOps.Add(value, TOps.Load(ref Unsafe.Add(ref s.Residual, at)));
        if (TAct.InRegisters)
        {
            value = act.Apply<TOps, TVec>(value);
            if (!TAct.PreservesZero && s.Masked) value = TOps.Multiply(value, TOps.Load(ref s.Mask));
        }

        TOps.Store(value, ref Unsafe.Add(ref s.Output, at));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ActivateStored<TOps, TVec, TAct>(scoped ref Segment s, TAct act, int positions)
        where TOps : IVectorOps<TVec> where TVec : struct where TAct : struct, IActivation
    {
        for (int p = s.FirstStored; p < positions; p++)
        {
            ref float y = ref Unsafe.Add(ref s.Output, s.OutputOffset + (nint)p * Blocked16.Lanes);
            TVec value = act.Apply<TOps, TVec>(TOps.Load(ref y));
            if (!TAct.PreservesZero && s.Masked) value = TOps.Multiply(value, TOps.Load(ref s.Mask));
            TOps.Store(value, ref y);
        }
    }
}
