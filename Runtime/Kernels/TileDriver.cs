using ConvGen.Runtime.Simd;

namespace ConvGen.Runtime.Kernels;

/// <summary>
/// A convolution-shaped product for <see cref="TileDriver"/>: <see cref="Blocks"/> output blocks of 16 channels, each
/// over <see cref="Rows"/> x <see cref="Columns"/> positions, every output vector a reduction over the taps of
/// <see cref="Taps"/> (see <see cref="TileArgs"/> for the addressing).
/// </summary>
internal ref struct TileProblem
{
    /// <summary>Packed weights of output block 0: [tap][inner step][16]; block b at <c>b * WeightBlockStride</c>.</summary>
    public ref float Weights;
    public nint WeightBlockStride;
    public nint WeightTapStride;
    /// <summary>Pairs (input offset, inner steps) per tap.</summary>
    public ReadOnlySpan<int> Taps;
    /// <summary>Input of output position (0, 0) at tap offset 0; output row r reads from <c>r * InputRowStride</c>.</summary>
    public ref float Input;
    public nint InputRowStride;
    public nint PositionStride;
    public nint InnerStride;
    public int Blocks;
    public int Rows;
    public int Columns;
    /// <summary>Output block b, row r, column c at <c>b * OutputBlockStride + r * OutputRowStride + c * OutputPositionStride</c>.</summary>
    public ref float Output;
    public nint OutputBlockStride;
    public nint OutputRowStride;
    public nint OutputPositionStride;
    /// <summary>Same shape and addressing as the output.</summary>
    public ref float Residual;
    public bool HasResidual;
    /// <summary>Bias padded to Blocks x 16.</summary>
    public ref float Bias;
    /// <summary>Real channels in the last block (1..16): padding lanes past it are masked after an activation with f(0) != 0.</summary>
    public int LastBlockLanes;
    /// <summary>Row-major outputs (Linear): the last block stores only <see cref="LastBlockLanes"/> lanes.</summary>
    public bool StoreLastBlockPartially;
}

/// <summary>
/// Runs a <see cref="TileProblem"/> with <see cref="TileKernel"/>: per group of output vector rows (the tile's blocks
/// on the 512-bit path; on narrower paths two vectors of one block, so that a tile fits 16 registers), per output row,
/// tiles of positions, the row's last tile moved back to end at the row's end and storing only its new positions. On the
/// 512-bit path the tiles of a group prefetch the next group's weights between them (<see cref="TileArgs.PrefetchLinesPerTap"/>):
/// a network's weights arrive from L3 or memory, and without it each group's first tile waits for them.
/// </summary>
internal static class TileDriver
{
    /// <summary>Vector rows of a narrow-path tile, and its most positions: 2 x 6 accumulators + 2 weights + 1 broadcast in 16 registers.</summary>
    private const int NarrowRows = 2, NarrowPositions = 6;

    /// <summary>Most lines of the next group's weights a tile prefetches per tap (a burst the miss queues take).</summary>
    private const int MostPrefetchLinesPerTap = 8;

    /// <summary>Measurement switch (KernelBench): every tile reads its position stride at run time.</summary>
    internal static bool RuntimeStridesOnly;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TOps, TVec, TAct>(scoped ref TileProblem problem, ConvTile tile, TAct act)
        where TOps : IVectorOps<TVec> where TVec : struct where TAct : struct, IActivation
    {
        Span<float> maskBuffer = stackalloc float[(ConvTile.MaxBlocks + 1) * Blocked16.Lanes];
        maskBuffer.Fill(1f);
        maskBuffer.Slice(ConvTile.MaxBlocks * Blocked16.Lanes + problem.LastBlockLanes).Clear();
        var job = new Loop<TOps, TVec, TAct>(in problem, act, maskBuffer);
        int blockedStride = problem.PositionStride == Blocked16.Lanes ? 1 : problem.PositionStride == 2 * Blocked16.Lanes ? 2 : 0;
        if (RuntimeStridesOnly) blockedStride = 0;
        if (TOps.Count == Blocked16.Lanes)
        {
            int full = problem.Blocks / tile.Blocks * tile.Blocks;
            if (full > 0)
            {
                job.First = 0;
                job.End = full;
                WithShape(tile.Blocks, tile.Positions, blockedStride, ref job);
            }

            if (full < problem.Blocks)
            {
                job.First = full;
                job.End = problem.Blocks;
                WithShape(problem.Blocks - full, tile.Positions, blockedStride, ref job);
            }

            return;
        }

        job.First = 0;
        job.End = problem.Blocks * (Blocked16.Lanes / TOps.Count);
        WithShape(NarrowRows, NarrowTilePositions(Math.Min(tile.Positions, NarrowPositions), problem.Columns), 0, ref job); // the narrow tiles read the stride at run time (TileKernel.Run)
    }

