using ConvGen.Runtime.Simd;

namespace ConvGen.Runtime.Kernels;

/// <summary>
/// PyTorch <c>Conv2d</c> with groups = input channels (depthwise, any depth multiplier), stride 1, CHW → CHW, with the
/// positions on the lanes: each input plane is copied into one zero-padded plane (the plane cleared once per call, its borders then staying zero),
/// then every output channel it feeds is computed from it. 3×3 taps with dilation 1 run a register tile of
/// <see cref="TileRows"/> rows × one vector, each loaded input vector feeding up to three of its rows; other kernels
/// (and rows left over) one row × <see cref="RowTileVectors"/> vectors per tap loop; at 512 bits 3×3 taps instead stream
/// groups of <see cref="StreamVectors"/> vectors down the plane, reading the input planes in place (no copy, no clear)
/// where <see cref="ReadsInPlace"/>. The last vector of a row is shifted back to end at
/// the row's end (it recomputes a few outputs), so no store leaves its row and no read leaves the padded plane. The
/// epilogue adds the bias and applies the activation as the tile stores. Input and output must not overlap.
/// </summary>
[SkipLocalsInit]
public static partial class PlaneDepthwiseConv2d
{
    /// <summary>
    /// Packs PyTorch weights <c>[OutChannels, 1, KH, KW]</c> (BatchNorm already folded) and the bias (empty: none) into
    /// the layout of <see cref="PackedLength"/>. Done once, at load.
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

    /// <summary>The public <c>Run</c> at <paramref name="lanes"/> (16, 8, 4, 1; 0 for the widest): tests run every width.</summary>
    internal static void Run<TAct>(int lanes, ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packed, in Conv2dGeometry g,
        TAct activation, Span<float> workspace)
        where TAct : struct, IActivation
    {
        CheckGeometry(g);
        Span<float> used = Conv2d.CheckPlaneSpans(input, output, g.OutputLength, packed, PackedLengthUnchecked(g),
            workspace, WorkspaceLengthUnchecked(g), "PlaneDepthwiseConv2d", g);
        var job = new Job<TAct>(input, output, packed, used, g, activation);
        WidthDispatch.Run(lanes, ref job);
    }

    private static void CheckGeometry(in Conv2dGeometry g)
    {
        g.Validate();
        Conv2d.CheckRuns(Rejects(g), "PlaneDepthwiseConv2d", g);
    }

