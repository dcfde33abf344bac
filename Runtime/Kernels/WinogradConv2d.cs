using ConvGen.Runtime.Simd;

namespace ConvGen.Runtime.Kernels;

/// <summary>
/// Winograd F(m x m, 3 x 3) convolution (stride 1, dilation 1, groups 1, any padding) on blocked tensors, m = 2 or 4
/// (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", 2015): per chunk of output tiles, the input
/// tiles are transformed (V = B^T d B, zero outside the input), each of the n*n points (n = m + 2) is a pointwise
/// product of the transformed weights U = G g G^T (packed at load) with V on the shared register-tiled micro-kernel,
/// and the output transform (Y = A^T M A) adds bias, then the residual, then applies the activation as it stores.
/// </summary>
/// <remarks>
/// Multiplications per output fall from 9 x input channels to (n/m)^2 x input channels: 4 for m = 2 (2.25x fewer),
/// 2.25 for m = 4 (4x fewer), at the cost of the transforms and a larger rounding error (F(4x4)'s transforms scale
/// values by up to 8 and 1/24), still inside the contract's bound for PyTorch-initialised layers.
/// </remarks>
[SkipLocalsInit]
public static partial class WinogradConv2d
{
    // Lavin's weight transforms G. F(2x2, 3x3): interpolation points 0, 1, -1, infinity; the input and output
    // transforms B^T and A^T are written out in Transform2/Transform4 and Inverse2/Inverse4.
    private static readonly double[] G2 = [1, 0, 0, 0.5, 0.5, 0.5, 0.5, -0.5, 0.5, 0, 0, 1];

    // F(4x4, 3x3): points 0, 1, -1, 2, -2, infinity.

    private static readonly double[] G4 =
    [
        1.0 / 4, 0, 0,
        -1.0 / 6, -1.0 / 6, -1.0 / 6,
        -1.0 / 6, 1.0 / 6, -1.0 / 6,
        1.0 / 24, 1.0 / 12, 1.0 / 6,
        1.0 / 24, -1.0 / 12, 1.0 / 6,
        0, 0, 1,
    ];

