using System.Runtime.Intrinsics;
using ConvGen.Runtime.Simd;

namespace ConvGen.Runtime.Kernels;

/// <summary>
/// PyTorch <c>Conv2d</c> (cross-correlation, batch 1, groups = 1, stride 1) CHW → CHW, computed directly with the
/// positions on the lanes: the input is copied once into zero-padded planes, then a register tile of
/// <see cref="TileChannels"/> output channels × <see cref="TileRows"/> rows × <see cref="TileVectors"/> vectors
/// accumulates, per input channel and tap, the padded input row read at the tap's offset times a broadcast weight:
/// each input vector feeds three multiply-adds and each weight four. The last vector of a row is shifted back to end
/// at the row's end (it recomputes a few outputs), so no store leaves its row and no read leaves the padded plane.
/// The epilogue adds the bias and applies the activation as the tile stores. Input and output must not overlap.
/// </summary>
[SkipLocalsInit]
public static partial class PlaneConv2d
{
    /// <summary>
    /// Packs PyTorch weights <c>[OutChannels, InChannels, KH, KW]</c> (BatchNorm already folded) and the bias (empty:
    /// none) into the layout of <see cref="PackedLength"/>. Done once, at load.
    /// </summary>
    public static float[] Pack(ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, in Conv2dGeometry g)
    {
        CheckGeometry(g);
        return Conv2d.WeightsThenBias(weights, bias, g, PackedLengthUnchecked(g));
    }