    private readonly ref struct Job<TAct>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packed, Span<float> workspace,
        Conv2dGeometry g, TAct activation) : IWidthKernel
        where TAct : struct, IActivation
    {
        private readonly ReadOnlySpan<float> _input = input, _packed = packed;
        private readonly Span<float> _output = output, _workspace = workspace;

        public void Run<TOps, TVec>() where TOps : IVectorOps<TVec> where TVec : struct
        {
            if (typeof(TVec) == typeof(System.Runtime.Intrinsics.Vector512<float>) && System.Runtime.Intrinsics.X86.Avx512F.IsSupported && ReadsInPlace(g))
            {
                RunInPlace(_input, _output, _packed, g, activation);
                return;
            }

            _workspace.Clear();
            int multiplier = g.OutChannels / g.InChannels, taps = g.KernelHeight * g.KernelWidth;
            nint inPlane = (nint)g.InHeight * g.InWidth, outPlane = (nint)g.OutHeight * g.OutWidth;
            ref float weights = ref MemoryMarshal.GetReference(_packed);
            ref float bias = ref Unsafe.Add(ref weights, (nint)g.WeightLength);
            for (int ic = 0; ic < g.InChannels; ic++)
            {
                CopyPlane(ref Unsafe.Add(ref MemoryMarshal.GetReference(_input), ic * inPlane), _workspace, g);
                for (int m = 0; m < multiplier; m++)
                {
                    int oc = ic * multiplier + m;
                    Convolve<TOps, TVec, TAct>(_workspace, ref Unsafe.Add(ref MemoryMarshal.GetReference(_output), oc * outPlane),
                        ref Unsafe.Add(ref weights, (nint)oc * taps), Unsafe.Add(ref bias, oc), g, activation);
                }
            }

            // An activation too long for the registers runs over the stored sums.
            if (!TAct.InRegisters) ElementwiseOps.Map<TOps, TVec, TAct>(_output, _output, activation);
        }
    }

    // One input plane into the padded plane's interior (the borders stay the zeros of the clear); rows no tap reaches
    // are skipped.
    private static void CopyPlane(ref float source, Span<float> workspace, in Conv2dGeometry g)
    {
        int width = g.InWidth, stride = RowStride(g);
        int rows = Math.Min(g.InHeight, PaddedHeight(g) - g.PadTop);
        ref float target = ref Unsafe.Add(ref MemoryMarshal.GetReference(workspace), (nint)g.PadTop * stride + Front(g));
        for (int r = 0; r < rows; r++)
            RowCopy.Copy(ref Unsafe.Add(ref source, (nint)r * width), ref Unsafe.Add(ref target, (nint)r * stride), width);
    }

    // One output channel from the padded plane: blocks of TileRows rows by the 3×3 tile where it applies, then every row
    // left (up to three, or every row for other kernels) by the general tile; its vectors in groups of RowTileVectors, a
    // short last group repeating its last vector (the same values stored again).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Convolve<TOps, TVec, TAct>(Span<float> workspace, ref float output, ref float weights, float bias, in Conv2dGeometry g, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TAct : struct, IActivation
    {
        int lanes = TOps.Count, oh = g.OutHeight, ow = g.OutWidth, stride = RowStride(g);
        int vectors = (ow + lanes - 1) / lanes;
        ref float plane = ref Unsafe.Add(ref MemoryMarshal.GetReference(workspace), (nint)(Front(g) - g.PadLeft));
        int y = 0;
        if (HasRowBlockTile(g) && lanes == Blocked16.Lanes)
        {
            // At 512 bits: groups of up to StreamVectors vectors streamed down the plane (Stream3x3).
            for (int v = 0; v < vectors; v += StreamVectors)
            {
                nint xa = Math.Min(v * lanes, ow - lanes), xb = Math.Min((v + 1) * lanes, ow - lanes) - xa, xc = Math.Min((v + 2) * lanes, ow - lanes) - xa;
                ref float at = ref Unsafe.Add(ref plane, xa);
                ref float to = ref Unsafe.Add(ref output, xa);
                switch (Math.Min(StreamVectors, vectors - v))
                {
                    case 1: Stream3x3<TOps, TVec, TAct, C1>(ref at, stride, ref to, ow, oh, xb, xc, ref weights, bias, act); break;
                    case 2: Stream3x3<TOps, TVec, TAct, C2>(ref at, stride, ref to, ow, oh, xb, xc, ref weights, bias, act); break;
                    default: Stream3x3<TOps, TVec, TAct, C3>(ref at, stride, ref to, ow, oh, xb, xc, ref weights, bias, act); break;
                }
            }

            return;
        }

        if (HasRowBlockTile(g))
        {
            y = oh / TileRows * TileRows;
            Rows3x3<TOps, TVec, TAct>(ref plane, stride, ref output, ow, y, ref weights, bias, act);
        }
        for (; y < oh; y++)
        {
            for (int v = 0; v < vectors; v += RowTileVectors)
            {
                nint xa = Math.Min(v * lanes, ow - lanes), xb = Math.Min((v + 1) * lanes, ow - lanes), xc = Math.Min((v + 2) * lanes, ow - lanes);
                TileRow<TOps, TVec, TAct>(ref Unsafe.Add(ref plane, (nint)y * stride + xa), xb - xa, xc - xa, (nint)g.DilationHeight * stride, g.DilationWidth,
                    g.KernelHeight, g.KernelWidth, ref weights, bias, ref Unsafe.Add(ref output, (nint)y * ow + xa), act);
            }
        }
    }

    // The 3×3 register tile over output rows [0, rows) (rows a multiple of TileRows) of one channel: each vector of the
    // row runs TileRows output rows down the plane (Column4), the nine weights broadcast once per channel.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Rows3x3<TOps, TVec, TAct>(ref float plane, nint stride, ref float output, int ow, int rows, ref float weights, float bias, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TAct : struct, IActivation
    {
        int lanes = TOps.Count, vectors = (ow + lanes - 1) / lanes;
        TVec w00 = TOps.Create(weights), w01 = TOps.Create(Unsafe.Add(ref weights, 1)), w02 = TOps.Create(Unsafe.Add(ref weights, 2));
        TVec w10 = TOps.Create(Unsafe.Add(ref weights, 3)), w11 = TOps.Create(Unsafe.Add(ref weights, 4)), w12 = TOps.Create(Unsafe.Add(ref weights, 5));
        TVec w20 = TOps.Create(Unsafe.Add(ref weights, 6)), w21 = TOps.Create(Unsafe.Add(ref weights, 7)), w22 = TOps.Create(Unsafe.Add(ref weights, 8));
        TVec b = TOps.Create(bias);
        for (int y = 0; y < rows; y += TileRows)
        {
            for (int v = 0; v < vectors; v++)
            {
                nint xa = Math.Min(v * lanes, ow - lanes);
                Column4<TOps, TVec, TAct>(ref Unsafe.Add(ref plane, (nint)y * stride + xa), stride, w00, w01, w02, w10, w11, w12, w20, w21, w22, b,
                    ref Unsafe.Add(ref output, (nint)y * ow + xa), ow, act);
            }
        }
    }

    // One vector of four output rows: input rows 0..5 (stride apart), each read at columns +0, +1, +2 once; input row k
    // feeds output row j's kernel row k - j (0 <= k - j <= 2). Each output row is a chain of nine multiply-adds from the
    // bias; the four rows' chains interleave.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Column4<TOps, TVec, TAct>(ref float r0, nint stride, TVec w00, TVec w01, TVec w02, TVec w10, TVec w11, TVec w12,
        TVec w20, TVec w21, TVec w22, TVec bias, ref float o0, nint ow, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TAct : struct, IActivation
    {
        ref float r = ref r0;
        TVec l = TOps.Load(ref r), m = TOps.Load(ref Unsafe.Add(ref r, 1)), q = TOps.Load(ref Unsafe.Add(ref r, 2));
        TVec a0 = TOps.MultiplyAdd(q, w02, TOps.MultiplyAdd(m, w01, TOps.MultiplyAdd(l, w00, bias)));
        r = ref Unsafe.Add(ref r, stride);
        l = TOps.Load(ref r); m = TOps.Load(ref Unsafe.Add(ref r, 1)); q = TOps.Load(ref Unsafe.Add(ref r, 2));
        a0 = TOps.MultiplyAdd(q, w12, TOps.MultiplyAdd(m, w11, TOps.MultiplyAdd(l, w10, a0)));
        TVec a1 = TOps.MultiplyAdd(q, w02, TOps.MultiplyAdd(m, w01, TOps.MultiplyAdd(l, w00, bias)));
        r = ref Unsafe.Add(ref r, stride);
        l = TOps.Load(ref r); m = TOps.Load(ref Unsafe.Add(ref r, 1)); q = TOps.Load(ref Unsafe.Add(ref r, 2));
        a0 = TOps.MultiplyAdd(q, w22, TOps.MultiplyAdd(m, w21, TOps.MultiplyAdd(l, w20, a0)));
        a1 = TOps.MultiplyAdd(q, w12, TOps.MultiplyAdd(m, w11, TOps.MultiplyAdd(l, w10, a1)));
        TVec a2 = TOps.MultiplyAdd(q, w02, TOps.MultiplyAdd(m, w01, TOps.MultiplyAdd(l, w00, bias)));
        Store<TOps, TVec, TAct>(a0, ref o0, act);
        r = ref Unsafe.Add(ref r, stride);
        l = TOps.Load(ref r); m = TOps.Load(ref Unsafe.Add(ref r, 1)); q = TOps.Load(ref Unsafe.Add(ref r, 2));
        a1 = TOps.MultiplyAdd(q, w22, TOps.MultiplyAdd(m, w21, TOps.MultiplyAdd(l, w20, a1)));
        a2 = TOps.MultiplyAdd(q, w12, TOps.MultiplyAdd(m, w11, TOps.MultiplyAdd(l, w10, a2)));
        TVec a3 = TOps.MultiplyAdd(q, w02, TOps.MultiplyAdd(m, w01, TOps.MultiplyAdd(l, w00, bias)));
        Store<TOps, TVec, TAct>(a1, ref Unsafe.Add(ref o0, ow), act);
        r = ref Unsafe.Add(ref r, stride);
        l = TOps.Load(ref r); m = TOps.Load(ref Unsafe.Add(ref r, 1)); q = TOps.Load(ref Unsafe.Add(ref r, 2));
        a2 = TOps.MultiplyAdd(q, w22, TOps.MultiplyAdd(m, w21, TOps.MultiplyAdd(l, w20, a2)));
        a3 = TOps.MultiplyAdd(q, w12, TOps.MultiplyAdd(m, w11, TOps.MultiplyAdd(l, w10, a3)));
        Store<TOps, TVec, TAct>(a2, ref Unsafe.Add(ref o0, 2 * ow), act);
        r = ref Unsafe.Add(ref r, stride);
        l = TOps.Load(ref r); m = TOps.Load(ref Unsafe.Add(ref r, 1)); q = TOps.Load(ref Unsafe.Add(ref r, 2));
        a3 = TOps.MultiplyAdd(q, w22, TOps.MultiplyAdd(m, w21, TOps.MultiplyAdd(l, w20, a3)));
        Store<TOps, TVec, TAct>(a3, ref Unsafe.Add(ref o0, 3 * ow), act);
    }

    // The general tile: one output row × vectors at 0, second and third, any kernel size and dilation, from the padded
    // plane at the row's first tap (kernel rows tapRowStep apart, columns dw apart).
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void TileRow<TOps, TVec, TAct>(ref float input, nint second, nint third, nint tapRowStep, int dw, int kh, int kw,
        ref float weights, float bias, ref float output, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TAct : struct, IActivation
    {
        TVec s0 = TOps.Zero, s1 = TOps.Zero, s2 = TOps.Zero;
        nint t = 0;
        for (int ky = 0; ky < kh; ky++)
        {
            ref float row = ref Unsafe.Add(ref input, ky * tapRowStep);
            nint offset = 0;
            for (int kx = 0; kx < kw; kx++, t++, offset += dw)
            {
                TVec w = TOps.Create(Unsafe.Add(ref weights, t));
                s0 = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref row, offset)), w, s0);
                s1 = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref row, offset + second)), w, s1);
                s2 = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref row, offset + third)), w, s2);
            }
        }
        TVec b = TOps.Create(bias);
        Store<TOps, TVec, TAct>(TOps.Add(s0, b), ref output, act);
        Store<TOps, TVec, TAct>(TOps.Add(s1, b), ref Unsafe.Add(ref output, second), act);
        Store<TOps, TVec, TAct>(TOps.Add(s2, b), ref Unsafe.Add(ref output, third), act);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TOps, TVec, TAct>(TVec sum, ref float destination, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TAct : struct, IActivation
    {
        TOps.Store(TAct.InRegisters ? act.Apply<TOps, TVec>(sum) : sum, ref destination);
    }
}
