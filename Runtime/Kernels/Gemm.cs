using System.Buffers;
using ConvGen.Runtime.Simd;

namespace ConvGen.Runtime.Kernels;

/// <summary>
/// The activations a GEMM tile applies as it stores (max with Low, then min with High if HasHigh): ReLU and ReLU6,
/// cheap enough to keep the accumulators in registers. Other activations run as a pass over each panel's rows.
/// </summary>
internal readonly record struct GemmClamp(bool Enabled, float Low, bool HasHigh, float High)
{
    public static GemmClamp For(Epilogue epilogue) => epilogue.Activation switch
    {
        ActivationKind.ReLU => new(true, 0f, false, 0f),
        ActivationKind.ReLU6 => new(true, 0f, true, 6f),
        _ => default,
    };

    /// <summary>The clamp applied to one vector (the identity when not enabled).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Apply<TOps, TVec>(TVec value) where TOps : IVectorOps<TVec> where TVec : struct
    {
        if (!Enabled) return value;
        value = TOps.Max(value, TOps.Create(Low));
        return HasHigh ? TOps.Min(value, TOps.Create(High)) : value;
    }
}

/// <summary>Where the bias of a <see cref="Gemm"/> comes from.</summary>
internal enum GemmBias
{
    /// <summary>No bias.</summary>
    None,
    /// <summary>One value per row of C (a convolution's output channel).</summary>
    PerRow,
    /// <summary>One value per column of C (a linear layer's output feature).</summary>
    PerColumn,
}

/// <summary>
/// The single-precision GEMM under convolution and linear layers:
/// <c>C[i, j] = epilogue(bias + sum_p A[i, p] * B[p, j])</c> for <c>i &lt; m</c>, <c>j &lt; n</c>.
/// </summary>
/// <remarks>
/// <para>
/// A micro-tile is 8 rows of C (with 512-bit vectors, which come with 32 registers) or 4 rows by one to
/// <see cref="NR"/> vectors along its columns, its accumulators held in registers for the whole reduction: per step
/// p the kernel loads NR vectors of row p of B and broadcasts one value of column p of A per row, so each loaded
/// value feeds several fused multiply-adds. Bias initialises the accumulators; ReLU and ReLU6 are applied as the
/// tiles store (<see cref="GemmClamp"/>), any other activation to each panel's rows afterwards while they are still
/// in L1 (inlining the exp-based activations into the tiles makes the JIT spill the accumulators).
/// </para>
/// <para>
/// B is addressed through a table of row offsets (row p starts at <c>b + bRows[p]</c>), so a convolution can
/// multiply shifted views of its padded input planes without unfolding them; a plain strided B is the table
/// <c>p * ldb</c>.
/// </para>
/// <para>
/// A is read through a row stride and a step stride, so one kernel serves both packed weights (<see cref="PackA"/>:
/// panels <c>[ceil(m/MR)][k][MR]</c>, so the broadcasts of a step are contiguous; row stride 1, step MR) and a plain
/// row-major A (row stride lda, step 1; the linear layer's input). In the last panel the missing rows read the last
/// valid row again and are not stored, so A is never read past its end.
/// </para>
/// <para>
/// Columns: full tiles of NR vectors, then the ragged end as one tile that ends exactly at column n and overlaps
/// the previous one (its columns are recomputed with the same order of operations, so they get the same values).
/// When n is narrower than one vector, the columns are copied to a zero-padded strip (or B is read directly when the
/// caller guarantees a vector's worth of readable columns) and the tile is stored through a temporary. Each C element is a sum over p in increasing order, one fused multiply-add per step.
/// </para>
/// </remarks>
[SkipLocalsInit]
internal static class Gemm
{
    /// <summary>Rows of C per packed panel of A: one 8-row tile with 512-bit vectors, two 4-row tiles otherwise.</summary>
    public const int MR = 8;

    /// <summary>Vectors along the columns of C per full micro-tile.</summary>
    public const int NR = 3;

    /// <summary>The widest vector, in floats; buffers that must hold one vector of any width use this.</summary>
    public const int MaxLanes = 16;

    // Floats of stack for the zero-padded strip of B when n is narrower than a vector (a pooled array beyond).
    private const int MaxStripFloats = 4096;

    // Row offsets of a strided B kept on the stack up to this reduction length (a pooled array beyond).
    private const int MaxStackRows = 4096;

    /// <summary>Floats of <see cref="PackA"/>'s output for an m x k matrix.</summary>
    public static int PackedLength(int m, int k) => checked((m + MR - 1) / MR * MR * k);

    /// <summary>
    /// Packs row-major A (m x k, row stride <paramref name="lda"/>) into panels <c>[ceil(m/MR)][k][MR]</c>; rows past
    /// m are zero.
    /// </summary>
    public static void PackA(ReadOnlySpan<float> a, int m, int k, int lda, Span<float> packed)
    {
        int panels = (m + MR - 1) / MR;
        for (int panel = 0; panel < panels; panel++)
        {
            Span<float> dst = packed.Slice(panel * MR * k, MR * k);
            for (int r = 0; r < MR; r++)
            {
                int row = panel * MR + r;
                if (row < m)
                {
                    ReadOnlySpan<float> src = a.Slice(row * lda, k);
                    for (int p = 0; p < k; p++) dst[p * MR + r] = src[p];
                }
                else
                {
                    for (int p = 0; p < k; p++) dst[p * MR + r] = 0f;
                }
            }
        }
    }

    /// <summary>
    /// C = epilogue(bias + A B) on packed A (<see cref="PackA"/>) and strided B (row p at <c>b + p * ldb</c>).
    /// <paramref name="bReadable"/> is how many columns of each row of B may be read (at least n); lengths are the
    /// caller's responsibility.
    /// </summary>
    public static void RunPacked<TOps, TVec>(ref float packedA, int m, int k, ref float b, nint ldb, int n, int bReadable,
        ref float c, nint ldc, ref float bias, GemmBias biasMode, Epilogue epilogue)
        where TOps : IVectorOps<TVec> where TVec : struct
        => Run<TOps, TVec>(ref packedA, (nint)MR * k, 1, MR, m, k, ref b, ldb, n, bReadable, ref c, ldc, ref bias, biasMode, epilogue);

