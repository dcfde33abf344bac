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
    // Lavin's matrices. F(2x2, 3x3): interpolation points 0, 1, -1, infinity.
    private static readonly float[] BT2 = [1, 0, -1, 0, 0, 1, 1, 0, 0, -1, 1, 0, 0, 1, 0, -1];
    private static readonly double[] G2 = [1, 0, 0, 0.5, 0.5, 0.5, 0.5, -0.5, 0.5, 0, 0, 1];
    private static readonly float[] AT2 = [1, 1, 1, 0, 0, 1, -1, -1];

    // F(4x4, 3x3): points 0, 1, -1, 2, -2, infinity.
    private static readonly float[] BT4 =
    [
        4, 0, -5, 0, 1, 0,
        0, -4, -4, 1, 1, 0,
        0, 4, -4, -1, 1, 0,
        0, -2, -1, 2, 1, 0,
        0, 2, -1, -2, 1, 0,
        0, 4, 0, -5, 0, 1,
    ];

    private static readonly double[] G4 =
    [
        1.0 / 4, 0, 0,
        -1.0 / 6, -1.0 / 6, -1.0 / 6,
        -1.0 / 6, 1.0 / 6, -1.0 / 6,
        1.0 / 24, 1.0 / 12, 1.0 / 6,
        1.0 / 24, -1.0 / 12, 1.0 / 6,
        0, 0, 1,
    ];

    private static readonly float[] AT4 =
    [
        1, 1, 1, 1, 1, 0,
        0, 1, -1, 2, -2, 0,
        0, 1, 1, 4, 4, 0,
        0, 1, -1, 8, -8, 1,
    ];

    /// <summary>Transforms PyTorch weights <c>[OutChannels, InChannels, 3, 3]</c> (U = G g G^T, in double) and packs them with the bias (empty: none).</summary>
    public static float[] Pack(ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, in Conv2dGeometry g, int outputTile)
    {
        g.Validate();
        string? problem = Rejects(g, outputTile);
        if (problem is not null) throw new ArgumentException($"WinogradConv2d cannot run {DirectConv2d.Describe(g)}: {problem}.", nameof(g));
        Conv2d.CheckLength(weights.Length, g.WeightLength, nameof(weights));
        Conv2d.CheckBias(bias.Length, g.OutChannels);
        int n = Points(outputTile), inBlocks = Blocked16.Blocks(g.InChannels), rows = Math.Min(g.InChannels, Blocked16.Lanes);
        int pointWeights = PointWeights(g);
        double[] gm = outputTile == 2 ? G2 : G4;
        var packed = new float[PackedLength(g, outputTile)];
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
        if (problem is not null) throw new ArgumentException($"WinogradConv2d cannot run {DirectConv2d.Describe(g)}: {problem}.", nameof(g));
        Conv2d.CheckLength(input.Length, Blocked16.Length(g.InChannels, g.InHeight * g.InWidth), nameof(input));
        int outputLength = Blocked16.Length(g.OutChannels, g.OutHeight * g.OutWidth);
        Conv2d.CheckLength(output.Length, outputLength, nameof(output));
        Conv2d.CheckLength(packed.Length, PackedLength(g, outputTile), nameof(packed));
        if (!residual.IsEmpty) Conv2d.CheckLength(residual.Length, outputLength, nameof(residual));
        if (input.Overlaps(output)) throw new ArgumentException("input and output must not overlap.", nameof(output));
        int needed = WorkspaceLength(g, outputTile);
        if (workspace.Length < needed)
            throw new ArgumentException($"workspace has {workspace.Length} floats; WinogradConv2d needs {needed} for {DirectConv2d.Describe(g)}.", nameof(workspace));
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
        ReadOnlySpan<float> bt = m == 2 ? BT2 : BT4, at = m == 2 ? AT2 : AT4;
        ConvTile productTile = ProductTile(g, m);
        for (int r0 = 0; r0 < tileRows; r0 += chunk)
        {
            int tiles = Math.Min(chunk, tileRows - r0) * perRow;
            nint vPoint = (nint)inBlocks * tiles * Blocked16.Lanes, mPoint = (nint)outBlocks * tiles * Blocked16.Lanes;
            TransformInput<TOps, TVec>(input, v, g, m, n, r0, tiles, perRow, bt);
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

            TransformOutput<TOps, TVec, TAct>(mProducts, output, bias, residual, g, m, n, r0, tiles, perRow, at, act);
        }
    }

    // V[point][block][tile] = (B^T d B)[point] for each tile of the chunk, d the n x n input vectors of the tile (zero outside the input).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransformInput<TOps, TVec>(ReadOnlySpan<float> input, Span<float> v, in Conv2dGeometry g, int m, int n, int r0, int tiles,
        int perRow, ReadOnlySpan<float> bt)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        int lanes = TOps.Count, inBlocks = Blocked16.Blocks(g.InChannels), h = g.InHeight, wIn = g.InWidth;
        Span<float> d = stackalloc float[36 * Blocked16.Lanes];
        Span<float> t = stackalloc float[36 * Blocked16.Lanes];
        ref float dr = ref MemoryMarshal.GetReference(d);
        ref float tr = ref MemoryMarshal.GetReference(t);
        nint inPlane = (nint)h * wIn * Blocked16.Lanes, vPoint = (nint)inBlocks * tiles * Blocked16.Lanes;
        for (int tile = 0; tile < tiles; tile++)
        {
            int y0 = (r0 + tile / perRow) * m - g.PadTop, x0 = tile % perRow * m - g.PadLeft;
            for (int b = 0; b < inBlocks; b++)
            {
                for (int part = 0; part < Blocked16.Lanes; part += lanes)
                {
                    // d[i][j]: the input vector at (y0 + i, x0 + j), zero outside.
                    for (int i = 0; i < n; i++)
                        for (int j = 0; j < n; j++)
                        {
                            int y = y0 + i, x = x0 + j;
                            TVec value = (uint)y < (uint)h && (uint)x < (uint)wIn
                                ? TOps.Load(ref Unsafe.AsRef(in input[(int)(b * inPlane + ((nint)y * wIn + x) * Blocked16.Lanes + part)]))
                                : TOps.Zero;
                            TOps.Store(value, ref Unsafe.Add(ref dr, (i * n + j) * lanes));
                        }

                    // t = B^T d (rows), then V = t B (columns).
                    Combine<TOps, TVec>(ref dr, ref tr, bt, n, n, n, rowsFirst: true);
                    Combine<TOps, TVec>(ref tr, ref dr, bt, n, n, n, rowsFirst: false);
                    nint dst = (nint)b * tiles * Blocked16.Lanes + (nint)tile * Blocked16.Lanes + part;
                    for (int p = 0; p < n * n; p++)
                        TOps.Store(TOps.Load(ref Unsafe.Add(ref dr, p * lanes)), ref v[(int)(p * vPoint + dst)]);
                }
            }
        }
    }

    // Y = A^T M A per tile and output vector, then bias, residual, activation and mask as the valid outputs store.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransformOutput<TOps, TVec, TAct>(Span<float> products, Span<float> output, ReadOnlySpan<float> bias, ReadOnlySpan<float> residual,
        in Conv2dGeometry g, int m, int n, int r0, int tiles, int perRow, ReadOnlySpan<float> at, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TAct : struct, IActivation
    {
        int lanes = TOps.Count, outBlocks = Blocked16.Blocks(g.OutChannels), oh = g.OutHeight, ow = g.OutWidth;
        int lastLanes = g.OutChannels - (outBlocks - 1) * Blocked16.Lanes;
        Span<float> mv = stackalloc float[36 * Blocked16.Lanes];
        Span<float> t = stackalloc float[36 * Blocked16.Lanes];
        Span<float> mask = stackalloc float[Blocked16.Lanes];
        for (int l = 0; l < Blocked16.Lanes; l++) mask[l] = l < lastLanes ? 1f : 0f;
        ref float mr = ref MemoryMarshal.GetReference(mv);
        ref float tr = ref MemoryMarshal.GetReference(t);
        nint mPoint = (nint)outBlocks * tiles * Blocked16.Lanes, outPlane = (nint)oh * ow * Blocked16.Lanes;
        bool hasResidual = !residual.IsEmpty;
        for (int tile = 0; tile < tiles; tile++)
        {
            int y0 = (r0 + tile / perRow) * m, x0 = tile % perRow * m;
            for (int b = 0; b < outBlocks; b++)
            {
                bool masked = !TAct.PreservesZero && b == outBlocks - 1 && lastLanes < Blocked16.Lanes;
                for (int part = 0; part < Blocked16.Lanes; part += lanes)
                {
                    nint src = (nint)b * tiles * Blocked16.Lanes + (nint)tile * Blocked16.Lanes + part;
                    for (int p = 0; p < n * n; p++)
                        TOps.Store(TOps.Load(ref products[(int)(p * mPoint + src)]), ref Unsafe.Add(ref mr, p * lanes));
                    // t = A^T M (m x n), then Y = t A (m x m), into mv.
                    Combine<TOps, TVec>(ref mr, ref tr, at, m, n, n, rowsFirst: true);
                    Combine<TOps, TVec>(ref tr, ref mr, at, m, n, m, rowsFirst: false);
                    TVec biasVector = TOps.Load(ref Unsafe.AsRef(in bias[b * Blocked16.Lanes + part]));
                    TVec maskVector = masked ? TOps.Load(ref mask[part]) : default;
                    for (int i = 0; i < m && y0 + i < oh; i++)
                        for (int j = 0; j < m && x0 + j < ow; j++)
                        {
                            int index = (int)(b * outPlane + (((nint)(y0 + i) * ow + x0 + j) * Blocked16.Lanes) + part);
                            TVec value = TOps.Add(TOps.Load(ref Unsafe.Add(ref mr, (i * m + j) * lanes)), biasVector);
                            if (hasResidual) value = TOps.Add(value, TOps.Load(ref Unsafe.AsRef(in residual[index])));
                            value = act.Apply<TOps, TVec>(value);
                            if (masked) value = TOps.Multiply(value, maskVector);
                            TOps.Store(value, ref output[index]);
                        }
                }
            }
        }
    }

    // rowsFirst: dst[i][j] = sum_k c[i][k] src[k][j] (i < outRows, j < columns); else dst[i][j] = sum_k src[i][k] c[j][k]
    // (i < rows of src = outRows of the previous pass, j < outColumns). Vectors of TOps.Count floats; src rows have `inner` vectors.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Combine<TOps, TVec>(ref float src, ref float dst, ReadOnlySpan<float> c, int outCount, int inner, int other, bool rowsFirst)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        int lanes = TOps.Count;
        if (rowsFirst)
        {
            // src is inner x other, dst is outCount x other.
            for (int i = 0; i < outCount; i++)
                for (int j = 0; j < other; j++)
                {
                    TVec sum = TOps.Zero;
                    for (int k = 0; k < inner; k++)
                    {
                        float coefficient = c[i * inner + k];
                        if (coefficient != 0f)
                            sum = TOps.MultiplyAdd(TOps.Create(coefficient), TOps.Load(ref Unsafe.Add(ref src, (k * other + j) * lanes)), sum);
                    }

                    TOps.Store(sum, ref Unsafe.Add(ref dst, (i * other + j) * lanes));
                }

            return;
        }

        // src is rowsOfSrc x inner (rowsOfSrc = outCount of the first pass), dst is rowsOfSrc x other.
        int rowsOfSrc = outCount;
        for (int i = 0; i < rowsOfSrc; i++)
            for (int j = 0; j < other; j++)
            {
                TVec sum = TOps.Zero;
                for (int k = 0; k < inner; k++)
                {
                    float coefficient = c[j * inner + k];
                    if (coefficient != 0f)
                        sum = TOps.MultiplyAdd(TOps.Create(coefficient), TOps.Load(ref Unsafe.Add(ref src, (i * inner + k) * lanes)), sum);
                }

                TOps.Store(sum, ref Unsafe.Add(ref dst, (i * other + j) * lanes));
            }
    }
}