    /// <summary>
    /// Positions of a narrow-path tile, at most <paramref name="most"/> and at least <paramref name="most"/> - 2: the
    /// count with the least work over a row of <paramref name="columns"/>, where a row's last tile overlaps the one
    /// before it and recomputes the overlap, and a tile of p positions costs p + 1 (per reduction step p broadcasts and
    /// 2p multiply-adds, plus the two weight loads every tile pays); the larger count on a tie. LeNet-5's 10-column rows
    /// take two tiles of 5 rather than two of 6 (12 positions for 10); a 125-position map keeps tiles of 6.
    /// </summary>
    internal static int NarrowTilePositions(int most, int columns)
    {
        int best = most, least = (columns + most - 1) / most * (most + 1);
        for (int p = most - 1; p >= Math.Max(1, most - 2); p--)
        {
            int cost = (columns + p - 1) / p * (p + 1);
            if (cost < least) (best, least) = (p, cost);
        }

        return best;
    }

    internal interface IShapeJob
    {
        void Run<TRows, TPositions, TStride>() where TRows : struct, IConstant where TPositions : struct, IConstant where TStride : struct, IConstant;
    }

    /// <summary>The <c>blockedStride</c> of <see cref="WithShape"/> that selects the CHW GEMM form (<see cref="PackedGemm"/>).</summary>
    internal const int PackedGemmForm = -1;

    // blockedStride: the input positions are that many blocks of 16 floats apart (1 or 2), known to the JIT; 0: run time;
    // PackedGemmForm: the CHW GEMM form.
    internal static void WithShape<TJob>(int rows, int positions, int blockedStride, scoped ref TJob job) where TJob : IShapeJob, allows ref struct
    {
        switch (rows)
        {
            case 1: WithPositions<TJob, C1>(positions, blockedStride, ref job); break;
            case 2: WithPositions<TJob, C2>(positions, blockedStride, ref job); break;
            case 3: WithPositions<TJob, C3>(positions, blockedStride, ref job); break;
            case 4: WithPositions<TJob, C4>(positions, blockedStride, ref job); break;
            default: ThrowShape(ConvTile.MaxBlocks, rows, "rows"); break;
        }
    }

    private static void WithPositions<TJob, TRows>(int positions, int blockedStride, scoped ref TJob job)
        where TJob : IShapeJob, allows ref struct where TRows : struct, IConstant
    {
        switch (positions)
        {
            case 1: WithStride<TJob, TRows, C1>(blockedStride, ref job); break;
            case 2: WithStride<TJob, TRows, C2>(blockedStride, ref job); break;
            case 3: WithStride<TJob, TRows, C3>(blockedStride, ref job); break;
            case 4: WithStride<TJob, TRows, C4>(blockedStride, ref job); break;
            case 5: WithStride<TJob, TRows, C5>(blockedStride, ref job); break;
            case 6: WithStride<TJob, TRows, C6>(blockedStride, ref job); break;
            case 7: WithStride<TJob, TRows, C7>(blockedStride, ref job); break;
            case 8: WithStride<TJob, TRows, C8>(blockedStride, ref job); break;
            case 9: WithStride<TJob, TRows, C9>(blockedStride, ref job); break;
            case 10: WithStride<TJob, TRows, C10>(blockedStride, ref job); break;
            case 11: WithStride<TJob, TRows, C11>(blockedStride, ref job); break;
            case 12: WithStride<TJob, TRows, C12>(blockedStride, ref job); break;
            case 13: WithStride<TJob, TRows, C13>(blockedStride, ref job); break;
            case 14: WithStride<TJob, TRows, C14>(blockedStride, ref job); break;
            case 15: WithStride<TJob, TRows, C15>(blockedStride, ref job); break;
            case 16: WithStride<TJob, TRows, C16>(blockedStride, ref job); break;
            default: ThrowShape(ConvTile.MaxPositions, positions, "positions"); break;
        }
    }

    // Out of line (never inlined): the shape dispatch runs on every call of a blocked convolution.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowShape(int most, int got, string what) => throw new ArgumentException($"A tile has 1..{most} {what}, got {got}.");

    private static void WithStride<TJob, TRows, TPositions>(int blockedStride, scoped ref TJob job)
        where TJob : IShapeJob, allows ref struct where TRows : struct, IConstant where TPositions : struct, IConstant
    {
        switch (blockedStride)
        {
            case 1: job.Run<TRows, TPositions, C1>(); break;
            case 2: job.Run<TRows, TPositions, C2>(); break;
            case PackedGemmForm: job.Run<TRows, TPositions, PackedGemm>(); break;
            default: job.Run<TRows, TPositions, RuntimeStride>(); break;
        }
    }

