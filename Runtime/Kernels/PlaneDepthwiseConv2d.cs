using ConvGen.Runtime.Simd;

namespace ConvGen.Runtime.Kernels;

/// <summary>
/// PyTorch <c>Conv2d</c> with groups = input channels (depthwise, any depth multiplier), stride 1, CHW → CHW, with the
/// positions on the lanes: each input plane is copied into one zero-padded plane (its borders cleared once per call),
/// then every output channel it feeds is computed from it. 3×3 taps with dilation 1 run a register tile of
/// <see cref="TileRows"/> rows × <see cref="TileVectors"/> vectors, each loaded input vector feeding both rows; other
/// kernels one row × <see cref="TileVectors"/> vectors per tap loop. The last vector of a row is shifted back to end at
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
        Conv2d.CheckLength(weights.Length, g.WeightLength, nameof(weights));
        Conv2d.CheckBias(bias.Length, g.OutChannels);
        var packed = new float[PackedLength(g)];
        weights.CopyTo(packed);
        bias.CopyTo(packed.AsSpan(g.WeightLength));
        return packed;
    }

    /// <summary>
    /// Runs the convolution: <paramref name="input"/> and <paramref name="output"/> CHW; <paramref name="packed"/> from
    /// <see cref="Pack"/>; <paramref name="workspace"/> at least <see cref="WorkspaceLength"/> floats.
    /// </summary>
    public static void Run<TAct>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packed, in Conv2dGeometry g,
        TAct activation, Span<float> workspace)
        where TAct : struct, IActivation
        => Run(0, input, output, packed, g, activation, workspace);

    /// <summary><see cref="Run{TAct}"/> at <paramref name="lanes"/> (16, 8, 4, 1; 0 for the widest): tests run every width.</summary>
    internal static void Run<TAct>(int lanes, ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packed, in Conv2dGeometry g,
        TAct activation, Span<float> workspace)
        where TAct : struct, IActivation
    {
        CheckGeometry(g);
        Conv2d.CheckLength(input.Length, g.InputLength, nameof(input));
        Conv2d.CheckLength(output.Length, g.OutputLength, nameof(output));
        Conv2d.CheckLength(packed.Length, PackedLength(g), nameof(packed));
        int needed = WorkspaceLength(g);
        if (workspace.Length < needed)
            throw new ArgumentException($"workspace has {workspace.Length} floats; PlaneDepthwiseConv2d needs {needed} for {DirectConv2d.Describe(g)}.", nameof(workspace));
        if (input.Overlaps(output)) throw new ArgumentException("input and output must not overlap.", nameof(output));
        if (workspace.Slice(0, needed).Overlaps(input) || workspace.Slice(0, needed).Overlaps(output))
            throw new ArgumentException("workspace must not overlap the input or the output.", nameof(workspace));
        var job = new Job<TAct>(input, output, packed, workspace.Slice(0, needed), g, activation);
        WidthDispatch.Run(lanes, ref job);
    }

    private static void CheckGeometry(in Conv2dGeometry g)
    {
        g.Validate();
        if (Rejects(g) is { } problem) throw new ArgumentException($"PlaneDepthwiseConv2d cannot run {DirectConv2d.Describe(g)}: {problem}.", nameof(g));
    }

    private readonly ref struct Job<TAct>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packed, Span<float> workspace,
        Conv2dGeometry g, TAct activation) : IWidthKernel
        where TAct : struct, IActivation
    {
        private readonly ReadOnlySpan<float> _input = input, _packed = packed;
        private readonly Span<float> _output = output, _workspace = workspace;

        public void Run<TOps, TVec>() where TOps : IVectorOps<TVec> where TVec : struct
        {
            _workspace.Clear();
            int multiplier = g.OutChannels / g.InChannels, taps = g.KernelHeight * g.KernelWidth;
            nint inPlane = (nint)g.InHeight * g.InWidth, outPlane = (nint)g.OutHeight * g.OutWidth;
            ref float weights = ref MemoryMarshal.GetReference(_packed);
            ref float bias = ref Unsafe.Add(ref weights, (nint)g.WeightLength);
            for (int ic = 0; ic < g.InChannels; ic++)
            {
                CopyPlane<TOps, TVec>(ref Unsafe.Add(ref MemoryMarshal.GetReference(_input), ic * inPlane), _workspace, g);
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

    // One input plane into the padded plane's interior (the borders stay the zeros of the clear): each row in vectors,
    // the last one overlapping; rows no tap reaches are skipped.
    private static void CopyPlane<TOps, TVec>(ref float source, Span<float> workspace, in Conv2dGeometry g)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        int lanes = TOps.Count, width = g.InWidth, stride = RowStride(g), front = Front(g);
        int rows = Math.Min(g.InHeight, PaddedHeight(g) - g.PadTop);
        ref float target = ref Unsafe.Add(ref MemoryMarshal.GetReference(workspace), (nint)g.PadTop * stride + front);
        for (int r = 0; r < rows; r++)
        {
            ref float from = ref Unsafe.Add(ref source, (nint)r * width);
            ref float to = ref Unsafe.Add(ref target, (nint)r * stride);
            if (width < lanes)
            {
                for (int i = 0; i < width; i++) Unsafe.Add(ref to, i) = Unsafe.Add(ref from, i);
                continue;
            }
            for (int i = 0; ; i += lanes)
            {
                if (i > width - lanes) i = width - lanes;
                TOps.Store(TOps.Load(ref Unsafe.Add(ref from, i)), ref Unsafe.Add(ref to, i));
                if (i + lanes >= width) break;
            }
        }
    }

    // One output channel from the padded plane: row pairs by the 3×3 tile where it applies, then every row left (an odd
    // last row, or every row for other kernels) by the general tile; vectors in groups of TileVectors, a short last
    // group repeating its last vector (the same values stored again).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Convolve<TOps, TVec, TAct>(Span<float> workspace, ref float output, ref float weights, float bias, in Conv2dGeometry g, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TAct : struct, IActivation
    {
        int lanes = TOps.Count, oh = g.OutHeight, ow = g.OutWidth, stride = RowStride(g);
        int vectors = (ow + lanes - 1) / lanes;
        ref float plane = ref Unsafe.Add(ref MemoryMarshal.GetReference(workspace), (nint)(Front(g) - g.PadLeft));
        int y = 0;
        if (g.KernelHeight == 3 && g.KernelWidth == 3 && g.DilationHeight == 1 && g.DilationWidth == 1)
        {
            y = oh / TileRows * TileRows;
            RowPairs3x3<TOps, TVec, TAct>(ref plane, stride, ref output, ow, y, ref weights, bias, act);
        }
        for (; y < oh; y++)
        {
            for (int v = 0; v < vectors; v += TileVectors)
            {
                nint xa = Math.Min(v * lanes, ow - lanes), xb = Math.Min((v + 1) * lanes, ow - lanes), xc = Math.Min((v + 2) * lanes, ow - lanes);
                TileRow<TOps, TVec, TAct>(ref Unsafe.Add(ref plane, (nint)y * stride + xa), xb - xa, xc - xa, (nint)g.DilationHeight * stride, g.DilationWidth,
                    g.KernelHeight, g.KernelWidth, ref weights, bias, ref Unsafe.Add(ref output, (nint)y * ow + xa), act);
            }
        }
    }

    // The 3×3 register tile over output rows [0, rows) (rows even) of one channel: two output rows × three vectors (a
    // short last group repeating its last vector), the nine weights broadcast once. Input row r of a row pair feeds the
    // upper output row's kernel row r and the lower one's kernel row r - 1, so each of the pair's four input rows'
    // shifted vectors is loaded once.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void RowPairs3x3<TOps, TVec, TAct>(ref float plane, nint stride, ref float output, int ow, int rows, ref float weights, float bias, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TAct : struct, IActivation
    {
        int lanes = TOps.Count, vectors = (ow + lanes - 1) / lanes;
        TVec w00 = TOps.Create(weights), w01 = TOps.Create(Unsafe.Add(ref weights, 1)), w02 = TOps.Create(Unsafe.Add(ref weights, 2));
        TVec w10 = TOps.Create(Unsafe.Add(ref weights, 3)), w11 = TOps.Create(Unsafe.Add(ref weights, 4)), w12 = TOps.Create(Unsafe.Add(ref weights, 5));
        TVec w20 = TOps.Create(Unsafe.Add(ref weights, 6)), w21 = TOps.Create(Unsafe.Add(ref weights, 7)), w22 = TOps.Create(Unsafe.Add(ref weights, 8));
        TVec b = TOps.Create(bias);
        for (int y = 0; y < rows; y += TileRows)
        {
            for (int v = 0; v < vectors; v += TileVectors)
            {
                nint xa = Math.Min(v * lanes, ow - lanes), second = Math.Min((v + 1) * lanes, ow - lanes) - xa, third = Math.Min((v + 2) * lanes, ow - lanes) - xa;
                ref float r0 = ref Unsafe.Add(ref plane, (nint)y * stride + xa);
                ref float o0 = ref Unsafe.Add(ref output, (nint)y * ow + xa);
                Column<TOps, TVec, TAct>(ref r0, stride, w00, w01, w02, w10, w11, w12, w20, w21, w22, b, ref o0, ow, act);
                Column<TOps, TVec, TAct>(ref Unsafe.Add(ref r0, second), stride, w00, w01, w02, w10, w11, w12, w20, w21, w22, b, ref Unsafe.Add(ref o0, second), ow, act);
                Column<TOps, TVec, TAct>(ref Unsafe.Add(ref r0, third), stride, w00, w01, w02, w10, w11, w12, w20, w21, w22, b, ref Unsafe.Add(ref o0, third), ow, act);
            }
        }
    }

    // One vector column of a row pair: input rows 0..3 of the pair (stride apart), each read at columns +0, +1, +2 once;
    // row r feeds the upper output row's kernel row r and the lower one's kernel row r - 1.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Column<TOps, TVec, TAct>(ref float r0, nint stride, TVec w00, TVec w01, TVec w02, TVec w10, TVec w11, TVec w12,
        TVec w20, TVec w21, TVec w22, TVec bias, ref float o0, nint ow, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TAct : struct, IActivation
    {
        // Per kernel row a partial sum (three dependent multiply-adds), added at the end: chains of four operations, not nine.
        ref float r1 = ref Unsafe.Add(ref r0, stride);
        ref float r2 = ref Unsafe.Add(ref r1, stride);
        TVec l = TOps.Load(ref r1), m = TOps.Load(ref Unsafe.Add(ref r1, 1)), r = TOps.Load(ref Unsafe.Add(ref r1, 2));
        TVec up1 = TOps.MultiplyAdd(r, w12, TOps.MultiplyAdd(m, w11, TOps.Multiply(l, w10)));
        TVec down0 = TOps.MultiplyAdd(r, w02, TOps.MultiplyAdd(m, w01, TOps.Multiply(l, w00)));
        l = TOps.Load(ref r2);
        m = TOps.Load(ref Unsafe.Add(ref r2, 1));
        r = TOps.Load(ref Unsafe.Add(ref r2, 2));
        TVec up2 = TOps.MultiplyAdd(r, w22, TOps.MultiplyAdd(m, w21, TOps.Multiply(l, w20)));
        TVec down1 = TOps.MultiplyAdd(r, w12, TOps.MultiplyAdd(m, w11, TOps.Multiply(l, w10)));
        TVec up = TOps.Add(TOps.Add(Row<TOps, TVec>(ref r0, w00, w01, w02, bias), up1), up2);
        TVec down = TOps.Add(TOps.Add(Row<TOps, TVec>(ref Unsafe.Add(ref r2, stride), w20, w21, w22, bias), down0), down1);
        TOps.Store(TAct.InRegisters ? act.Apply<TOps, TVec>(up) : up, ref o0);
        TOps.Store(TAct.InRegisters ? act.Apply<TOps, TVec>(down) : down, ref Unsafe.Add(ref o0, ow));
    }

    // acc + the three taps of one kernel row at one vector: the row read at columns +0, +1, +2.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Row<TOps, TVec>(ref float row, TVec w0, TVec w1, TVec w2, TVec acc)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        acc = TOps.MultiplyAdd(TOps.Load(ref row), w0, acc);
        acc = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref row, 1)), w1, acc);
        return TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref row, 2)), w2, acc);
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
        Store<TOps, TVec, TAct>(s0, b, ref output, act);
        Store<TOps, TVec, TAct>(s1, b, ref Unsafe.Add(ref output, second), act);
        Store<TOps, TVec, TAct>(s2, b, ref Unsafe.Add(ref output, third), act);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TOps, TVec, TAct>(TVec sum, TVec bias, ref float destination, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TAct : struct, IActivation
    {
        sum = TOps.Add(sum, bias);
        TOps.Store(TAct.InRegisters ? act.Apply<TOps, TVec>(sum) : sum, ref destination);
    }
}
