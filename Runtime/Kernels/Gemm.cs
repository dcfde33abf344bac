using ConvGen.Runtime.Simd;

namespace ConvGen.Runtime.Kernels;

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
/// value feeds several fused multiply-adds. Bias initialises the accumulators; the tiles store the biased sums and
/// the activation is then applied to each panel's rows while they are still in L1 (applying it inside the tiles
/// makes the JIT spill the accumulators).
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
/// When n is narrower than one vector, the columns are copied to a zero-padded strip on the stack (or B is read
/// directly when the caller guarantees a vector's worth of readable columns) and the tile is stored through a
/// temporary. Each C element is a sum over p in increasing order, one fused multiply-add per step.
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

    // Floats of stack for the zero-padded strip of B when n is narrower than a vector.
    private const int MaxStripFloats = 8192;

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
    /// C = epilogue(bias + A B) on packed A (<see cref="PackA"/>). <paramref name="bReadable"/> is how many columns
    /// of each row of B may be read (at least n); lengths are the caller's responsibility.
    /// </summary>
    public static void RunPacked<TOps, TVec>(ref float packedA, int m, int k, ref float b, nint ldb, int n, int bReadable,
        ref float c, nint ldc, ref float bias, GemmBias biasMode, Epilogue epilogue)
        where TOps : IVectorOps<TVec> where TVec : struct
        => Run<TOps, TVec>(ref packedA, (nint)MR * k, 1, MR, m, k, ref b, ldb, n, bReadable, ref c, ldc, ref bias, biasMode, epilogue);

    /// <summary>
    /// C = epilogue(bias + A B) with A read at <c>a[(i / MR) * panelStride + (i % MR) * rowStride + p * step]</c>.
    /// Lengths are the caller's responsibility.
    /// </summary>
    public static void Run<TOps, TVec>(ref float a, nint panelStride, nint rowStride, nint step, int m, int k,
        ref float b, nint ldb, int n, int bReadable, ref float c, nint ldc, ref float bias, GemmBias biasMode, Epilogue epilogue)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        if (m <= 0 || n <= 0) return;
        int lanes = TOps.Count;
        if (n >= lanes)
        {
            for (int i0 = 0; i0 < m; i0 += MR)
            {
                int rows = Math.Min(MR, m - i0);
                ref float panel = ref Unsafe.Add(ref a, (i0 / MR) * panelStride);
                ref float rowBias = ref (biasMode == GemmBias.PerRow ? ref Unsafe.Add(ref bias, i0) : ref bias);
                PanelColumns<TOps, TVec>(ref panel, rowStride, step, rows, k, ref b, ldb, n, ref Unsafe.Add(ref c, i0 * ldc), ldc,
                    ref rowBias, biasMode, epilogue);
            }
            return;
        }

        NarrowColumns<TOps, TVec>(ref a, panelStride, rowStride, step, m, k, ref b, ldb, n, bReadable, ref c, ldc, ref bias, biasMode, epilogue);
    }

    // One panel of MR (or fewer) rows across all n >= lanes columns. With 512-bit vectors (32 registers) and packed
    // A the full tiles are 8 rows x 3 vectors; otherwise, and for the ragged end, each half of the panel runs as
    // 4-row tiles.
    private static void PanelColumns<TOps, TVec>(ref float panel, nint rowStride, nint step, int rows, int k,
        ref float b, nint ldb, int n, ref float c, nint ldc, ref float bias, GemmBias biasMode, Epilogue epilogue)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        int lanes = TOps.Count;
        bool perColumn = biasMode == GemmBias.PerColumn;
        bool eightRows = TOps.Count == 16 && rowStride == 1 && step == MR;

        int j = 0;
        for (; j + NR * lanes <= n; j += NR * lanes)
        {
            ref float columnBias = ref (perColumn ? ref Unsafe.Add(ref bias, j) : ref bias);
            if (eightRows)
                Tile8x3<TOps, TVec>(ref panel, k, ref Unsafe.Add(ref b, j), ldb, ref Unsafe.Add(ref c, j), ldc, rows, ref columnBias, biasMode);
            else
                HalfTiles<TOps, TVec>(NR, ref panel, rowStride, step, rows, k, ref Unsafe.Add(ref b, j), ldb, ref Unsafe.Add(ref c, j), ldc,
                    ref columnBias, biasMode);
        }

        int rest = n - j;
        if (rest > 0)
        {
            // The ragged end as one tile of 1..3 vectors ending at column n, overlapping what came before.
            int vectors = (rest + lanes - 1) / lanes;
            int start = n - vectors * lanes;
            if (start < 0)
            {
                // Only when n < 3 vectors and not a whole number of them: full vectors from 0, then one ending at n.
                HalfTiles<TOps, TVec>(n / lanes, ref panel, rowStride, step, rows, k, ref b, ldb, ref c, ldc, ref bias, biasMode);
                vectors = 1;
                start = n - lanes;
            }

            HalfTiles<TOps, TVec>(vectors, ref panel, rowStride, step, rows, k, ref Unsafe.Add(ref b, start), ldb, ref Unsafe.Add(ref c, start), ldc,
                ref (perColumn ? ref Unsafe.Add(ref bias, start) : ref bias), biasMode);
        }

        ActivateRows<TOps, TVec>(ref c, ldc, rows, n, epilogue);
    }

    // A tile of `vectors` (1..3) vectors at one column for every row of the panel, as 4-row tiles.
    private static void HalfTiles<TOps, TVec>(int vectors, ref float panel, nint rowStride, nint step, int rows, int k,
        ref float b, nint ldb, ref float c, nint ldc, ref float bias, GemmBias biasMode)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        for (int r0 = 0; r0 < rows; r0 += 4)
        {
            int half = Math.Min(4, rows - r0);
            ref float a0 = ref Unsafe.Add(ref panel, r0 * rowStride);
            ref float a1 = ref Unsafe.Add(ref a0, Math.Min(1, half - 1) * rowStride);
            ref float a2 = ref Unsafe.Add(ref a0, Math.Min(2, half - 1) * rowStride);
            ref float a3 = ref Unsafe.Add(ref a0, Math.Min(3, half - 1) * rowStride);
            ref float cr = ref Unsafe.Add(ref c, r0 * ldc);
            ref float br = ref (biasMode == GemmBias.PerRow ? ref Unsafe.Add(ref bias, r0) : ref bias);
            if (vectors == 3) Tile3<TOps, TVec>(ref a0, ref a1, ref a2, ref a3, step, k, ref b, ldb, ref cr, ldc, half, ref br, biasMode);
            else if (vectors == 2) Tile2<TOps, TVec>(ref a0, ref a1, ref a2, ref a3, step, k, ref b, ldb, ref cr, ldc, half, ref br, biasMode);
            else Tile1<TOps, TVec>(ref a0, ref a1, ref a2, ref a3, step, k, ref b, ldb, ref cr, ldc, half, ref br, biasMode);
        }
    }

    // The activation over the first `width` columns of `rows` rows of C, once per element, after the tiles stored
    // biased sums. Kept out of the tiles so their accumulators stay in registers.
    private static void ActivateRows<TOps, TVec>(ref float c, nint ldc, int rows, int width, Epilogue epilogue)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        if (epilogue.Activation == ActivationKind.None) return;
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
    // of each row is readable), compute MR x 1-vector tiles into a temporary, store the n valid columns.
    private static void NarrowColumns<TOps, TVec>(ref float a, nint panelStride, nint rowStride, nint step, int m, int k,
        ref float b, nint ldb, int n, int bReadable, ref float c, nint ldc, ref float bias, GemmBias biasMode, Epilogue epilogue)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        int lanes = TOps.Count;
        bool copyStrip = bReadable < lanes;
        if (copyStrip && (long)k * lanes > MaxStripFloats)
        {
            // Too deep for the stack: the same tiles one lane wide.
            Run<Scalar, float>(ref a, panelStride, rowStride, step, m, k, ref b, ldb, n, bReadable, ref c, ldc, ref bias, biasMode, epilogue);
            return;
        }

        scoped ref float bStrip = ref b;
        nint ldStrip = ldb;
        Span<float> strip = stackalloc float[copyStrip ? k * lanes : 0];
        if (copyStrip)
        {
            for (int p = 0; p < k; p++)
            {
                Span<float> row = strip.Slice(p * lanes, lanes);
                MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref b, p * ldb), n).CopyTo(row);
                row.Slice(n).Clear();
            }
            bStrip = ref MemoryMarshal.GetReference(strip);
            ldStrip = lanes;
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
        for (int i0 = 0; i0 < m; i0 += MR)
        {
            int rows = Math.Min(MR, m - i0);
            ref float panel = ref Unsafe.Add(ref a, (i0 / MR) * panelStride);
            ref float rowBias = ref (biasMode == GemmBias.PerRow ? ref Unsafe.Add(ref bias, i0) : ref tileBias);
            HalfTiles<TOps, TVec>(1, ref panel, rowStride, step, rows, k, ref bStrip, ldStrip, ref tileRef, MaxLanes, ref rowBias, biasMode);
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

    // 8 rows x 3 vectors of packed A (rows at consecutive floats, MR floats per step): 24 accumulators, for 512-bit
    // vectors where there are 32 registers.
    private static void Tile8x3<TOps, TVec>(ref float a, int k, ref float b, nint ldb, ref float c, nint ldc, int rows, ref float bias, GemmBias biasMode)
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

        ref float bp = ref b;
        ref float ap = ref a;
        for (int p = 0; p < k; p++)
        {
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
            bp = ref Unsafe.Add(ref bp, ldb);
            ap = ref Unsafe.Add(ref ap, MR);
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

    // 4 rows x 3 vectors: 12 accumulators.
    private static void Tile3<TOps, TVec>(ref float a0, ref float a1, ref float a2, ref float a3, nint step, int k,
        ref float b, nint ldb, ref float c, nint ldc, int rows, ref float bias, GemmBias biasMode)
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

        ref float bp = ref b;
        nint ap = 0;
        for (int p = 0; p < k; p++)
        {
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
            bp = ref Unsafe.Add(ref bp, ldb);
            ap += step;
        }

        ref float cr = ref c;
        TOps.Store(c00, ref cr);
        TOps.Store(c01, ref Unsafe.Add(ref cr, lanes));
        TOps.Store(c02, ref Unsafe.Add(ref cr, 2 * lanes));
        if (rows < 2) return;
        cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c10, ref cr);
        TOps.Store(c11, ref Unsafe.Add(ref cr, lanes));
        TOps.Store(c12, ref Unsafe.Add(ref cr, 2 * lanes));
        if (rows < 3) return;
        cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c20, ref cr);
        TOps.Store(c21, ref Unsafe.Add(ref cr, lanes));
        TOps.Store(c22, ref Unsafe.Add(ref cr, 2 * lanes));
        if (rows < 4) return;
        cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c30, ref cr);
        TOps.Store(c31, ref Unsafe.Add(ref cr, lanes));
        TOps.Store(c32, ref Unsafe.Add(ref cr, 2 * lanes));
    }

    // 4 rows x 2 vectors.
    private static void Tile2<TOps, TVec>(ref float a0, ref float a1, ref float a2, ref float a3, nint step, int k,
        ref float b, nint ldb, ref float c, nint ldc, int rows, ref float bias, GemmBias biasMode)
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

        ref float bp = ref b;
        nint ap = 0;
        for (int p = 0; p < k; p++)
        {
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
            bp = ref Unsafe.Add(ref bp, ldb);
            ap += step;
        }

        ref float cr = ref c;
        TOps.Store(c00, ref cr);
        TOps.Store(c01, ref Unsafe.Add(ref cr, lanes));
        if (rows < 2) return;
        cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c10, ref cr);
        TOps.Store(c11, ref Unsafe.Add(ref cr, lanes));
        if (rows < 3) return;
        cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c20, ref cr);
        TOps.Store(c21, ref Unsafe.Add(ref cr, lanes));
        if (rows < 4) return;
        cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c30, ref cr);
        TOps.Store(c31, ref Unsafe.Add(ref cr, lanes));
    }

    // 4 rows x 1 vector.
    private static void Tile1<TOps, TVec>(ref float a0, ref float a1, ref float a2, ref float a3, nint step, int k,
        ref float b, nint ldb, ref float c, nint ldc, int rows, ref float bias, GemmBias biasMode)
        where TOps : IVectorOps<TVec> where TVec : struct
    {
        TVec c0, c1, c2, c3;
        if (biasMode == GemmBias.PerColumn)
        {
            c0 = c1 = c2 = c3 = ColumnBias<TOps, TVec>(ref bias, biasMode, 0);
        }
        else
        {
            c0 = RowBias<TOps, TVec>(ref bias, biasMode, 0, rows);
            c1 = RowBias<TOps, TVec>(ref bias, biasMode, 1, rows);
            c2 = RowBias<TOps, TVec>(ref bias, biasMode, 2, rows);
            c3 = RowBias<TOps, TVec>(ref bias, biasMode, 3, rows);
        }

        ref float bp = ref b;
        nint ap = 0;
        for (int p = 0; p < k; p++)
        {
            TVec b0 = TOps.Load(ref bp);
            c0 = TOps.MultiplyAdd(TOps.Create(Unsafe.Add(ref a0, ap)), b0, c0);
            c1 = TOps.MultiplyAdd(TOps.Create(Unsafe.Add(ref a1, ap)), b0, c1);
            c2 = TOps.MultiplyAdd(TOps.Create(Unsafe.Add(ref a2, ap)), b0, c2);
            c3 = TOps.MultiplyAdd(TOps.Create(Unsafe.Add(ref a3, ap)), b0, c3);
            bp = ref Unsafe.Add(ref bp, ldb);
            ap += step;
        }

        ref float cr = ref c;
        TOps.Store(c0, ref cr);
        if (rows < 2) return;
        cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c1, ref cr);
        if (rows < 3) return;
        cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c2, ref cr);
        if (rows < 4) return;
        cr = ref Unsafe.Add(ref cr, ldc);
        TOps.Store(c3, ref cr);
    }
}