    /// <summary>
    /// Runs the convolution: <paramref name="input"/> and <paramref name="output"/> CHW; <paramref name="packed"/> from
    /// <see cref="Pack"/>; <paramref name="workspace"/> at least <see cref="WorkspaceLength"/> floats.
    /// </summary>
    public static void Run<TAct>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packed, in Conv2dGeometry g,
        TAct activation, Span<float> workspace)
        where TAct : struct, IActivation
        => Run(0, input, output, packed, g, activation, workspace);

    /// <summary>
    /// The public <c>Run</c> followed by PyTorch's <c>max_pool2d(kernel 2, stride 2)</c> of the activated output,
    /// fused into the store: each row pair of the tile is pooled from the workspace into one output row, so the full
    /// convolution output is never written. <paramref name="output"/> has <see cref="PooledOutputLength"/> floats;
    /// the geometry must pass <see cref="PoolRejects"/>.
    /// </summary>
    public static void RunPooled<TAct>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packed, in Conv2dGeometry g,
        TAct activation, Span<float> workspace)
        where TAct : struct, IActivation
        => Run(0, input, output, packed, g, activation, workspace, pooled: true);

    /// <summary>The public <c>Run</c> or <c>RunPooled</c> at <paramref name="lanes"/> (16, 8, 4, 1; 0 for the widest): tests run every width.</summary>
    internal static void Run<TAct>(int lanes, ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packed, in Conv2dGeometry g,
        TAct activation, Span<float> workspace, bool pooled = false)
        where TAct : struct, IActivation
    {
        CheckGeometry(g);
        if (pooled) Conv2d.CheckRuns(PoolRejects(g), "PlaneConv2d with its 2x2 max pool", g);
        Span<float> used = Conv2d.CheckPlaneSpans(input, output, pooled ? PooledOutputLength(g) : g.OutputLength, packed, PackedLengthUnchecked(g),
            workspace, WorkspaceLengthUnchecked(g), "PlaneConv2d", g);
        var job = new Job<TAct>(input, output, packed, used, g, activation, pooled);
        WidthDispatch.Run(lanes, ref job);
    }

    private static void CheckGeometry(in Conv2dGeometry g)
    {
        g.Validate();
        Conv2d.CheckRuns(Rejects(g), "PlaneConv2d", g);
    }

    private readonly ref struct Job<TAct>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packed, Span<float> workspace,
        Conv2dGeometry g, TAct activation, bool pooled) : IWidthKernel
        where TAct : struct, IActivation
    {
        private readonly ReadOnlySpan<float> _input = input, _packed = packed;
        private readonly Span<float> _output = output, _workspace = workspace;

        public void Run<TOps, TVec>() where TOps : IVectorOps<TVec> where TVec : struct
        {
            // The input planes into [InChannels][PaddedHeight][PaddedWidth], zeros where a tap falls outside the input.
            RowCopy.PadPlanes(_input, _workspace, g.InChannels, 1, g.InHeight, g.InWidth, g.PadTop, g.PadLeft, PaddedHeight(g), PaddedWidth(g));
            Convolve<TOps, TVec, TAct>(_workspace, _output, _packed, g, activation, pooled);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Convolve<TOps, TVec, TAct>(Span<float> workspace, Span<float> output, ReadOnlySpan<float> packed, in Conv2dGeometry g, TAct act,
        bool pooled)
        where TOps : IVectorOps<TVec> where TVec : struct where TAct : struct, IActivation
    {
        int lanes = TOps.Count, channels = g.OutChannels, oh = g.OutHeight, ow = g.OutWidth, pw = PaddedWidth(g);
        int cin = g.InChannels, kh = g.KernelHeight, kw = g.KernelWidth, dh = g.DilationHeight, dw = g.DilationWidth;
        int taps = cin * kh * kw;
        nint plane = (nint)PaddedHeight(g) * pw, outPlane = (nint)oh * ow;
        ref float weights = ref MemoryMarshal.GetReference(packed);
        ref float bias = ref Unsafe.Add(ref weights, (nint)g.WeightLength);
        ref float source = ref MemoryMarshal.GetReference(workspace);
        ref float target = ref MemoryMarshal.GetReference(output);
        // Pooled: the tile stores its rows here, [channel slot][row of the pair][OutWidth], then pools them.
        ref float tileRows = ref Unsafe.Add(ref source, cin * plane);
        int pooledWidth = ow / 2;
        nint pooledPlane = (nint)(oh / 2) * pooledWidth;
        int tileChannels = FmaPolicy.IsFused ? TileChannels : UnfusedTileChannels;
        for (int c0 = 0; c0 < channels; c0 += tileChannels)
        {
            // A group short of its channels repeats its last one: same values stored twice.
            int c1 = Math.Min(c0 + 1, channels - 1), c2 = Math.Min(c0 + 2, channels - 1);
            ref float w0 = ref Unsafe.Add(ref weights, (nint)c0 * taps);
            ref float w1 = ref Unsafe.Add(ref weights, (nint)c1 * taps);
            ref float w2 = ref Unsafe.Add(ref weights, (nint)c2 * taps);
            for (int y0 = 0; y0 < oh; y0 += TileRows)
            {
                int y1 = Math.Min(y0 + 1, oh - 1);
                for (int x0 = 0; x0 < ow; x0 += TileVectors * lanes)
                {
                    // Both vectors inside the row: the last one ends at the row's end.
                    nint xa = Math.Min(x0, ow - lanes), xb = Math.Min(x0 + lanes, ow - lanes);
                    // Pooled: the tile's rows go to the workspace, [channel slot][row of the pair][OutWidth], pooled below.
                    ref float o0 = ref pooled ? ref tileRows : ref Unsafe.Add(ref target, c0 * outPlane);
                    ref float o1 = ref pooled ? ref Unsafe.Add(ref tileRows, 2 * ow) : ref Unsafe.Add(ref target, c1 * outPlane);
                    ref float o2 = ref pooled ? ref Unsafe.Add(ref tileRows, 4 * ow) : ref Unsafe.Add(ref target, c2 * outPlane);
                    nint ya = pooled ? 0 : (nint)y0 * ow, yb = pooled ? ow : (nint)y1 * ow;
                    var tile = new Tile(Unsafe.Add(ref bias, c0), Unsafe.Add(ref bias, c1), Unsafe.Add(ref bias, c2));
                    if (FmaPolicy.IsFused)
                        Accumulate<TOps, TVec, C3, TAct>(ref Unsafe.Add(ref source, (nint)y0 * pw + xa), (nint)(y1 - y0) * pw, xb - xa, plane, (nint)dh * pw, dw,
                            cin, kh, kw, ref w0, ref w1, ref w2, ref Unsafe.Add(ref o0, ya + xa), ref Unsafe.Add(ref o1, ya + xa), ref Unsafe.Add(ref o2, ya + xa),
                            yb - ya, tile, act);
                    else
                        Accumulate<TOps, TVec, C2, TAct>(ref Unsafe.Add(ref source, (nint)y0 * pw + xa), (nint)(y1 - y0) * pw, xb - xa, plane, (nint)dh * pw, dw,
                            cin, kh, kw, ref w0, ref w1, ref w2, ref Unsafe.Add(ref o0, ya + xa), ref Unsafe.Add(ref o1, ya + xa), ref Unsafe.Add(ref o2, ya + xa),
                            yb - ya, tile, act);
                }

                if (!pooled) continue;
                // The row pair of each channel of the group (a repeated last channel once) into one pooled row.
                for (int slot = 0; slot < tileChannels && c0 + slot < channels; slot++)
                {
                    ref float rows = ref Unsafe.Add(ref tileRows, slot * 2 * ow);
                    if (!TAct.InRegisters)
                    {
                        Span<float> pair = MemoryMarshal.CreateSpan(ref rows, 2 * ow);
                        ElementwiseOps.Map<TOps, TVec, TAct>(pair, pair, act);
                    }
                    PoolRows<TOps, TVec>(ref rows, ref Unsafe.Add(ref rows, ow),
                        ref Unsafe.Add(ref target, (c0 + slot) * pooledPlane + (nint)(y0 / 2) * pooledWidth), pooledWidth);
                }
            }
        }

        // An activation too long for the registers runs over the stored sums, while they are in L1.
        if (!TAct.InRegisters && !pooled) ElementwiseOps.Map<TOps, TVec, TAct>(output, output, act);
    }

    private readonly record struct Tile(float Bias0, float Bias1, float Bias2);

    /// <summary>
    /// Output channels of the register tile where multiply-adds are not fused (<see cref="FmaPolicy.IsFused"/>): each
    /// then needs a register for its product, and three channels (12 accumulators, 4 input vectors, the weight and the
    /// product: 18 of the 16 registers) would keep two accumulators in memory; two channels take 14.
    /// </summary>
    private const int UnfusedTileChannels = 2;

    // The register tile: TChannels (3, or 2 without FMA) channels (weights w0..w2, outputs o0..o2) x 2 rows (rowStep
    // apart in the input and outputRowStep in the output) x 2 vectors (`second` apart), from `input` (the padded plane
    // of input channel 0 at the tile's first row and column); kept apart from the loops around it so that the JIT has
    // every register for it.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Accumulate<TOps, TVec, TChannels, TAct>(ref float input, nint rowStep, nint second, nint plane, nint tapRowStep, int dw,
        int cin, int kh, int kw, ref float w0, ref float w1, ref float w2, ref float o0, ref float o1, ref float o2, nint outputRowStep,
        Tile tile, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TChannels : struct, IConstant where TAct : struct, IActivation
    {
        TVec s000 = TOps.Zero, s001 = TOps.Zero, s010 = TOps.Zero, s011 = TOps.Zero;
        TVec s100 = TOps.Zero, s101 = TOps.Zero, s110 = TOps.Zero, s111 = TOps.Zero;
        TVec s200 = TOps.Zero, s201 = TOps.Zero, s210 = TOps.Zero, s211 = TOps.Zero;
        nint t = 0;
        for (int ic = 0; ic < cin; ic++)
        {
            ref float channel = ref Unsafe.Add(ref input, ic * plane);
            for (int ky = 0; ky < kh; ky++)
            {
                ref float ra = ref Unsafe.Add(ref channel, ky * tapRowStep);
                ref float rb = ref Unsafe.Add(ref ra, rowStep);
                nint offset = 0;
                for (int kx = 0; kx < kw; kx++, t++, offset += dw)
                {
                    TVec a0 = TOps.Load(ref Unsafe.Add(ref ra, offset)), a1 = TOps.Load(ref Unsafe.Add(ref ra, offset + second));
                    TVec b0 = TOps.Load(ref Unsafe.Add(ref rb, offset)), b1 = TOps.Load(ref Unsafe.Add(ref rb, offset + second));
                    TVec w = TOps.Create(Unsafe.Add(ref w0, t));
                    s000 = TOps.MultiplyAdd(a0, w, s000);
                    s001 = TOps.MultiplyAdd(a1, w, s001);
                    s010 = TOps.MultiplyAdd(b0, w, s010);
                    s011 = TOps.MultiplyAdd(b1, w, s011);
                    w = TOps.Create(Unsafe.Add(ref w1, t));
                    s100 = TOps.MultiplyAdd(a0, w, s100);
                    s101 = TOps.MultiplyAdd(a1, w, s101);
                    s110 = TOps.MultiplyAdd(b0, w, s110);
                    s111 = TOps.MultiplyAdd(b1, w, s111);
                    if (Unsafe.SizeOf<TChannels>() > 2)
                    {
                        w = TOps.Create(Unsafe.Add(ref w2, t));
                        s200 = TOps.MultiplyAdd(a0, w, s200);
                        s201 = TOps.MultiplyAdd(a1, w, s201);
                        s210 = TOps.MultiplyAdd(b0, w, s210);
                        s211 = TOps.MultiplyAdd(b1, w, s211);
                    }
                }
            }
        }

        TVec bias0 = TOps.Create(tile.Bias0), bias1 = TOps.Create(tile.Bias1), bias2 = TOps.Create(tile.Bias2);
        Store<TOps, TVec, TAct>(s000, bias0, ref o0, act);
        Store<TOps, TVec, TAct>(s001, bias0, ref Unsafe.Add(ref o0, second), act);
        Store<TOps, TVec, TAct>(s010, bias0, ref Unsafe.Add(ref o0, outputRowStep), act);
        Store<TOps, TVec, TAct>(s011, bias0, ref Unsafe.Add(ref o0, outputRowStep + second), act);
        Store<TOps, TVec, TAct>(s100, bias1, ref o1, act);
        Store<TOps, TVec, TAct>(s101, bias1, ref Unsafe.Add(ref o1, second), act);
        Store<TOps, TVec, TAct>(s110, bias1, ref Unsafe.Add(ref o1, outputRowStep), act);
        Store<TOps, TVec, TAct>(s111, bias1, ref Unsafe.Add(ref o1, outputRowStep + second), act);
        if (Unsafe.SizeOf<TChannels>() < 3) return;
        Store<TOps, TVec, TAct>(s200, bias2, ref o2, act);
        Store<TOps, TVec, TAct>(s201, bias2, ref Unsafe.Add(ref o2, second), act);
        Store<TOps, TVec, TAct>(s210, bias2, ref Unsafe.Add(ref o2, outputRowStep), act);
        Store<TOps, TVec, TAct>(s211, bias2, ref Unsafe.Add(ref o2, outputRowStep + second), act);
    }

    // output[j] = max over rows a and b, columns 2j and 2j + 1, for j < n: rows narrower than a vector at the next
    // narrower width (16 to 8, 8 to 4 floats), picked here at JIT time, so that the call inlines into the tile loop.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PoolRows<TOps, TVec>(ref float a, ref float b, ref float output, int n)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        if (TOps.Count == 16 && n < 16)
        {
            if (n >= 8) PoolRowsAt<Vec256, Vector256<float>>(ref a, ref b, ref output, n);
            else PoolRowsAt<Vec128, Vector128<float>>(ref a, ref b, ref output, n);
        }
        else if (TOps.Count == 8 && n < 8) PoolRowsAt<Vec128, Vector128<float>>(ref a, ref b, ref output, n);
        else PoolRowsAt<TOps, TVec>(ref a, ref b, ref output, n);
    }

    // The last vector overlaps the previous one; rows narrower than the vector (or no deinterleave) one float at a time.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PoolRowsAt<TOps, TVec>(ref float a, ref float b, ref float output, int n)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        int lanes = TOps.Count;
        if (n >= lanes && lanes > 1 && LaneShuffle.CanDeinterleave<TVec>())
        {
            for (int j = 0; ; j += lanes)
            {
                if (j > n - lanes) j = n - lanes;
                nint at = 2 * (nint)j;
                TVec lo = TOps.Max(TOps.Load(ref Unsafe.Add(ref a, at)), TOps.Load(ref Unsafe.Add(ref b, at)));
                TVec hi = TOps.Max(TOps.Load(ref Unsafe.Add(ref a, at + lanes)), TOps.Load(ref Unsafe.Add(ref b, at + lanes)));
                TOps.Store(TOps.Max(LaneShuffle.Even(lo, hi), LaneShuffle.Odd(lo, hi)), ref Unsafe.Add(ref output, j));
                if (j + lanes >= n) break;
            }
            return;
        }

        for (int j = 0; j < n; j++)
        {
            nint at = 2 * (nint)j;
            Unsafe.Add(ref output, j) = Scalar.Max(Scalar.Max(Unsafe.Add(ref a, at), Unsafe.Add(ref a, at + 1)),
                Scalar.Max(Unsafe.Add(ref b, at), Unsafe.Add(ref b, at + 1)));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TOps, TVec, TAct>(TVec sum, TVec bias, ref float destination, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TAct : struct, IActivation
    {
        sum = TOps.Add(sum, bias);
        TOps.Store(TAct.InRegisters ? act.Apply<TOps, TVec>(sum) : sum, ref destination);
    }
}