    /// <summary>
    /// C = epilogue(bias + A B) with A read at <c>a[(i / MR) * panelStride + (i % MR) * rowStride + p * step]</c> and
    /// strided B. Lengths are the caller's responsibility.
    /// </summary>
    public static void Run<TOps, TVec>(ref float a, nint panelStride, nint rowStride, nint step, int m, int k,
        ref float b, nint ldb, int n, int bReadable, ref float c, nint ldc, ref float bias, GemmBias biasMode, Epilogue epilogue)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        int[]? rented = k <= MaxStackRows ? null : ArrayPool<int>.Shared.Rent(k);
        Span<int> rows = rented is null ? stackalloc int[k] : rented.AsSpan(0, k);
        for (int p = 0; p < rows.Length; p++) rows[p] = checked((int)(p * ldb));
        RunRows<TOps, TVec>(ref a, panelStride, rowStride, step, m, k, ref b, rows, n, bReadable, ref c, ldc, ref bias, biasMode, epilogue);
        if (rented is not null) ArrayPool<int>.Shared.Return(rented);
    }

    /// <summary>
    /// C = epilogue(bias + A B) with B row p at <c>b + bRows[p]</c> (<c>bRows.Length == k</c>) and A as in
    /// <see cref="Run{TOps, TVec}(ref float, nint, nint, nint, int, int, ref float, nint, int, int, ref float, nint, ref float, GemmBias, Epilogue)"/>.
    /// </summary>
    public static void RunRows<TOps, TVec>(ref float a, nint panelStride, nint rowStride, nint step, int m, int k,
        ref float b, ReadOnlySpan<int> bRows, int n, int bReadable, ref float c, nint ldc, ref float bias, GemmBias biasMode, Epilogue epilogue)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        if (m <= 0 || n <= 0) return;
        ref int rowRef = ref MemoryMarshal.GetReference(bRows);
        if (n >= TOps.Count)
        {
            for (int i0 = 0; i0 < m; i0 += MR)
            {
                int rows = Math.Min(MR, m - i0);
                ref float panel = ref Unsafe.Add(ref a, (i0 / MR) * panelStride);
                ref float rowBias = ref (biasMode == GemmBias.PerRow ? ref Unsafe.Add(ref bias, i0) : ref bias);
                PanelColumns<TOps, TVec>(ref panel, rowStride, step, rows, k, ref b, ref rowRef, n, ref Unsafe.Add(ref c, i0 * ldc), ldc,
                    ref rowBias, biasMode, epilogue);
            }

            return;
        }

        NarrowColumns<TOps, TVec>(ref a, panelStride, rowStride, step, m, k, ref b, bRows, n, bReadable, ref c, ldc, ref bias, biasMode, epilogue);
    }

    // One panel of MR (or fewer) rows across all n >= lanes columns. With 512-bit vectors (32 registers) and packed
    // A the tiles are 8 rows x 1..3 vectors; otherwise each half of the panel runs as 4-row tiles.
    private static void PanelColumns<TOps, TVec>(ref float panel, nint rowStride, nint step, int rows, int k,
        ref float b, ref int bRow, int n, ref float c, nint ldc, ref float bias, GemmBias biasMode, Epilogue epilogue)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        int lanes = TOps.Count;
        bool perColumn = biasMode == GemmBias.PerColumn;
        GemmClamp clamp = GemmClamp.For(epilogue);
        int j = 0;
        for (; j + NR * lanes <= n; j += NR * lanes)
            ColumnTile<TOps, TVec>(NR, ref panel, rowStride, step, rows, k, ref Unsafe.Add(ref b, j), ref bRow, ref Unsafe.Add(ref c, j), ldc,
                ref (perColumn ? ref Unsafe.Add(ref bias, j) : ref bias), biasMode, clamp);

        int rest = n - j;
        if (rest > 0)
        {
            // The ragged end as one tile of 1..3 vectors ending at column n, overlapping what came before.
            int vectors = (rest + lanes - 1) / lanes;
            int start = n - vectors * lanes;
            if (start < 0)
            {
                // Only when n < 3 vectors and not a whole number of them: full vectors from 0, then one ending at n.
                ColumnTile<TOps, TVec>(n / lanes, ref panel, rowStride, step, rows, k, ref b, ref bRow, ref c, ldc, ref bias, biasMode, clamp);
                vectors = 1;
                start = n - lanes;
            }

            ColumnTile<TOps, TVec>(vectors, ref panel, rowStride, step, rows, k, ref Unsafe.Add(ref b, start), ref bRow, ref Unsafe.Add(ref c, start), ldc,
                ref (perColumn ? ref Unsafe.Add(ref bias, start) : ref bias), biasMode, clamp);
        }

        ActivateRows<TOps, TVec>(ref c, ldc, rows, n, epilogue);
    }

    // A tile of `vectors` (1..3) vectors at one column for every row of the panel: one 8-row tile for packed A with
    // 512-bit vectors, else 4-row tiles.
    private static void ColumnTile<TOps, TVec>(int vectors, ref float panel, nint rowStride, nint step, int rows, int k,
        ref float b, ref int bRow, ref float c, nint ldc, ref float bias, GemmBias biasMode, GemmClamp clamp)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        if (TOps.Count == 16 && rowStride == 1 && step == MR)
        {
            if (vectors == 3) Tile8x3<TOps, TVec>(ref panel, k, ref b, ref bRow, ref c, ldc, rows, ref bias, biasMode, clamp);
            else if (vectors == 2) Tile8x2<TOps, TVec>(ref panel, k, ref b, ref bRow, ref c, ldc, rows, ref bias, biasMode, clamp);
            else Tile8x1<TOps, TVec>(ref panel, k, ref b, ref bRow, ref c, ldc, rows, ref bias, biasMode, clamp);
            return;
        }

        for (int r0 = 0; r0 < rows; r0 += 4)
        {
            int half = Math.Min(4, rows - r0);
            ref float a0 = ref Unsafe.Add(ref panel, r0 * rowStride);
            ref float a1 = ref Unsafe.Add(ref a0, Math.Min(1, half - 1) * rowStride);
            ref float a2 = ref Unsafe.Add(ref a0, Math.Min(2, half - 1) * rowStride);
            ref float a3 = ref Unsafe.Add(ref a0, Math.Min(3, half - 1) * rowStride);
            ref float cr = ref Unsafe.Add(ref c, r0 * ldc);
            ref float br = ref (biasMode == GemmBias.PerRow ? ref Unsafe.Add(ref bias, r0) : ref bias);
            if (vectors == 3) Tile4x3<TOps, TVec>(ref a0, ref a1, ref a2, ref a3, step, k, ref b, ref bRow, ref cr, ldc, half, ref br, biasMode, clamp);
            else if (vectors == 2) Tile4x2<TOps, TVec>(ref a0, ref a1, ref a2, ref a3, step, k, ref b, ref bRow, ref cr, ldc, half, ref br, biasMode, clamp);
            else Tile4x1<TOps, TVec>(ref a0, ref a1, ref a2, ref a3, step, k, ref b, ref bRow, ref cr, ldc, half, ref br, biasMode, clamp);
        }
    }

    // The activation over the first `width` columns of `rows` rows of C, once per element, after the tiles stored
    // biased sums (unless the tiles clamped as they stored). Kept out of the tiles so their accumulators stay in
    // registers.
    private static void ActivateRows<TOps, TVec>(ref float c, nint ldc, int rows, int width, Epilogue epilogue)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        if (epilogue.Activation == ActivationKind.None || GemmClamp.For(epilogue).Enabled) return;
        for (int r = 0; r < rows; r++) ActivateInPlace<TOps, TVec>(ref Unsafe.Add(ref c, r * ldc), width, epilogue);
    }

    /// <summary>
    /// Applies the epilogue's activation to <c>data[0 .. length)</c> in place, each element exactly once: the last
    /// vector is loaded before anything is stored and written last, so it may overlap the one before it.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ActivateInPlace<TOps, TVec>(ref float data, int length, Epilogue epilogue)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        if (epilogue.Activation == ActivationKind.None) return;
        int lanes = TOps.Count;
        if (length < lanes)
        {
            for (int i = 0; i < length; i++) Unsafe.Add(ref data, i) = epilogue.Apply(Unsafe.Add(ref data, i));
            return;
        }

        ref float tail = ref Unsafe.Add(ref data, length - lanes);
        TVec last = TOps.Load(ref tail);
        for (int i = 0; i < length - lanes; i += lanes)
        {
            ref float at = ref Unsafe.Add(ref data, i);
            TOps.Store(epilogue.Apply<TOps, TVec>(TOps.Load(ref at)), ref at);
        }

        TOps.Store(epilogue.Apply<TOps, TVec>(last), ref tail);
    }

    // n < lanes: one vector covers every column. Read B through a zero-padded strip (or directly when a vector's worth
    // of each row is readable), compute 1-vector tiles into a temporary, store the n valid columns. The strip lives
    // on the stack when small and in pooled arrays otherwise (allocation-free once the pool holds them).
    private static void NarrowColumns<TOps, TVec>(ref float a, nint panelStride, nint rowStride, nint step, int m, int k,
        ref float b, ReadOnlySpan<int> bRows, int n, int bReadable, ref float c, nint ldc, ref float bias, GemmBias biasMode, Epilogue epilogue)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        int lanes = TOps.Count;
        bool copyStrip = bReadable < lanes;
        int stripLength = copyStrip ? k * lanes : 0;
        bool pooled = stripLength > MaxStripFloats;
        float[]? pooledStrip = pooled ? ArrayPool<float>.Shared.Rent(stripLength) : null;
        int[]? pooledRows = pooled ? ArrayPool<int>.Shared.Rent(k) : null;
        Span<float> strip = pooledStrip is null ? stackalloc float[stripLength] : pooledStrip.AsSpan(0, stripLength);
        Span<int> stripRows = pooledRows is null ? stackalloc int[copyStrip ? k : 0] : pooledRows.AsSpan(0, k);
        NarrowTiles<TOps, TVec>(ref a, panelStride, rowStride, step, m, k, ref b, bRows, n, copyStrip, strip, stripRows, ref c, ldc,
            ref bias, biasMode, epilogue);
        if (pooledStrip is not null) ArrayPool<float>.Shared.Return(pooledStrip);
        if (pooledRows is not null) ArrayPool<int>.Shared.Return(pooledRows);
    }

    private static void NarrowTiles<TOps, TVec>(ref float a, nint panelStride, nint rowStride, nint step, int m, int k,
        ref float b, ReadOnlySpan<int> bRows, int n, bool copyStrip, Span<float> strip, Span<int> stripRows, ref float c, nint ldc,
        ref float bias, GemmBias biasMode, Epilogue epilogue)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        int lanes = TOps.Count;
        scoped ref float bStrip = ref b;
        scoped ref int rowRef = ref MemoryMarshal.GetReference(bRows);
        if (copyStrip)
        {
            for (int p = 0; p < k; p++)
            {
                Span<float> row = strip.Slice(p * lanes, lanes);
                MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref b, bRows[p]), n).CopyTo(row);
                row.Slice(n).Clear();
                stripRows[p] = p * lanes;
            }

            bStrip = ref MemoryMarshal.GetReference(strip);
            rowRef = ref MemoryMarshal.GetReference(stripRows);
        }

        Span<float> columnBias = stackalloc float[MaxLanes];
        scoped ref float tileBias = ref bias;
        if (biasMode == GemmBias.PerColumn)
        {
            columnBias.Clear();
            MemoryMarshal.CreateReadOnlySpan(ref bias, n).CopyTo(columnBias);
            tileBias = ref MemoryMarshal.GetReference(columnBias);
        }

        Span<float> tile = stackalloc float[MR * MaxLanes];
        ref float tileRef = ref MemoryMarshal.GetReference(tile);
        GemmClamp clamp = GemmClamp.For(epilogue);
        for (int i0 = 0; i0 < m; i0 += MR)
        {
            int rows = Math.Min(MR, m - i0);
            ref float panel = ref Unsafe.Add(ref a, (i0 / MR) * panelStride);
            ref float rowBias = ref (biasMode == GemmBias.PerRow ? ref Unsafe.Add(ref bias, i0) : ref tileBias);
            ColumnTile<TOps, TVec>(1, ref panel, rowStride, step, rows, k, ref bStrip, ref rowRef, ref tileRef, MaxLanes, ref rowBias, biasMode, clamp);
            ActivateRows<TOps, TVec>(ref tileRef, MaxLanes, rows, lanes, epilogue);
            for (int r = 0; r < rows; r++)
                tile.Slice(r * MaxLanes, n).CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref c, (i0 + r) * ldc), n));
        }
    }

    // Accumulator initial values: the bias of the row (PerRow: bias points at row 0 of the tile, rows past the
    // valid ones read the last valid one) or of the column (PerColumn: bias points at the tile's first column).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec RowBias<TOps, TVec>(ref float bias, GemmBias biasMode, int row, int rows)
        where TOps : IVectorOps<TVec> where TVec : struct
        => biasMode == GemmBias.PerRow ? TOps.Create(Unsafe.Add(ref bias, Math.Min(row, rows - 1))) : TOps.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec ColumnBias<TOps, TVec>(ref float bias, GemmBias biasMode, int vector)
        where TOps : IVectorOps<TVec> where TVec : struct
        => biasMode == GemmBias.PerColumn ? TOps.Load(ref Unsafe.Add(ref bias, vector * TOps.Count)) : TOps.Zero;

    // 8 rows x 3 vectors of packed A (rows at consecutive floats, MR floats per step): 24 accumulators,
    // for 512-bit vectors where there are 32 registers.
    private static void Tile8x3<TOps, TVec>(ref float a, int k, ref float b, ref int bRow, ref float c, nint ldc, int rows, ref float bias, GemmBias biasMode, GemmClamp clamp)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        nint lanes = TOps.Count;
        TVec c00, c01, c02, c10, c11, c12, c20, c21, c22, c30, c31, c32, c40, c41, c42, c50, c51, c52, c60, c61, c62, c70, c71, c72;
        if (biasMode == GemmBias.PerColumn)
        {
            c00 = c10 = c20 = c30 = c40 = c50 = c60 = c70 = ColumnBias<TOps, TVec>(ref bias, biasMode, 0);
            c01 = c11 = c21 = c31 = c41 = c51 = c61 = c71 = ColumnBias<TOps, TVec>(ref bias, biasMode, 1);
            c02 = c12 = c22 = c32 = c42 = c52 = c62 = c72 = ColumnBias<TOps, TVec>(ref bias, biasMode, 2);
        }
        else
        {
            c00 = c01 = c02 = RowBias<TOps, TVec>(ref bias, biasMode, 0, rows);
            c10 = c11 = c12 = RowBias<TOps, TVec>(ref bias, biasMode, 1, rows);
            c20 = c21 = c22 = RowBias<TOps, TVec>(ref bias, biasMode, 2, rows);
            c30 = c31 = c32 = RowBias<TOps, TVec>(ref bias, biasMode, 3, rows);
            c40 = c41 = c42 = RowBias<TOps, TVec>(ref bias, biasMode, 4, rows);
            c50 = c51 = c52 = RowBias<TOps, TVec>(ref bias, biasMode, 5, rows);
            c60 = c61 = c62 = RowBias<TOps, TVec>(ref bias, biasMode, 6, rows);
            c70 = c71 = c72 = RowBias<TOps, TVec>(ref bias, biasMode, 7, rows);
        }

        ref float ap = ref a;
        for (int p = 0; p < k; p++)
        {
            ref float bp = ref Unsafe.Add(ref b, (nint)Unsafe.Add(ref bRow, p));
            TVec b0 = TOps.Load(ref bp);
            TVec b1 = TOps.Load(ref Unsafe.Add(ref bp, lanes));
            TVec b2 = TOps.Load(ref Unsafe.Add(ref bp, 2 * lanes));
            TVec av = TOps.Create(ap);
            c00 = TOps.MultiplyAdd(av, b0, c00); c01 = TOps.MultiplyAdd(av, b1, c01); c02 = TOps.MultiplyAdd(av, b2, c02);
            av = TOps.Create(Unsafe.Add(ref ap, 1));
            c10 = TOps.MultiplyAdd(av, b0, c10); c11 = TOps.MultiplyAdd(av, b1, c11); c12 = TOps.MultiplyAdd(av, b2, c12);
            av = TOps.Create(Unsafe.Add(ref ap, 2));
            c20 = TOps.MultiplyAdd(av, b0, c20); c21 = TOps.MultiplyAdd(av, b1, c21); c22 = TOps.MultiplyAdd(av, b2, c22);
            av = TOps.Create(Unsafe.Add(ref ap, 3));
            c30 = TOps.MultiplyAdd(av, b0, c30); c31 = TOps.MultiplyAdd(av, b1, c31); c32 = TOps.MultiplyAdd(av, b2, c32);
            av = TOps.Create(Unsafe.Add(ref ap, 4));
            c40 = TOps.MultiplyAdd(av, b0, c40); c41 = TOps.MultiplyAdd(av, b1, c41); c42 = TOps.MultiplyAdd(av, b2, c42);
            av = TOps.Create(Unsafe.Add(ref ap, 5));
            c50 = TOps.MultiplyAdd(av, b0, c50); c51 = TOps.MultiplyAdd(av, b1, c51); c52 = TOps.MultiplyAdd(av, b2, c52);
            av = TOps.Create(Unsafe.Add(ref ap, 6));
            c60 = TOps.MultiplyAdd(av, b0, c60); c61 = TOps.MultiplyAdd(av, b1, c61); c62 = TOps.MultiplyAdd(av, b2, c62);
            av = TOps.Create(Unsafe.Add(ref ap, 7));
            c70 = TOps.MultiplyAdd(av, b0, c70); c71 = TOps.MultiplyAdd(av, b1, c71); c72 = TOps.MultiplyAdd(av, b2, c72);
            ap = ref Unsafe.Add(ref ap, MR);
        }

        if (clamp.Enabled)
        {
            TVec low = TOps.Create(clamp.Low);
            c00 = TOps.Max(c00, low);
            c01 = TOps.Max(c01, low);
            c02 = TOps.Max(c02, low);
            c10 = TOps.Max(c10, low);
            c11 = TOps.Max(c11, low);
            c12 = TOps.Max(c12, low);
            c20 = TOps.Max(c20, low);
            c21 = TOps.Max(c21, low);
            c22 = TOps.Max(c22, low);
            c30 = TOps.Max(c30, low);
            c31 = TOps.Max(c31, low);
            c32 = TOps.Max(c32, low);
            c40 = TOps.Max(c40, low);
            c41 = TOps.Max(c41, low);
            c42 = TOps.Max(c42, low);
            c50 = TOps.Max(c50, low);
            c51 = TOps.Max(c51, low);
            c52 = TOps.Max(c52, low);
            c60 = TOps.Max(c60, low);
            c61 = TOps.Max(c61, low);
            c62 = TOps.Max(c62, low);
            c70 = TOps.Max(c70, low);
            c71 = TOps.Max(c71, low);
            c72 = TOps.Max(c72, low);
            if (clamp.HasHigh)
            {
                TVec high = TOps.Create(clamp.High);
                c00 = TOps.Min(c00, high);
                c01 = TOps.Min(c01, high);
                c02 = TOps.Min(c02, high);
                c10 = TOps.Min(c10, high);
                c11 = TOps.Min(c11, high);
                c12 = TOps.Min(c12, high);
                c20 = TOps.Min(c20, high);
                c21 = TOps.Min(c21, high);
                c22 = TOps.Min(c22, high);
                c30 = TOps.Min(c30, high);
                c31 = TOps.Min(c31, high);
                c32 = TOps.Min(c32, high);
                c40 = TOps.Min(c40, high);
                c41 = TOps.Min(c41, high);
                c42 = TOps.Min(c42, high);
                c50 = TOps.Min(c50, high);
                c51 = TOps.Min(c51, high);
                c52 = TOps.Min(c52, high);
                c60 = TOps.Min(c60, high);
                c61 = TOps.Min(c61, high);
                c62 = TOps.Min(c62, high);
                c70 = TOps.Min(c70, high);
                c71 = TOps.Min(c71, high);
                c72 = TOps.Min(c72, high);
            }
        }

        ref float cr = ref c;
        TOps.Store(c00, ref cr); TOps.Store(c01, ref Unsafe.Add(ref cr, lanes)); TOps.Store(c02, ref Unsafe.Add(ref cr, 2 * lanes));
        if (rows < 2) return;
        cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c10, ref cr); TOps.Store(c11, ref Unsafe.Add(ref cr, lanes)); TOps.Store(c12, ref Unsafe.Add(ref cr, 2 * lanes));
        if (rows < 3) return;
        cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c20, ref cr); TOps.Store(c21, ref Unsafe.Add(ref cr, lanes)); TOps.Store(c22, ref Unsafe.Add(ref cr, 2 * lanes));
        if (rows < 4) return;
        cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c30, ref cr); TOps.Store(c31, ref Unsafe.Add(ref cr, lanes)); TOps.Store(c32, ref Unsafe.Add(ref cr, 2 * lanes));
        if (rows < 5) return;
        cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c40, ref cr); TOps.Store(c41, ref Unsafe.Add(ref cr, lanes)); TOps.Store(c42, ref Unsafe.Add(ref cr, 2 * lanes));
        if (rows < 6) return;
        cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c50, ref cr); TOps.Store(c51, ref Unsafe.Add(ref cr, lanes)); TOps.Store(c52, ref Unsafe.Add(ref cr, 2 * lanes));
        if (rows < 7) return;
        cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c60, ref cr); TOps.Store(c61, ref Unsafe.Add(ref cr, lanes)); TOps.Store(c62, ref Unsafe.Add(ref cr, 2 * lanes));
        if (rows < 8) return;
        cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c70, ref cr); TOps.Store(c71, ref Unsafe.Add(ref cr, lanes)); TOps.Store(c72, ref Unsafe.Add(ref cr, 2 * lanes));
    }

    // 8 rows x 2 vectors of packed A (rows at consecutive floats, MR floats per step): 16 accumulators,
    // for 512-bit vectors where there are 32 registers.
    private static void Tile8x2<TOps, TVec>(ref float a, int k, ref float b, ref int bRow, ref float c, nint ldc, int rows, ref float bias, GemmBias biasMode, GemmClamp clamp)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        nint lanes = TOps.Count;
        TVec c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
        if (biasMode == GemmBias.PerColumn)
        {
            c00 = c10 = c20 = c30 = c40 = c50 = c60 = c70 = ColumnBias<TOps, TVec>(ref bias, biasMode, 0);
            c01 = c11 = c21 = c31 = c41 = c51 = c61 = c71 = ColumnBias<TOps, TVec>(ref bias, biasMode, 1);
        }
        else
        {
            c00 = c01 = RowBias<TOps, TVec>(ref bias, biasMode, 0, rows);
            c10 = c11 = RowBias<TOps, TVec>(ref bias, biasMode, 1, rows);
            c20 = c21 = RowBias<TOps, TVec>(ref bias, biasMode, 2, rows);
            c30 = c31 = RowBias<TOps, TVec>(ref bias, biasMode, 3, rows);
            c40 = c41 = RowBias<TOps, TVec>(ref bias, biasMode, 4, rows);
            c50 = c51 = RowBias<TOps, TVec>(ref bias, biasMode, 5, rows);
            c60 = c61 = RowBias<TOps, TVec>(ref bias, biasMode, 6, rows);
            c70 = c71 = RowBias<TOps, TVec>(ref bias, biasMode, 7, rows);
        }

        ref float ap = ref a;
        for (int p = 0; p < k; p++)
        {
            ref float bp = ref Unsafe.Add(ref b, (nint)Unsafe.Add(ref bRow, p));
            TVec b0 = TOps.Load(ref bp);
            TVec b1 = TOps.Load(ref Unsafe.Add(ref bp, lanes));
            TVec av = TOps.Create(ap);
            c00 = TOps.MultiplyAdd(av, b0, c00); c01 = TOps.MultiplyAdd(av, b1, c01);
            av = TOps.Create(Unsafe.Add(ref ap, 1));
            c10 = TOps.MultiplyAdd(av, b0, c10); c11 = TOps.MultiplyAdd(av, b1, c11);
            av = TOps.Create(Unsafe.Add(ref ap, 2));
            c20 = TOps.MultiplyAdd(av, b0, c20); c21 = TOps.MultiplyAdd(av, b1, c21);
            av = TOps.Create(Unsafe.Add(ref ap, 3));
            c30 = TOps.MultiplyAdd(av, b0, c30); c31 = TOps.MultiplyAdd(av, b1, c31);
            av = TOps.Create(Unsafe.Add(ref ap, 4));
            c40 = TOps.MultiplyAdd(av, b0, c40); c41 = TOps.MultiplyAdd(av, b1, c41);
            av = TOps.Create(Unsafe.Add(ref ap, 5));
            c50 = TOps.MultiplyAdd(av, b0, c50); c51 = TOps.MultiplyAdd(av, b1, c51);
            av = TOps.Create(Unsafe.Add(ref ap, 6));
            c60 = TOps.MultiplyAdd(av, b0, c60); c61 = TOps.MultiplyAdd(av, b1, c61);
            av = TOps.Create(Unsafe.Add(ref ap, 7));
            c70 = TOps.MultiplyAdd(av, b0, c70); c71 = TOps.MultiplyAdd(av, b1, c71);
            ap = ref Unsafe.Add(ref ap, MR);
        }

        if (clamp.Enabled)
        {
            TVec low = TOps.Create(clamp.Low);
            c00 = TOps.Max(c00, low);
            c01 = TOps.Max(c01, low);
            c10 = TOps.Max(c10, low);
            c11 = TOps.Max(c11, low);
            c20 = TOps.Max(c20, low);
            c21 = TOps.Max(c21, low);
            c30 = TOps.Max(c30, low);
            c31 = TOps.Max(c31, low);
            c40 = TOps.Max(c40, low);
            c41 = TOps.Max(c41, low);
            c50 = TOps.Max(c50, low);
            c51 = TOps.Max(c51, low);
            c60 = TOps.Max(c60, low);
            c61 = TOps.Max(c61, low);
            c70 = TOps.Max(c70, low);
            c71 = TOps.Max(c71, low);
            if (clamp.HasHigh)
            {
                TVec high = TOps.Create(clamp.High);
                c00 = TOps.Min(c00, high);
                c01 = TOps.Min(c01, high);
                c10 = TOps.Min(c10, high);
                c11 = TOps.Min(c11, high);
                c20 = TOps.Min(c20, high);
                c21 = TOps.Min(c21, high);
                c30 = TOps.Min(c30, high);
                c31 = TOps.Min(c31, high);
                c40 = TOps.Min(c40, high);
                c41 = TOps.Min(c41, high);
                c50 = TOps.Min(c50, high);
                c51 = TOps.Min(c51, high);
                c60 = TOps.Min(c60, high);
                c61 = TOps.Min(c61, high);
                c70 = TOps.Min(c70, high);
                c71 = TOps.Min(c71, high);
            }
        }

        ref float cr = ref c;
        TOps.Store(c00, ref cr); TOps.Store(c01, ref Unsafe.Add(ref cr, lanes));
        if (rows < 2) return;
        cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c10, ref cr); TOps.Store(c11, ref Unsafe.Add(ref cr, lanes));
        if (rows < 3) return;
        cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c20, ref cr); TOps.Store(c21, ref Unsafe.Add(ref cr, lanes));
        if (rows < 4) return;
        cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c30, ref cr); TOps.Store(c31, ref Unsafe.Add(ref cr, lanes));
        if (rows < 5) return;
        cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c40, ref cr); TOps.Store(c41, ref Unsafe.Add(ref cr, lanes));
        if (rows < 6) return;
        cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c50, ref cr); TOps.Store(c51, ref Unsafe.Add(ref cr, lanes));
        if (rows < 7) return;
        cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c60, ref cr); TOps.Store(c61, ref Unsafe.Add(ref cr, lanes));
        if (rows < 8) return;
        cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c70, ref cr); TOps.Store(c71, ref Unsafe.Add(ref cr, lanes));
    }

    // 8 rows x 1 vector of packed A (rows at consecutive floats, MR floats per step): 8 accumulators,
    // for 512-bit vectors where there are 32 registers.
    private static void Tile8x1<TOps, TVec>(ref float a, int k, ref float b, ref int bRow, ref float c, nint ldc, int rows, ref float bias, GemmBias biasMode, GemmClamp clamp)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        nint lanes = TOps.Count;
        TVec c00, c10, c20, c30, c40, c50, c60, c70;
        if (biasMode == GemmBias.PerColumn)
        {
            c00 = c10 = c20 = c30 = c40 = c50 = c60 = c70 = ColumnBias<TOps, TVec>(ref bias, biasMode, 0);
        }
        else
        {
            c00 = RowBias<TOps, TVec>(ref bias, biasMode, 0, rows);
            c10 = RowBias<TOps, TVec>(ref bias, biasMode, 1, rows);
            c20 = RowBias<TOps, TVec>(ref bias, biasMode, 2, rows);
            c30 = RowBias<TOps, TVec>(ref bias, biasMode, 3, rows);
            c40 = RowBias<TOps, TVec>(ref bias, biasMode, 4, rows);
            c50 = RowBias<TOps, TVec>(ref bias, biasMode, 5, rows);
            c60 = RowBias<TOps, TVec>(ref bias, biasMode, 6, rows);
            c70 = RowBias<TOps, TVec>(ref bias, biasMode, 7, rows);
        }

        ref float ap = ref a;
        for (int p = 0; p < k; p++)
        {
            ref float bp = ref Unsafe.Add(ref b, (nint)Unsafe.Add(ref bRow, p));
            TVec b0 = TOps.Load(ref bp);
            TVec av = TOps.Create(ap);
            c00 = TOps.MultiplyAdd(av, b0, c00);
            av = TOps.Create(Unsafe.Add(ref ap, 1));
            c10 = TOps.MultiplyAdd(av, b0, c10);
            av = TOps.Create(Unsafe.Add(ref ap, 2));
            c20 = TOps.MultiplyAdd(av, b0, c20);
            av = TOps.Create(Unsafe.Add(ref ap, 3));
            c30 = TOps.MultiplyAdd(av, b0, c30);
            av = TOps.Create(Unsafe.Add(ref ap, 4));
            c40 = TOps.MultiplyAdd(av, b0, c40);
            av = TOps.Create(Unsafe.Add(ref ap, 5));
            c50 = TOps.MultiplyAdd(av, b0, c50);
            av = TOps.Create(Unsafe.Add(ref ap, 6));
            c60 = TOps.MultiplyAdd(av, b0, c60);
            av = TOps.Create(Unsafe.Add(ref ap, 7));
            c70 = TOps.MultiplyAdd(av, b0, c70);
            ap = ref Unsafe.Add(ref ap, MR);
        }

        if (clamp.Enabled)
        {
            TVec low = TOps.Create(clamp.Low);
            c00 = TOps.Max(c00, low);
            c10 = TOps.Max(c10, low);
            c20 = TOps.Max(c20, low);
            c30 = TOps.Max(c30, low);
            c40 = TOps.Max(c40, low);
            c50 = TOps.Max(c50, low);
            c60 = TOps.Max(c60, low);
            c70 = TOps.Max(c70, low);
            if (clamp.HasHigh)
            {
                TVec high = TOps.Create(clamp.High);
                c00 = TOps.Min(c00, high);
                c10 = TOps.Min(c10, high);
                c20 = TOps.Min(c20, high);
                c30 = TOps.Min(c30, high);
                c40 = TOps.Min(c40, high);
                c50 = TOps.Min(c50, high);
                c60 = TOps.Min(c60, high);
                c70 = TOps.Min(c70, high);
            }
        }

        ref float cr = ref c;
        TOps.Store(c00, ref cr);
        if (rows < 2) return;
        cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c10, ref cr);
        if (rows < 3) return;
        cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c20, ref cr);
        if (rows < 4) return;
        cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c30, ref cr);
        if (rows < 5) return;
        cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c40, ref cr);
        if (rows < 6) return;
        cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c50, ref cr);
        if (rows < 7) return;
        cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c60, ref cr);
        if (rows < 8) return;
        cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c70, ref cr);
    }

    // 4 rows x 3 vectors, each row of A through its own reference: 12 accumulators.
    private static void Tile4x3<TOps, TVec>(ref float a0, ref float a1, ref float a2, ref float a3, nint step, int k,
        ref float b, ref int bRow, ref float c, nint ldc, int rows, ref float bias, GemmBias biasMode, GemmClamp clamp)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        nint lanes = TOps.Count;
        TVec c00, c01, c02, c10, c11, c12, c20, c21, c22, c30, c31, c32;
        if (biasMode == GemmBias.PerColumn)
        {
            c00 = c10 = c20 = c30 = ColumnBias<TOps, TVec>(ref bias, biasMode, 0);
            c01 = c11 = c21 = c31 = ColumnBias<TOps, TVec>(ref bias, biasMode, 1);
            c02 = c12 = c22 = c32 = ColumnBias<TOps, TVec>(ref bias, biasMode, 2);
        }
        else
        {
            c00 = c01 = c02 = RowBias<TOps, TVec>(ref bias, biasMode, 0, rows);
            c10 = c11 = c12 = RowBias<TOps, TVec>(ref bias, biasMode, 1, rows);
            c20 = c21 = c22 = RowBias<TOps, TVec>(ref bias, biasMode, 2, rows);
            c30 = c31 = c32 = RowBias<TOps, TVec>(ref bias, biasMode, 3, rows);
        }

        nint ap = 0;
        for (int p = 0; p < k; p++)
        {
            ref float bp = ref Unsafe.Add(ref b, (nint)Unsafe.Add(ref bRow, p));
            TVec b0 = TOps.Load(ref bp);
            TVec b1 = TOps.Load(ref Unsafe.Add(ref bp, lanes));
            TVec b2 = TOps.Load(ref Unsafe.Add(ref bp, 2 * lanes));
            TVec av = TOps.Create(Unsafe.Add(ref a0, ap));
            c00 = TOps.MultiplyAdd(av, b0, c00); c01 = TOps.MultiplyAdd(av, b1, c01); c02 = TOps.MultiplyAdd(av, b2, c02);
            av = TOps.Create(Unsafe.Add(ref a1, ap));
            c10 = TOps.MultiplyAdd(av, b0, c10); c11 = TOps.MultiplyAdd(av, b1, c11); c12 = TOps.MultiplyAdd(av, b2, c12);
            av = TOps.Create(Unsafe.Add(ref a2, ap));
            c20 = TOps.MultiplyAdd(av, b0, c20); c21 = TOps.MultiplyAdd(av, b1, c21); c22 = TOps.MultiplyAdd(av, b2, c22);
            av = TOps.Create(Unsafe.Add(ref a3, ap));
            c30 = TOps.MultiplyAdd(av, b0, c30); c31 = TOps.MultiplyAdd(av, b1, c31); c32 = TOps.MultiplyAdd(av, b2, c32);
            ap += step;
        }

        if (clamp.Enabled)
        {
            TVec low = TOps.Create(clamp.Low);
            c00 = TOps.Max(c00, low);
            c01 = TOps.Max(c01, low);
            c02 = TOps.Max(c02, low);
            c10 = TOps.Max(c10, low);
            c11 = TOps.Max(c11, low);
            c12 = TOps.Max(c12, low);
            c20 = TOps.Max(c20, low);
            c21 = TOps.Max(c21, low);
            c22 = TOps.Max(c22, low);
            c30 = TOps.Max(c30, low);
            c31 = TOps.Max(c31, low);
            c32 = TOps.Max(c32, low);
            if (clamp.HasHigh)
            {
                TVec high = TOps.Create(clamp.High);
                c00 = TOps.Min(c00, high);
                c01 = TOps.Min(c01, high);
                c02 = TOps.Min(c02, high);
                c10 = TOps.Min(c10, high);
                c11 = TOps.Min(c11, high);
                c12 = TOps.Min(c12, high);
                c20 = TOps.Min(c20, high);
                c21 = TOps.Min(c21, high);
                c22 = TOps.Min(c22, high);
                c30 = TOps.Min(c30, high);
                c31 = TOps.Min(c31, high);
                c32 = TOps.Min(c32, high);
            }
        }

        ref float cr = ref c;
        TOps.Store(c00, ref cr); TOps.Store(c01, ref Unsafe.Add(ref cr, lanes)); TOps.Store(c02, ref Unsafe.Add(ref cr, 2 * lanes));
        if (rows < 2) return;
        cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c10, ref cr); TOps.Store(c11, ref Unsafe.Add(ref cr, lanes)); TOps.Store(c12, ref Unsafe.Add(ref cr, 2 * lanes));
        if (rows < 3) return;
        cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c20, ref cr); TOps.Store(c21, ref Unsafe.Add(ref cr, lanes)); TOps.Store(c22, ref Unsafe.Add(ref cr, 2 * lanes));
        if (rows < 4) return;
        cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c30, ref cr); TOps.Store(c31, ref Unsafe.Add(ref cr, lanes)); TOps.Store(c32, ref Unsafe.Add(ref cr, 2 * lanes));
    }

    // 4 rows x 2 vectors, each row of A through its own reference: 8 accumulators.
    private static void Tile4x2<TOps, TVec>(ref float a0, ref float a1, ref float a2, ref float a3, nint step, int k,
        ref float b, ref int bRow, ref float c, nint ldc, int rows, ref float bias, GemmBias biasMode, GemmClamp clamp)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        nint lanes = TOps.Count;
        TVec c00, c01, c10, c11, c20, c21, c30, c31;
        if (biasMode == GemmBias.PerColumn)
        {
            c00 = c10 = c20 = c30 = ColumnBias<TOps, TVec>(ref bias, biasMode, 0);
            c01 = c11 = c21 = c31 = ColumnBias<TOps, TVec>(ref bias, biasMode, 1);
        }
        else
        {
            c00 = c01 = RowBias<TOps, TVec>(ref bias, biasMode, 0, rows);
            c10 = c11 = RowBias<TOps, TVec>(ref bias, biasMode, 1, rows);
            c20 = c21 = RowBias<TOps, TVec>(ref bias, biasMode, 2, rows);
            c30 = c31 = RowBias<TOps, TVec>(ref bias, biasMode, 3, rows);
        }

        nint ap = 0;
        for (int p = 0; p < k; p++)
        {
            ref float bp = ref Unsafe.Add(ref b, (nint)Unsafe.Add(ref bRow, p));
            TVec b0 = TOps.Load(ref bp);
            TVec b1 = TOps.Load(ref Unsafe.Add(ref bp, lanes));
            TVec av = TOps.Create(Unsafe.Add(ref a0, ap));
            c00 = TOps.MultiplyAdd(av, b0, c00); c01 = TOps.MultiplyAdd(av, b1, c01);
            av = TOps.Create(Unsafe.Add(ref a1, ap));
            c10 = TOps.MultiplyAdd(av, b0, c10); c11 = TOps.MultiplyAdd(av, b1, c11);
            av = TOps.Create(Unsafe.Add(ref a2, ap));
            c20 = TOps.MultiplyAdd(av, b0, c20); c21 = TOps.MultiplyAdd(av, b1, c21);
            av = TOps.Create(Unsafe.Add(ref a3, ap));
            c30 = TOps.MultiplyAdd(av, b0, c30); c31 = TOps.MultiplyAdd(av, b1, c31);
            ap += step;
        }

        if (clamp.Enabled)
        {
            TVec low = TOps.Create(clamp.Low);
            c00 = TOps.Max(c00, low);
            c01 = TOps.Max(c01, low);
            c10 = TOps.Max(c10, low);
            c11 = TOps.Max(c11, low);
            c20 = TOps.Max(c20, low);
            c21 = TOps.Max(c21, low);
            c30 = TOps.Max(c30, low);
            c31 = TOps.Max(c31, low);
            if (clamp.HasHigh)
            {
                TVec high = TOps.Create(clamp.High);
                c00 = TOps.Min(c00, high);
                c01 = TOps.Min(c01, high);
                c10 = TOps.Min(c10, high);
                c11 = TOps.Min(c11, high);
                c20 = TOps.Min(c20, high);
                c21 = TOps.Min(c21, high);
                c30 = TOps.Min(c30, high);
                c31 = TOps.Min(c31, high);
            }
        }

        ref float cr = ref c;
        TOps.Store(c00, ref cr); TOps.Store(c01, ref Unsafe.Add(ref cr, lanes));
        if (rows < 2) return;
        cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c10, ref cr); TOps.Store(c11, ref Unsafe.Add(ref cr, lanes));
        if (rows < 3) return;
        cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c20, ref cr); TOps.Store(c21, ref Unsafe.Add(ref cr, lanes));
        if (rows < 4) return;
        cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c30, ref cr); TOps.Store(c31, ref Unsafe.Add(ref cr, lanes));
    }

    // 4 rows x 1 vector, each row of A through its own reference: 4 accumulators.
    private static void Tile4x1<TOps, TVec>(ref float a0, ref float a1, ref float a2, ref float a3, nint step, int k,
        ref float b, ref int bRow, ref float c, nint ldc, int rows, ref float bias, GemmBias biasMode, GemmClamp clamp)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        nint lanes = TOps.Count;
        TVec c00, c10, c20, c30;
        if (biasMode == GemmBias.PerColumn)
        {
            c00 = c10 = c20 = c30 = ColumnBias<TOps, TVec>(ref bias, biasMode, 0);
        }
        else
        {
            c00 = RowBias<TOps, TVec>(ref bias, biasMode, 0, rows);
            c10 = RowBias<TOps, TVec>(ref bias, biasMode, 1, rows);
            c20 = RowBias<TOps, TVec>(ref bias, biasMode, 2, rows);
            c30 = RowBias<TOps, TVec>(ref bias, biasMode, 3, rows);
        }

        nint ap = 0;
        for (int p = 0; p < k; p++)
        {
            ref float bp = ref Unsafe.Add(ref b, (nint)Unsafe.Add(ref bRow, p));
            TVec b0 = TOps.Load(ref bp);
            TVec av = TOps.Create(Unsafe.Add(ref a0, ap));
            c00 = TOps.MultiplyAdd(av, b0, c00);
            av = TOps.Create(Unsafe.Add(ref a1, ap));
            c10 = TOps.MultiplyAdd(av, b0, c10);
            av = TOps.Create(Unsafe.Add(ref a2, ap));
            c20 = TOps.MultiplyAdd(av, b0, c20);
            av = TOps.Create(Unsafe.Add(ref a3, ap));
            c30 = TOps.MultiplyAdd(av, b0, c30);
            ap += step;
        }

        if (clamp.Enabled)
        {
            TVec low = TOps.Create(clamp.Low);
            c00 = TOps.Max(c00, low);
            c10 = TOps.Max(c10, low);
            c20 = TOps.Max(c20, low);
            c30 = TOps.Max(c30, low);
            if (clamp.HasHigh)
            {
                TVec high = TOps.Create(clamp.High);
                c00 = TOps.Min(c00, high);
                c10 = TOps.Min(c10, high);
                c20 = TOps.Min(c20, high);
                c30 = TOps.Min(c30, high);
            }
        }

        ref float cr = ref c;
        TOps.Store(c00, ref cr);
        if (rows < 2) return;
        cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c10, ref cr);
        if (rows < 3) return;
        cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c20, ref cr);
        if (rows < 4) return;
        cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c30, ref cr);
    }
}