    // The loops for one tile shape over vector rows [First, End) (blocks on the 512-bit path, else TOps-wide parts
    // of blocks).
    private ref struct Loop<TOps, TVec, TAct> : IShapeJob
        where TOps : IVectorOps<TVec> where TVec : struct where TAct : struct, IActivation
    {
        private TileProblem _problem;
        private readonly TAct _act;
        private readonly Span<float> _mask;
        public int First;
        public int End;

        public Loop(in TileProblem problem, TAct act, Span<float> mask)
        {
            _problem = problem;
            _act = act;
            _mask = mask;
        }

        public void Run<TRows, TPositions, TStride>() where TRows : struct, IConstant where TPositions : struct, IConstant where TStride : struct, IConstant =>
            Rows<TOps, TVec, TRows, TPositions, TStride, TAct>(ref _problem, _act, _mask, First, End);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Rows<TOps, TVec, TRows, TPositions, TStride, TAct>(scoped ref TileProblem pr, TAct act, Span<float> maskBuffer, int first, int end)
        where TOps : IVectorOps<TVec> where TVec : struct where TRows : struct, IConstant where TPositions : struct, IConstant where TStride : struct, IConstant
        where TAct : struct, IActivation
    {
        int lanes = TOps.Count, perBlock = Blocked16.Lanes / lanes;
        int p = TPositions.Value, columns = pr.Columns;
        bool blockRows = perBlock == 1;
        var args = new TileArgs
        {
            WeightRowStride = blockRows ? pr.WeightBlockStride : lanes,
            WeightTapStride = pr.WeightTapStride,
            PositionStride = pr.PositionStride,
            InnerStride = pr.InnerStride,
            Taps = pr.Taps,
            HasResidual = pr.HasResidual,
            OutputRowStride = blockRows ? pr.OutputBlockStride : lanes,
            OutputPositionStride = pr.OutputPositionStride,
            BiasRowStride = lanes,
        };
        // Mask lanes: ones for every channel below the last block, then the last block's 16 lanes (1 for a real
        // channel); channel c of the last block's tile is element c - (Blocks - 1) * 16 + 64 of the buffer.
        ref float maskBase = ref MemoryMarshal.GetReference(maskBuffer);
        int channels = (pr.Blocks - 1) * Blocked16.Lanes + pr.LastBlockLanes;
        bool maskNeeded = !TAct.PreservesZero && pr.LastBlockLanes < Blocked16.Lanes;
        bool lanesChecked = pr.StoreLastBlockPartially && pr.LastBlockLanes < Blocked16.Lanes;
        // Per tile, its share of the next group's weights (of the 512-bit path, whose groups are whole blocks) is
        // prefetched a few lines per tap (TileArgs.PrefetchLinesPerTap), spread over the group's tap iterations.
        int tapRuns = pr.Rows * ((columns + p - 1) / p) * (pr.Taps.Length >> 1);
        for (int v0 = first; v0 < end; v0 += TRows.Value)
        {
            int nextBlocks = blockRows ? Math.Min(TRows.Value, pr.Blocks - v0 - TRows.Value) : 0;
            nint prefetchLeft = nextBlocks > 0 ? nextBlocks * pr.WeightBlockStride / TileKernel.LineFloats : 0;
            nint linesPerTap = Math.Min(MostPrefetchLinesPerTap, (prefetchLeft + tapRuns - 1) / Math.Max(1, tapRuns));
            nint linesPerTile = linesPerTap * (pr.Taps.Length >> 1);
            nint prefetch = TileKernel.AddressOf(ref pr.Weights) + (nint)(v0 + TRows.Value) * pr.WeightBlockStride * sizeof(float);
            int block = v0 / perBlock, lane = v0 % perBlock * lanes;
            nint blockOffset = block * pr.OutputBlockStride + lane;
            args.Weights = ref Unsafe.Add(ref pr.Weights, block * pr.WeightBlockStride + lane);
            args.Bias = ref Unsafe.Add(ref pr.Bias, (nint)v0 * lanes);
            bool includesLast = (v0 + TRows.Value - 1) / perBlock == pr.Blocks - 1;
            args.Masked = maskNeeded && includesLast;
            if (args.Masked)
                args.Mask = ref Unsafe.Add(ref maskBase, v0 * lanes - (pr.Blocks - 1) * Blocked16.Lanes + ConvTile.MaxBlocks * Blocked16.Lanes);
            args.CheckLanes = lanesChecked && includesLast;
            args.ValidLanes = channels - v0 * lanes;
            for (int row = 0; row < pr.Rows; row++)
            {
                ref float input = ref Unsafe.Add(ref pr.Input, row * pr.InputRowStride);
                nint outRow = blockOffset + row * pr.OutputRowStride;
                for (int c0 = 0; c0 < columns; c0 += p)
                {
                    int start = c0, firstStored = 0;
                    if (c0 + p > columns)
                    {
                        start = columns - p;
                        firstStored = c0 - start;
                    }

                    args.FirstStored = firstStored;
                    args.Input = ref Unsafe.Add(ref input, start * pr.PositionStride);
                    nint at = outRow + start * pr.OutputPositionStride;
                    args.Output = ref Unsafe.Add(ref pr.Output, at);
                    args.Residual = ref pr.HasResidual ? ref Unsafe.Add(ref pr.Residual, at) : ref pr.Output;
                    // The tiles after those that cover the next group's weights prefetch nothing.
                    args.PrefetchLinesPerTap = prefetchLeft > 0 ? linesPerTap : 0;
                    args.PrefetchAddress = prefetch;
                    prefetch += linesPerTile * TileKernel.LineFloats * sizeof(float);
                    prefetchLeft -= linesPerTile;
                    TileKernel.Run<TOps, TVec, TRows, TPositions, TStride, TAct>(ref args, act);
                }
            }
        }
    }
}
