using ConvGen.Runtime.Simd;

namespace ConvGen.Runtime.Kernels;

/// <summary>
/// A 1x1 convolution and the depthwise convolution that reads only its output, in one pass over row bands: per group of
/// the tile's output blocks, the pointwise tiles write a band of padded rows (zero borders) that the depthwise then
/// reads, so the pointwise output, the largest tensor of an inverted-residual block, is never stored whole. Rows shared
/// by consecutive bands are moved up, not recomputed. At 512 bits the depthwise runs the whole-plane rows on the band;
/// narrower, the depthwise kernel runs each block's band as a map of its own (<see cref="BandGeometry"/>).
/// </summary>
[SkipLocalsInit]
public static partial class PointwiseDepthwiseConv2d
{
    /// <summary>
    /// Runs both convolutions: <paramref name="input"/> blocked, <paramref name="output"/> blocked; the packed weights
    /// from <see cref="PointwiseConv2d.Pack"/> and <see cref="DepthwiseConv2d.Pack"/>; <paramref name="tile"/> accepted
    /// by <see cref="DirectConv2d.TileRejects(in Conv2dGeometry, ConvTile)"/> for the pointwise geometry;
    /// <paramref name="workspace"/> at least <see cref="WorkspaceLength"/> floats.
    /// </summary>
    public static void Run<TPointwise, TDepthwise>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> pointwisePacked,
        ReadOnlySpan<float> depthwisePacked, in Conv2dGeometry pointwise, in Conv2dGeometry depthwise, ConvTile tile,
        TPointwise pointwiseActivation, TDepthwise depthwiseActivation, Span<float> workspace)
        where TPointwise : struct, IActivation where TDepthwise : struct, IActivation
        => Run(0, input, output, pointwisePacked, depthwisePacked, pointwise, depthwise, tile, pointwiseActivation, depthwiseActivation, workspace);

    /// <summary>The public <c>Run</c> at <paramref name="lanes"/> (16, 8, 4, 1; 0 for the widest): tests run every width.</summary>
    internal static void Run<TPointwise, TDepthwise>(int lanes, ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> pointwisePacked,
        ReadOnlySpan<float> depthwisePacked, in Conv2dGeometry pointwise, in Conv2dGeometry depthwise, ConvTile tile,
        TPointwise pointwiseActivation, TDepthwise depthwiseActivation, Span<float> workspace)
        where TPointwise : struct, IActivation where TDepthwise : struct, IActivation
    {
        pointwise.Validate();
        depthwise.Validate();
        string? problem = Rejects(pointwise, depthwise) ?? PointwiseConv2d.Rejects(pointwise, TensorLayout.Blocked16) ?? DirectConv2d.TileRejects(pointwise, tile);
        Conv2d.CheckRuns(problem, "PointwiseDepthwiseConv2d", depthwise);
        Conv2d.CheckLength(input.Length, Blocked16.Length(pointwise.InChannels, pointwise.InHeight * pointwise.InWidth), nameof(input));
        Conv2d.CheckLength(output.Length, Blocked16.Length(depthwise.OutChannels, depthwise.OutHeight * depthwise.OutWidth), nameof(output));
        Conv2d.CheckLength(pointwisePacked.Length, DirectConv2d.PackedLengthUnchecked(pointwise), nameof(pointwisePacked));
        Conv2d.CheckLength(depthwisePacked.Length, DepthwiseConv2d.PackedLengthUnchecked(depthwise), nameof(depthwisePacked));
        if (input.Overlaps(output)) throw new ArgumentException("input and output must not overlap.", nameof(output));
        Conv2d.CheckWorkspace(workspace.Length, WorkspaceLengthUnchecked(pointwise, depthwise, tile), "PointwiseDepthwiseConv2d", depthwise);
        if (input.Overlaps(workspace) || output.Overlaps(workspace)) throw new ArgumentException("the workspace must not overlap the input or the output.", nameof(workspace));

        int skip = Blocked16.AlignmentSkip(ref MemoryMarshal.GetReference(workspace)), bands = (int)BandsLength(pointwise, depthwise, tile);
        var job = new Job<TPointwise, TDepthwise>(input, output, pointwisePacked, depthwisePacked, workspace.Slice(skip, bands), workspace.Slice(skip + bands),
            pointwise, depthwise, tile, pointwiseActivation, depthwiseActivation);
        WidthDispatch.Run(lanes, ref job);
    }

    private readonly ref struct Job<TPointwise, TDepthwise>(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> pointwisePacked,
        ReadOnlySpan<float> depthwisePacked, Span<float> bands, Span<float> narrow, Conv2dGeometry pointwise, Conv2dGeometry depthwise, ConvTile tile,
        TPointwise pointwiseActivation, TDepthwise depthwiseActivation) : IWidthKernel
        where TPointwise : struct, IActivation where TDepthwise : struct, IActivation
    {
        private readonly ReadOnlySpan<float> _input = input, _pointwise = pointwisePacked, _depthwise = depthwisePacked;
        private readonly Span<float> _output = output, _bands = bands, _narrow = narrow;

        public void Run<TOps, TVec>() where TOps : IVectorOps<TVec> where TVec : struct
        {
            switch (DepthwiseConv2d.TilePositions(depthwise))
            {
                case 1: Convolve<TOps, TVec, C1, TPointwise, TDepthwise>(_input, _output, _pointwise, _depthwise, _bands, _narrow, pointwise, depthwise, tile, pointwiseActivation, depthwiseActivation); break;
                case 2: Convolve<TOps, TVec, C2, TPointwise, TDepthwise>(_input, _output, _pointwise, _depthwise, _bands, _narrow, pointwise, depthwise, tile, pointwiseActivation, depthwiseActivation); break;
                case 3: Convolve<TOps, TVec, C3, TPointwise, TDepthwise>(_input, _output, _pointwise, _depthwise, _bands, _narrow, pointwise, depthwise, tile, pointwiseActivation, depthwiseActivation); break;
                case 4: Convolve<TOps, TVec, C4, TPointwise, TDepthwise>(_input, _output, _pointwise, _depthwise, _bands, _narrow, pointwise, depthwise, tile, pointwiseActivation, depthwiseActivation); break;
                case 5: Convolve<TOps, TVec, C5, TPointwise, TDepthwise>(_input, _output, _pointwise, _depthwise, _bands, _narrow, pointwise, depthwise, tile, pointwiseActivation, depthwiseActivation); break;
                case 6: Convolve<TOps, TVec, C6, TPointwise, TDepthwise>(_input, _output, _pointwise, _depthwise, _bands, _narrow, pointwise, depthwise, tile, pointwiseActivation, depthwiseActivation); break;
                case 7: Convolve<TOps, TVec, C7, TPointwise, TDepthwise>(_input, _output, _pointwise, _depthwise, _bands, _narrow, pointwise, depthwise, tile, pointwiseActivation, depthwiseActivation); break;
                default: Convolve<TOps, TVec, C8, TPointwise, TDepthwise>(_input, _output, _pointwise, _depthwise, _bands, _narrow, pointwise, depthwise, tile, pointwiseActivation, depthwiseActivation); break;
            }
        }
    }

    // Per group of tile.Blocks output blocks, per band of BandRows output rows: the band's new padded rows (the
    // pointwise tiles over the input rows they hold, zero rows off the map), then the depthwise rows of each block
    // (at 512 bits the whole-plane rows on the band; narrower, the depthwise kernel on the block's band, `narrow` its workspace).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Convolve<TOps, TVec, TPositions, TPointwise, TDepthwise>(ReadOnlySpan<float> input, Span<float> output,
        ReadOnlySpan<float> pointwisePacked, ReadOnlySpan<float> depthwisePacked, Span<float> bands, Span<float> narrow, in Conv2dGeometry pw,
        in Conv2dGeometry dw, ConvTile tile, TPointwise pointwiseAct, TDepthwise depthwiseAct)
        where TOps : IVectorOps<TVec> where TVec : struct where TPositions : struct, IConstant
        where TPointwise : struct, IActivation where TDepthwise : struct, IActivation
    {
        const int L = Blocked16.Lanes;
        int channels = pw.OutChannels, blocks = Blocked16.Blocks(channels), inBlocks = Blocked16.Blocks(pw.InChannels);
        int h = dw.InHeight, w = dw.InWidth, oh = dw.OutHeight, ow = dw.OutWidth, stride = dw.StrideHeight, taps = dw.KernelHeight * dw.KernelWidth;
        int group = Math.Min(tile.Blocks, blocks), bandRows = BandRows(dw), bandHeight = BandHeight(dw), span = DepthwiseConv2d.RingRows(dw);
        int wp = DepthwiseConv2d.PaddedWidth(dw);
        nint rowFloats = (nint)wp * L, bandPlane = bandHeight * rowFloats;
        nint inPlane = (nint)h * w * L, outPlane = (nint)oh * ow * L;
        int lastLanes = channels - (blocks - 1) * L;
        // The bands' padding columns are never written but by zeros: cleared once per run (their rows are written or
        // cleared band by band). Clearing the whole bands cost 3-5 µs per call on MobileNetV2's maps.
        for (int b = 0; b < group; b++)
            Blocked16.ClearBorder<TOps, TVec>(ref Unsafe.Add(ref MemoryMarshal.GetReference(bands), b * bandPlane), L, bandHeight, w, 0, dw.PadLeft, 0, wp - dw.PadLeft - w);

        // The pointwise reduction: one tap per input block (16 input channels, fewer in the last).
        int rowsPerTap = DirectConv2d.RowsPerTap(pw);
        Span<int> table = stackalloc int[2 * inBlocks];
        for (int ib = 0; ib < inBlocks; ib++)
        {
            table[2 * ib] = checked((int)(ib * inPlane));
            table[2 * ib + 1] = Math.Min(rowsPerTap, pw.InChannels - ib * rowsPerTap);
        }

        nint weightBlock = (nint)inBlocks * rowsPerTap * L;
        ref float pwr = ref MemoryMarshal.GetReference(pointwisePacked);
        ref float pwBias = ref Unsafe.Add(ref pwr, blocks * weightBlock);
        ref float dwr = ref MemoryMarshal.GetReference(depthwisePacked);
        ref float dwBias = ref Unsafe.Add(ref dwr, (nint)blocks * taps * L);
        ref float xr = ref MemoryMarshal.GetReference(input);
        ref float bandRef = ref MemoryMarshal.GetReference(bands);
        ref float mask = ref Blocked16.LaneMask(lastLanes);
        Span<nint> rows = stackalloc nint[dw.KernelHeight];
        // Narrower widths: one block's packed depthwise weights and bias, as the kernel packs a 16-channel map (in the
        // workspace: a kernel of any size), then the kernel's own workspace.
        Span<float> blockWeights = narrow.Slice(0, (taps + 1) * L);
        narrow = narrow.Slice((taps + 1) * L);
        int threeWide = dw.KernelWidth == 3 && dw.DilationWidth == 1 && dw.StrideWidth <= 2 ? dw.StrideWidth : 0;

        for (int g0 = 0; g0 < blocks; g0 += group)
        {
            int nb = Math.Min(group, blocks - g0);
            // Padded rows [held0, held1) of the map are in band rows [0, held1 - held0).
            int held0 = 0, held1 = 0;
            for (int oy0 = 0; oy0 < oh; oy0 += bandRows)
            {
                int oy1 = Math.Min(oh, oy0 + bandRows);
                int r0 = oy0 * stride, r1 = (oy1 - 1) * stride + span;
                int keep = Math.Max(r0, held0), kept = Math.Max(0, held1 - keep);
                if (kept > 0 && keep > held0)
                    for (int b = 0; b < nb; b++)
                    {
                        Span<float> plane = bands.Slice((int)(b * bandPlane), (int)bandPlane);
                        plane.Slice((int)((keep - held0) * rowFloats), (int)(kept * rowFloats)).CopyTo(plane);
                    }

                // New padded rows [r0 + kept, r1): input rows y = r - PadTop; rows off the map are zeros.
                int first = r0 + kept;
                int y0 = Math.Max(first - dw.PadTop, 0), y1 = Math.Min(r1 - dw.PadTop, h);
                for (int r = first; r < r1; r++)
                {
                    int y = r - dw.PadTop;
                    if (y >= 0 && y < h) continue;
                    for (int b = 0; b < nb; b++) bands.Slice((int)(b * bandPlane + (r - r0) * rowFloats), (int)rowFloats).Clear();
                }

                if (y1 > y0)
                {
                    var problem = new TileProblem
                    {
                        Weights = ref Unsafe.Add(ref pwr, g0 * weightBlock),
                        WeightBlockStride = weightBlock,
                        WeightTapStride = (nint)rowsPerTap * L,
                        Taps = table,
                        Input = ref Unsafe.Add(ref xr, (nint)y0 * w * L),
                        InputRowStride = (nint)w * L,
                        PositionStride = L,
                        InnerStride = 1,
                        Blocks = nb,
                        Rows = y1 - y0,
                        Columns = w,
                        Output = ref Unsafe.Add(ref bandRef, (y0 + dw.PadTop - r0) * rowFloats + (nint)dw.PadLeft * L),
                        OutputBlockStride = bandPlane,
                        OutputRowStride = rowFloats,
                        OutputPositionStride = L,
                        HasResidual = false,
                        Residual = ref bandRef,
                        Bias = ref Unsafe.Add(ref pwBias, (nint)g0 * L),
                        LastBlockLanes = g0 + nb == blocks ? lastLanes : L,
                    };
                    TileDriver.Run<TOps, TVec, TPointwise>(ref problem, tile, pointwiseAct);
                }

                held0 = r0;
                held1 = r1;

                // The depthwise rows of the band, block by block, on the band as on a whole padded plane.
                Conv2dGeometry band = dw with { OutHeight = oy1 - oy0 };
                for (int b = 0; b < nb; b++)
                {
                    int block = g0 + b;
                    nint outBase = block * outPlane + (nint)oy0 * ow * L;
                    if (TOps.Count != L)
                    {
                        BandDepthwise<TOps, TVec, TDepthwise>(bands.Slice((int)(b * bandPlane)), output.Slice((int)outBase, (oy1 - oy0) * ow * L), depthwisePacked,
                            blockWeights, narrow, dw, block, oy1 - oy0, block == blocks - 1 ? lastLanes : L, depthwiseAct);
                        continue;
                    }

                    ref float weights = ref Unsafe.Add(ref dwr, (nint)block * taps * L);
                    TVec bias = TOps.Load(ref Unsafe.Add(ref dwBias, (nint)block * L));
                    bool masked = !TDepthwise.PreservesZero && block == blocks - 1 && lastLanes < L;
                    TVec maskVector = masked ? TOps.Load(ref mask) : default;
                    ref float plane = ref Unsafe.Add(ref bandRef, b * bandPlane);
                    if (threeWide == 1)
                        DepthwiseConv2d.PlaneRows<TOps, TVec, TPositions, C1, TDepthwise>(output, default, ref plane, rows, rowFloats, ref weights, bias, band, outBase, masked, maskVector, depthwiseAct);
                    else if (threeWide == 2)
                        DepthwiseConv2d.PlaneRows<TOps, TVec, TPositions, C2, TDepthwise>(output, default, ref plane, rows, rowFloats, ref weights, bias, band, outBase, masked, maskVector, depthwiseAct);
                    else
                        DepthwiseConv2d.PlaneRows<TOps, TVec, TPositions, RuntimeStride, TDepthwise>(output, default, ref plane, rows, rowFloats, ref weights, bias, band, outBase, masked, maskVector, depthwiseAct);
                }
            }
        }
    }

    // Below 512 bits: the depthwise kernel on one block's band (its padded rows as an unpadded 16-channel map), the
    // block's weights and bias copied into the packing of a 16-channel kernel; the padding lanes of a last block (of
    // `channels` real channels) cleared after an activation with f(0) != 0.
    private static void BandDepthwise<TOps, TVec, TDepthwise>(Span<float> plane, Span<float> output, ReadOnlySpan<float> packed, Span<float> blockWeights,
        Span<float> workspace, in Conv2dGeometry dw, int block, int rows, int channels, TDepthwise act)
        where TOps : IVectorOps<TVec> where TVec : struct where TDepthwise : struct, IActivation
    {
        const int L = Blocked16.Lanes;
        int taps = dw.KernelHeight * dw.KernelWidth, blocks = Blocked16.Blocks(dw.OutChannels);
        packed.Slice(block * taps * L, taps * L).CopyTo(blockWeights);
        packed.Slice((blocks * taps + block) * L, L).CopyTo(blockWeights.Slice(taps * L));
        Conv2dGeometry g = BandGeometry(dw, rows);
        DepthwiseConv2d.Run(TOps.Count, plane.Slice(0, g.InHeight * g.InWidth * L), output, blockWeights, default, g, act, workspace);
        if (!TDepthwise.PreservesZero) Blocked16.ClearPadding(output, channels, g.OutputPlane);
    }
}