    /// <summary>Transforms PyTorch weights <c>[OutChannels, InChannels, 3, 3]</c> (U = G g G^T, in double) and packs them with the bias (empty: none).</summary>
    public static float[] Pack(ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, in Conv2dGeometry g, int outputTile)
    {
        g.Validate();
        string? problem = Rejects(g, outputTile);
        Conv2d.CheckRuns(problem, "WinogradConv2d", g);
        Conv2d.CheckLength(weights.Length, g.WeightLength, nameof(weights));
        Conv2d.CheckBias(bias.Length, g.OutChannels);
        int n = Points(outputTile), inBlocks = Blocked16.Blocks(g.InChannels), rows = Math.Min(g.InChannels, Blocked16.Lanes);
        int pointWeights = PointWeights(g);
        double[] gm = outputTile == 2 ? G2 : G4;
        var packed = new float[PackedLengthUnchecked(g, outputTile)];
        Span<double> tmp = stackalloc double[n * 3];
        for (int co = 0; co < g.OutChannels; co++)
            for (int ci = 0; ci < g.InChannels; ci++)
            {
                ReadOnlySpan<float> k = weights.Slice((co * g.InChannels + ci) * 9, 9);
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < 3; j++)
                        tmp[i * 3 + j] = gm[i * 3] * k[j] + gm[i * 3 + 1] * k[3 + j] + gm[i * 3 + 2] * k[6 + j];
                int ib = ci / rows, r = ci % rows;
                int offset = (((co / Blocked16.Lanes) * inBlocks + ib) * rows + r) * Blocked16.Lanes + co % Blocked16.Lanes;
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < n; j++)
                        packed[(i * n + j) * pointWeights + offset] =
                            (float)(tmp[i * 3] * gm[j * 3] + tmp[i * 3 + 1] * gm[j * 3 + 1] + tmp[i * 3 + 2] * gm[j * 3 + 2]);
            }

        bias.CopyTo(packed.AsSpan(n * n * pointWeights));
        return packed;
    }

    /// <summary>
    /// Runs the convolution on a blocked input to a blocked output; <paramref name="residual"/> empty or the output's
    /// length; <paramref name="workspace"/> at least <see cref="WorkspaceLength"/> floats.
    /// </summary>
    public static void Run<TAct>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packed, ReadOnlySpan<float> residual,
        in Conv2dGeometry g, int outputTile, TAct activation, Span<float> workspace)
        where TAct : struct, IActivation
        => Run(0, input, output, packed, residual, g, outputTile, activation, workspace);

    internal static void Run<TAct>(int lanes, ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packed, ReadOnlySpan<float> residual,
        in Conv2dGeometry g, int outputTile, TAct activation, Span<float> workspace)
        where TAct : struct, IActivation
    {
        g.Validate();
        string? problem = Rejects(g, outputTile);
        Conv2d.CheckRuns(problem, "WinogradConv2d", g);
        Conv2d.CheckLength(input.Length, Blocked16.Length(g.InChannels, g.InHeight * g.InWidth), nameof(input));
        int outputLength = Blocked16.Length(g.OutChannels, g.OutHeight * g.OutWidth);
        Conv2d.CheckLength(output.Length, outputLength, nameof(output));
        Conv2d.CheckLength(packed.Length, PackedLengthUnchecked(g, outputTile), nameof(packed));
        if (!residual.IsEmpty) Conv2d.CheckLength(residual.Length, outputLength, nameof(residual));
        if (input.Overlaps(output)) throw new ArgumentException("input and output must not overlap.", nameof(output));
        int needed = WorkspaceLengthUnchecked(g, outputTile);
        Conv2d.CheckWorkspace(workspace.Length, needed, "WinogradConv2d", g);
        var job = new Job<TAct>(input, output, packed, residual, workspace.Slice(0, needed), g, outputTile, activation);
        WidthDispatch.Run(lanes, ref job);
    }

    private readonly ref struct Job<TAct>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packed, ReadOnlySpan<float> residual,
        Span<float> workspace, Conv2dGeometry g, int outputTile, TAct activation) : IWidthKernel
        where TAct : struct, IActivation
    {
        private readonly ReadOnlySpan<float> _input = input, _packed = packed, _residual = residual;
        private readonly Span<float> _output = output, _workspace = workspace;

        public void Run<TOps, TVec>() where TOps : IVectorOps<TVec> where TVec : struct =>
            Convolve<TOps, TVec, TAct>(_input, _output, _packed, _residual, _workspace, g, outputTile, activation);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Convolve<TOps, TVec, TAct>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> packed,
        ReadOnlySpan<float> residual, Span<float> workspace, in Conv2dGeometry g, int m, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TAct : struct, IActivation
    {
        int n = Points(m), points = n * n, lanes = TOps.Count;
        int perRow = TilesPerRow(g, m), tileRows = (g.OutHeight + m - 1) / m, chunk = ChunkRows(g, m);
        int inBlocks = Blocked16.Blocks(g.InChannels), outBlocks = Blocked16.Blocks(g.OutChannels), rows = Math.Min(g.InChannels, Blocked16.Lanes);
        int maxTiles = chunk * perRow;
        Span<float> v = workspace.Slice(0, points * inBlocks * maxTiles * Blocked16.Lanes);
        Span<float> mProducts = workspace.Slice(v.Length, points * outBlocks * maxTiles * Blocked16.Lanes);
        Span<float> zeroBias = workspace.Slice(v.Length + mProducts.Length, outBlocks * Blocked16.Lanes);
        zeroBias.Clear();
        Span<int> taps = stackalloc int[2 * inBlocks];
        int pointWeights = PointWeights(g);
        ref float w = ref MemoryMarshal.GetReference(packed);
        ReadOnlySpan<float> bias = packed.Slice(points * pointWeights);
        ConvTile productTile = ProductTile(g, m);
        for (int r0 = 0; r0 < tileRows; r0 += chunk)
        {
            int tiles = Math.Min(chunk, tileRows - r0) * perRow;
            nint vPoint = (nint)inBlocks * tiles * Blocked16.Lanes, mPoint = (nint)outBlocks * tiles * Blocked16.Lanes;
            TransformInput<TOps, TVec>(input, v, g, m, n, r0, tiles, perRow);
            for (int ib = 0; ib < inBlocks; ib++)
            {
                taps[2 * ib] = ib * tiles * Blocked16.Lanes;
                taps[2 * ib + 1] = Math.Min(rows, g.InChannels - ib * rows);
            }

            ConvTile tile = productTile.Positions <= tiles ? productTile : DirectConv2d.ChooseTile(outBlocks, tiles, 1, g.InChannels);
            for (int point = 0; point < points; point++)
            {
                var problem = new TileProblem
                {
                    Weights = ref Unsafe.Add(ref w, (nint)point * pointWeights),
                    WeightBlockStride = (nint)inBlocks * rows * Blocked16.Lanes,
                    WeightTapStride = (nint)rows * Blocked16.Lanes,
                    Taps = taps,
                    Input = ref v[(int)(point * vPoint)],
                    PositionStride = Blocked16.Lanes,
                    InnerStride = 1,
                    Blocks = outBlocks,
                    Rows = 1,
                    Columns = tiles,
                    Output = ref mProducts[(int)(point * mPoint)],
                    OutputBlockStride = (nint)tiles * Blocked16.Lanes,
                    OutputPositionStride = Blocked16.Lanes,
                    Bias = ref MemoryMarshal.GetReference(zeroBias),
                    LastBlockLanes = Blocked16.Lanes,
                };
                TileDriver.Run<TOps, TVec, Identity>(ref problem, tile, default);
            }

            TransformOutput<TOps, TVec, TAct>(mProducts, output, bias, residual, g, m, n, r0, tiles, perRow, act);
        }
    }

    // V[point][block][tile] = (B^T d B)[point] for each tile of the chunk, d the n x n input vectors of the tile (zero
    // outside the input): first each row of d times B (u = d B), then each column of u times B^T.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransformInput<TOps, TVec>(ReadOnlySpan<float> input, Span<float> v, in Conv2dGeometry g, int m, int n, int r0, int tiles, int perRow)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        int lanes = TOps.Count, inBlocks = Blocked16.Blocks(g.InChannels), h = g.InHeight, wIn = g.InWidth;
        Span<float> row = stackalloc float[6 * Blocked16.Lanes];
        Span<float> u = stackalloc float[36 * Blocked16.Lanes];
        ref float rr = ref MemoryMarshal.GetReference(row);
        ref float ur = ref MemoryMarshal.GetReference(u);
        ref float xr = ref MemoryMarshal.GetReference(input);
        ref float vr = ref MemoryMarshal.GetReference(v);
        nint inPlane = (nint)h * wIn * Blocked16.Lanes, vPoint = (nint)inBlocks * tiles * Blocked16.Lanes;
        nint nl = (nint)n * lanes;
        for (int tile = 0; tile < tiles; tile++)
        {
            int y0 = (r0 + tile / perRow) * m - g.PadTop, x0 = tile % perRow * m - g.PadLeft;
            bool inside = y0 >= 0 && x0 >= 0 && y0 + n <= h && x0 + n <= wIn;
            for (int b = 0; b < inBlocks; b++)
            {
                for (int part = 0; part < Blocked16.Lanes; part += lanes)
                {
                    ref float plane = ref Unsafe.Add(ref xr, b * inPlane + part);
                    for (int i = 0; i < n; i++)
                    {
                        int y = y0 + i;
                        ref float src = ref rr;
                        nint step = lanes;
                        if (inside)
                        {
                            src = ref Unsafe.Add(ref plane, ((nint)y * wIn + x0) * Blocked16.Lanes);
                            step = Blocked16.Lanes;
                        }
                        else
                        {
                            for (int j = 0; j < n; j++)
                            {
                                int x = x0 + j;
                                TVec value = (uint)y < (uint)h && (uint)x < (uint)wIn
                                    ? TOps.Load(ref Unsafe.Add(ref plane, ((nint)y * wIn + x) * Blocked16.Lanes))
                                    : TOps.Zero;
                                TOps.Store(value, ref Unsafe.Add(ref rr, j * lanes));
                            }
                        }

                        // u[i][*] = d[i][*] B (a row transform), stored row-major n x n.
                        if (m == 2) Transform2<TOps, TVec>(ref src, step, ref Unsafe.Add(ref ur, i * nl), lanes);
                        else Transform4<TOps, TVec>(ref src, step, ref Unsafe.Add(ref ur, i * nl), lanes);
                    }

                    // V[*][j] = B^T u[*][j] (a column transform), point (i, j) to its plane.
                    ref float dst = ref Unsafe.Add(ref vr, (nint)b * tiles * Blocked16.Lanes + (nint)tile * Blocked16.Lanes + part);
                    for (int j = 0; j < n; j++)
                    {
                        if (m == 2) Transform2<TOps, TVec>(ref Unsafe.Add(ref ur, j * lanes), nl, ref Unsafe.Add(ref dst, j * vPoint), n * vPoint);
                        else Transform4<TOps, TVec>(ref Unsafe.Add(ref ur, j * lanes), nl, ref Unsafe.Add(ref dst, j * vPoint), n * vPoint);
                    }
                }
            }
        }
    }

    // out = B^T in for 4 vectors (F(2x2)): in0 - in2, in1 + in2, in2 - in1, in1 - in3.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transform2<TOps, TVec>(ref float src, nint step, ref float dst, nint dstStep)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        TVec d0 = TOps.Load(ref src), d1 = TOps.Load(ref Unsafe.Add(ref src, step));
        TVec d2 = TOps.Load(ref Unsafe.Add(ref src, 2 * step)), d3 = TOps.Load(ref Unsafe.Add(ref src, 3 * step));
        TOps.Store(TOps.Subtract(d0, d2), ref dst);
        TOps.Store(TOps.Add(d1, d2), ref Unsafe.Add(ref dst, dstStep));
        TOps.Store(TOps.Subtract(d2, d1), ref Unsafe.Add(ref dst, 2 * dstStep));
        TOps.Store(TOps.Subtract(d1, d3), ref Unsafe.Add(ref dst, 3 * dstStep));
    }

    // out = B^T in for 6 vectors (F(4x4)), Lavin's rows with the common terms shared:
    // 4d0 - 5d2 + d4; (d4 - 4d2) +- (d3 - 4d1); (d4 - d2) +- 2(d3 - d1); 4d1 - 5d3 + d5.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transform4<TOps, TVec>(ref float src, nint step, ref float dst, nint dstStep)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        TVec d0 = TOps.Load(ref src), d1 = TOps.Load(ref Unsafe.Add(ref src, step)), d2 = TOps.Load(ref Unsafe.Add(ref src, 2 * step));
        TVec d3 = TOps.Load(ref Unsafe.Add(ref src, 3 * step)), d4 = TOps.Load(ref Unsafe.Add(ref src, 4 * step)), d5 = TOps.Load(ref Unsafe.Add(ref src, 5 * step));
        TVec four = TOps.Create(4f), minusFour = TOps.Create(-4f), minusFive = TOps.Create(-5f), two = TOps.Create(2f);
        TVec t0 = TOps.MultiplyAdd(minusFour, d2, d4), t1 = TOps.MultiplyAdd(minusFour, d1, d3);
        TVec t2 = TOps.Subtract(d4, d2), t3 = TOps.Multiply(two, TOps.Subtract(d3, d1));
        TOps.Store(TOps.MultiplyAdd(four, d0, TOps.MultiplyAdd(minusFive, d2, d4)), ref dst);
        TOps.Store(TOps.Add(t0, t1), ref Unsafe.Add(ref dst, dstStep));
        TOps.Store(TOps.Subtract(t0, t1), ref Unsafe.Add(ref dst, 2 * dstStep));
        TOps.Store(TOps.Add(t2, t3), ref Unsafe.Add(ref dst, 3 * dstStep));
        TOps.Store(TOps.Subtract(t2, t3), ref Unsafe.Add(ref dst, 4 * dstStep));
        TOps.Store(TOps.MultiplyAdd(four, d1, TOps.MultiplyAdd(minusFive, d3, d5)), ref Unsafe.Add(ref dst, 5 * dstStep));
    }

    // Y = A^T M A per tile and output vector (first each row of M times A, then each column times A^T), then bias,
    // residual, activation and mask as the valid outputs store.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransformOutput<TOps, TVec, TAct>(Span<float> products, Span<float> output, ReadOnlySpan<float> bias, ReadOnlySpan<float> residual,
        in Conv2dGeometry g, int m, int n, int r0, int tiles, int perRow, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TAct : struct, IActivation
    {
        int lanes = TOps.Count, outBlocks = Blocked16.Blocks(g.OutChannels), oh = g.OutHeight, ow = g.OutWidth;
        int lastLanes = g.OutChannels - (outBlocks - 1) * Blocked16.Lanes;
        Span<float> s = stackalloc float[24 * Blocked16.Lanes];
        Span<float> y = stackalloc float[16 * Blocked16.Lanes];
        ref float mask = ref Blocked16.LaneMask(lastLanes);
        ref float sr = ref MemoryMarshal.GetReference(s);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float pr = ref MemoryMarshal.GetReference(products);
        ref float outRef = ref MemoryMarshal.GetReference(output);
        ref float resRef = ref MemoryMarshal.GetReference(residual);
        nint mPoint = (nint)outBlocks * tiles * Blocked16.Lanes, outPlane = (nint)oh * ow * Blocked16.Lanes;
        nint ml = (nint)m * lanes;
        bool hasResidual = !residual.IsEmpty;
        for (int tile = 0; tile < tiles; tile++)
        {
            int y0 = (r0 + tile / perRow) * m, x0 = tile % perRow * m;
            int rows = Math.Min(m, oh - y0), columns = Math.Min(m, ow - x0);
            for (int b = 0; b < outBlocks; b++)
            {
                bool masked = !TAct.PreservesZero && b == outBlocks - 1 && lastLanes < Blocked16.Lanes;
                for (int part = 0; part < Blocked16.Lanes; part += lanes)
                {
                    ref float src = ref Unsafe.Add(ref pr, (nint)b * tiles * Blocked16.Lanes + (nint)tile * Blocked16.Lanes + part);
                    // s[i][*] = M[i][*] A: n rows of m.
                    for (int i = 0; i < n; i++)
                    {
                        if (m == 2) Inverse2<TOps, TVec>(ref Unsafe.Add(ref src, i * n * mPoint), mPoint, ref Unsafe.Add(ref sr, i * ml), lanes);
                        else Inverse4<TOps, TVec>(ref Unsafe.Add(ref src, i * n * mPoint), mPoint, ref Unsafe.Add(ref sr, i * ml), lanes);
                    }

                    // Y[*][j] = A^T s[*][j].
                    for (int j = 0; j < m; j++)
                    {
                        if (m == 2) Inverse2<TOps, TVec>(ref Unsafe.Add(ref sr, j * lanes), ml, ref Unsafe.Add(ref yr, j * lanes), ml);
                        else Inverse4<TOps, TVec>(ref Unsafe.Add(ref sr, j * lanes), ml, ref Unsafe.Add(ref yr, j * lanes), ml);
                    }

                    TVec biasVector = TOps.Load(ref Unsafe.AsRef(in bias[b * Blocked16.Lanes + part]));
                    TVec maskVector = masked ? TOps.Load(ref Unsafe.Add(ref mask, part)) : default;
                    nint planeAt = b * outPlane + part;
                    for (int i = 0; i < rows; i++)
                        for (int j = 0; j < columns; j++)
                        {
                            nint at = planeAt + ((nint)(y0 + i) * ow + x0 + j) * Blocked16.Lanes;
                            TVec value = TOps.Add(TOps.Load(ref Unsafe.Add(ref yr, (i * m + j) * lanes)), biasVector);
                            if (hasResidual) value = TOps.Add(value, TOps.Load(ref Unsafe.Add(ref resRef, at)));
                            value = act.Apply<TOps, TVec>(value);
                            if (masked) value = TOps.Multiply(value, maskVector);
                            TOps.Store(value, ref Unsafe.Add(ref outRef, at));
                        }
                }
            }
        }
    }

    // out = A^T in for F(2x2): in0 + in1 + in2, in1 - in2 - in3.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Inverse2<TOps, TVec>(ref float src, nint step, ref float dst, nint dstStep)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        TVec m0 = TOps.Load(ref src), m1 = TOps.Load(ref Unsafe.Add(ref src, step));
        TVec m2 = TOps.Load(ref Unsafe.Add(ref src, 2 * step)), m3 = TOps.Load(ref Unsafe.Add(ref src, 3 * step));
        TOps.Store(TOps.Add(TOps.Add(m0, m1), m2), ref dst);
        TOps.Store(TOps.Subtract(TOps.Subtract(m1, m2), m3), ref Unsafe.Add(ref dst, dstStep));
    }

    // out = A^T in for F(4x4): with s = m1 + m2, d = m1 - m2, s' = m3 + m4, d' = m3 - m4:
    // m0 + s + s'; d + 2d'; s + 4s'; d + 8d' + m5.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Inverse4<TOps, TVec>(ref float src, nint step, ref float dst, nint dstStep)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        TVec m0 = TOps.Load(ref src), m1 = TOps.Load(ref Unsafe.Add(ref src, step)), m2 = TOps.Load(ref Unsafe.Add(ref src, 2 * step));
        TVec m3 = TOps.Load(ref Unsafe.Add(ref src, 3 * step)), m4 = TOps.Load(ref Unsafe.Add(ref src, 4 * step)), m5 = TOps.Load(ref Unsafe.Add(ref src, 5 * step));
        TVec s1 = TOps.Add(m1, m2), d1 = TOps.Subtract(m1, m2), s2 = TOps.Add(m3, m4), d2 = TOps.Subtract(m3, m4);
        TOps.Store(TOps.Add(TOps.Add(m0, s1), s2), ref dst);
        TOps.Store(TOps.MultiplyAdd(TOps.Create(2f), d2, d1), ref Unsafe.Add(ref dst, dstStep));
        TOps.Store(TOps.MultiplyAdd(TOps.Create(4f), s2, s1), ref Unsafe.Add(ref dst, 2 * dstStep));
        TOps.Store(TOps.Add(TOps.MultiplyAdd(TOps.Create(8f), d2, d1), m5), ref Unsafe.Add(ref dst, 3 * dstStep));
    }
}
