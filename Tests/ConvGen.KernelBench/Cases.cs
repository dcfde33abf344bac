using ConvGen.Runtime.Kernels;

namespace ConvGen.KernelBench;

/// <summary>One timed kernel call on one layer shape.</summary>
internal sealed record BenchCase(string Name, string Kernel, double Macs, Action Run);

/// <summary>The reference networks' layer shapes (ResNet-8, DS-CNN, VWW MobileNetV1-0.25, MobileNetV2), per kernel.</summary>
internal static class Cases
{
    public static IEnumerable<BenchCase> All(int lanes)
    {
        foreach ((string name, Conv2dGeometry g, TensorLayout layout) in Dense())
            yield return Direct(name, g, layout, DirectConv2d.ChooseTile(g), lanes);
        foreach ((string name, Conv2dGeometry g) in Pointwise())
            yield return PointwiseCase(name, g, PointwiseConv2d.ChooseTile(g), lanes);
        // VWW's second step: the CHW depthwise before it writes planes, the pointwise reads them (CHW -> blocked).
        yield return PointwiseCase("vww.pw 8->16 48x48 chw", Pw(8, 48, 48, 16), PointwiseConv2d.ChooseTile(Pw(8, 48, 48, 16)), lanes, TensorLayout.Chw);
        foreach ((string name, Conv2dGeometry g) in Depthwise())
            yield return DepthwiseCase(name, g, lanes);
        // The CHW depthwise forms (positions on the lanes) where the register tile takes the layer: the tile, then the
        // runtime-picked plane/row forms it replaces.
        foreach ((string name, Conv2dGeometry g) in Depthwise())
            if (PlaneDepthwiseConv2d.Rejects(g) is null)
            {
                yield return PlaneDepthwiseCase(name + " chw", g, lanes);
                yield return ChwDepthwiseCase(name + " chw", g);
            }
        foreach ((string name, Conv2dGeometry g, TensorLayout _) in Dense())
            if (g.KernelHeight == 3 && g.StrideHeight == 1 && g.InChannels >= 16)
                foreach (int tile in new[] { 2, 4 })
                    yield return WinogradCase(name, g, tile, lanes);
        yield return ChainCase("mnv2.chain 7x7 pointwise", [Pw(576, 7, 7, 160), Pw(160, 7, 7, 960), Pw(960, 7, 7, 160), Pw(160, 7, 7, 960), Pw(960, 7, 7, 160),
            Pw(160, 7, 7, 960), Pw(960, 7, 7, 320), Pw(320, 7, 7, 1280)], lanes);
        yield return ChainCase("mnv2.chain 14x14 pointwise", [Pw(64, 14, 14, 384), Pw(384, 14, 14, 64), Pw(64, 14, 14, 384), Pw(384, 14, 14, 64), Pw(64, 14, 14, 384),
            Pw(384, 14, 14, 96), Pw(96, 14, 14, 576), Pw(576, 14, 14, 96), Pw(96, 14, 14, 576), Pw(576, 14, 14, 96)], lanes);
        // MobileNetV2's late pointwise layers as the network runs them: weights cold (each call takes the next of copies
        // filling 48 MB, more than the L3, as a network of 14 MB of weights with other processes beside it), ReLU6.
        foreach ((string name, Conv2dGeometry g) in Pointwise())
            if (name.StartsWith("mnv2.pw") && g.OutHeight <= 14)
                yield return ColdWeightsCase(name.Replace("mnv2.pw", "mnv2.pw cold"), g, lanes);
        // MobileNetV2's expansion and depthwise pairs: fused in row bands, then the two kernels one after the other.
        foreach ((string name, Conv2dGeometry pw, Conv2dGeometry dw) in PointwiseDepthwise())
        {
            yield return FusedCase(name + " fused", pw, dw, lanes);
            yield return PairCase(name + " pair", pw, dw, lanes);
        }
        yield return LinearCase("mnv2.classifier 1280->1000", 1, 1280, 1000, lanes);
        yield return LinearCase("lenet.fc1 400->120", 1, 400, 120, lanes);
        yield return LinearCase("vww.fc 256->2", 1, 256, 2, lanes);
        yield return LinearCase("rows49 64->64", 49, 64, 64, lanes);
        foreach ((string name, Conv2dGeometry g, Conv2d.ConvAlgorithm algorithm) in ChwGemm())
            yield return ChwGemmCase(name, g, algorithm);
        yield return ConvTransposeCase("convT 64->32 16->32 k2 s2", new ConvTranspose2dGeometry(64, 16, 16, 32, 32, 32, 2, 2, 2, 2, 0, 0, 1, 1, 1));
        yield return ConvTransposeCase("convT 128->64 8->16 k4 s2 p1", new ConvTranspose2dGeometry(128, 8, 8, 64, 16, 16, 4, 4, 2, 2, 1, 1, 1, 1, 1));
        yield return ConvTransposeCase("convT 32->16 32->64 k3 s2 p1", new ConvTranspose2dGeometry(32, 32, 32, 16, 64, 64, 3, 3, 2, 2, 1, 1, 1, 1, 1));
    }

    public static BenchCase ConvTransposeCase(string name, ConvTranspose2dGeometry g)
    {
        var random = new Random(1);
        float[] x = Random(random, g.InChannels * g.InHeight * g.InWidth);
        float[] packed = ConvTranspose2d.PackWeights(Random(random, g.InChannels * (g.OutChannels / g.Groups) * g.KernelHeight * g.KernelWidth), g);
        float[] bias = Random(random, g.OutChannels);
        var y = new float[g.OutChannels * g.OutHeight * g.OutWidth];
        var ws = new float[ConvTranspose2d.WorkspaceLength(g)];
        double macs = (double)g.InChannels * g.InHeight * g.InWidth * (g.OutChannels / g.Groups) * g.KernelHeight * g.KernelWidth;
        return new BenchCase(name, "conv transpose", macs, () => ConvTranspose2d.Forward(x, y, packed, bias, g, new Epilogue(ActivationKind.ReLU), ws));
    }

    /// <summary>The CHW GEMM forms (Conv2d.ShiftedGemm, Im2ColGemm, Pointwise) on stems and thin layers.</summary>
    public static IEnumerable<(string, Conv2dGeometry, Conv2d.ConvAlgorithm)> ChwGemm()
    {
        yield return ("chw.shifted vww stem 3->8 96->48 s2", Pad(3, 96, 96, 8, 3, 2, 0, 1), Conv2d.ConvAlgorithm.Shifted);
        yield return ("chw.shifted mnv2 stem 3->32 224->112 s2", Pad(3, 224, 224, 32, 3, 2, 1, 1), Conv2d.ConvAlgorithm.Shifted);
        yield return ("chw.im2col mnv2 stem 3->32 224->112 s2", Pad(3, 224, 224, 32, 3, 2, 1, 1), Conv2d.ConvAlgorithm.Im2Col);
        yield return ("chw.shifted 8->12 48x48", Same(8, 48, 48, 12, 3, 1), Conv2d.ConvAlgorithm.Shifted);
        yield return ("chw.im2col 16->20 24x24", Same(16, 24, 24, 20, 3, 1), Conv2d.ConvAlgorithm.Im2Col);
        yield return ("chw.pointwise 8->16 48x48", Pw(8, 48, 48, 16), Conv2d.ConvAlgorithm.Im2Col);
        yield return ("chw.pointwise 32->64 24x24", Pw(32, 24, 24, 64), Conv2d.ConvAlgorithm.Im2Col);
        yield return ("chw.pointwise 64->128 3x3", Pw(64, 3, 3, 128), Conv2d.ConvAlgorithm.Im2Col);
    }

    // At the widest accelerated width (the public entries dispatch themselves); a pointwise geometry runs Conv2d.Pointwise.
    public static BenchCase ChwGemmCase(string name, Conv2dGeometry g, Conv2d.ConvAlgorithm algorithm)
    {
        var random = new Random(1);
        float[] x = Random(random, g.InChannels * g.InHeight * g.InWidth);
        float[] packed = Conv2d.PackGemmWeights(Random(random, g.WeightLength), g);
        float[] bias = Random(random, g.OutChannels);
        var y = new float[g.OutChannels * g.OutHeight * g.OutWidth];
        var epilogue = new Epilogue(ActivationKind.ReLU);
        if (g.IsPointwise) return new BenchCase(name, "chw pointwise GEMM", Macs(g), () => Conv2d.Pointwise(x, y, packed, bias, g, epilogue));
        if (algorithm == Conv2d.ConvAlgorithm.Shifted)
        {
            var shifted = new float[Conv2d.ShiftedWorkspaceLength(g)];
            return new BenchCase(name, "chw shifted GEMM", Macs(g), () => Conv2d.ShiftedGemm(x, y, packed, bias, g, epilogue, shifted));
        }

        var columns = new float[Conv2d.Im2ColWorkspaceLength(g)];
        return new BenchCase(name, "chw im2col GEMM", Macs(g), () => Conv2d.Im2ColGemm(x, y, packed, bias, g, epilogue, columns));
    }

    public static IEnumerable<(string, Conv2dGeometry)> Depthwise()
    {
        yield return ("dscnn.dw 64 25x5", Same(64, 25, 5, 64, 3, 64));
        yield return ("probe.dw 16 25x5", Same(16, 25, 5, 16, 3, 16));
        yield return ("probe.dw 16 1x1", Same(16, 1, 1, 16, 3, 16));
        yield return ("probe.dw 256 1x1", Same(256, 1, 1, 256, 3, 256));
        yield return ("vww.dw 8 48x48", Same(8, 48, 48, 8, 3, 8));
        yield return ("probe.dw 8 32x32", Same(8, 32, 32, 8, 3, 8));
        yield return ("probe.dw 4 24x24", Same(4, 24, 24, 4, 3, 4));
        yield return ("probe.dw 8 20x20", Same(8, 20, 20, 8, 3, 8));
        yield return ("probe.dw 8 17x17", Same(8, 17, 17, 8, 3, 8));
        yield return ("probe.dw 8 16x16", Same(8, 16, 16, 8, 3, 8));
        yield return ("probe.dw 8 33x33", Same(8, 33, 33, 8, 3, 8));
        yield return ("probe.dw 8 40x40", Same(8, 40, 40, 8, 3, 8));
        yield return ("probe.dw 8 48x48 k5", Same(8, 48, 48, 8, 5, 8));
        yield return ("vww.dw 16 48->24 s2", Pad(16, 48, 48, 16, 3, 2, 0, 1, 16));
        yield return ("vww.dw 32 24x24", Same(32, 24, 24, 32, 3, 32));
        yield return ("vww.dw 32 24->12 s2", Pad(32, 24, 24, 32, 3, 2, 0, 1, 32));
        yield return ("vww.dw 64 12x12", Same(64, 12, 12, 64, 3, 64));
        yield return ("vww.dw 64 12->6 s2", Pad(64, 12, 12, 64, 3, 2, 0, 1, 64));
        yield return ("vww.dw 128 6x6", Same(128, 6, 6, 128, 3, 128));
        yield return ("vww.dw 128 6->3 s2", Pad(128, 6, 6, 128, 3, 2, 0, 1, 128));
        yield return ("vww.dw 256 3x3", Same(256, 3, 3, 256, 3, 256));
        yield return ("mnv2.dw 32 112x112", Same(32, 112, 112, 32, 3, 32));
        yield return ("mnv2.dw 96 112->56 s2", Pad(96, 112, 112, 96, 3, 2, 1, 1, 96));
        yield return ("mnv2.dw 144 56x56", Same(144, 56, 56, 144, 3, 144));
        yield return ("mnv2.dw 144 56->28 s2", Pad(144, 56, 56, 144, 3, 2, 1, 1, 144));
        yield return ("mnv2.dw 192 28x28", Same(192, 28, 28, 192, 3, 192));
        yield return ("mnv2.dw 384 14x14", Same(384, 14, 14, 384, 3, 384));
        yield return ("mnv2.dw 576 14x14", Same(576, 14, 14, 576, 3, 576));
        yield return ("mnv2.dw 960 7x7", Same(960, 7, 7, 960, 3, 960));
        yield return ("mnv2.dw 576 14->7 s2", Pad(576, 14, 14, 576, 3, 2, 1, 1, 576));
    }

    public static BenchCase DepthwiseCase(string name, Conv2dGeometry g, int lanes)
    {
        var random = new Random(1);
        float[] x = Random(random, Blocked16.Length(g.InChannels, g.InHeight * g.InWidth));
        float[] packed = DepthwiseConv2d.Pack(Random(random, g.WeightLength), Random(random, g.OutChannels), g);
        var y = new float[Blocked16.Length(g.OutChannels, g.OutHeight * g.OutWidth)];
        var ws = new float[DepthwiseConv2d.WorkspaceLength(g)];
        if (Environment.GetEnvironmentVariable("KERNELBENCH_ALIGN") is string align)
        {
            // Every buffer starting at the given offset (floats) from a 64-byte boundary.
            int shift = int.Parse(align);
            string only = Environment.GetEnvironmentVariable("KERNELBENCH_ALIGN_ONLY") ?? "xypw";
            (float[] xa, int xo) = Aligned(x, only.Contains('x') ? shift : 4);
            (float[] ya, int yo) = Aligned(y, only.Contains('y') ? shift : 4);
            (float[] pa, int po) = Aligned(packed, only.Contains('p') ? shift : 4);
            (float[] wa, int wo) = Aligned(ws, only.Contains('w') ? shift : 4);
            int xl = x.Length, yl = y.Length, pl = packed.Length, wl = ws.Length;
            return new BenchCase(name, "depthwise", Macs(g), () => DepthwiseConv2d.Run(lanes, xa.AsSpan(xo, xl), ya.AsSpan(yo, yl), pa.AsSpan(po, pl), default, g, default(ReLU), wa.AsSpan(wo, wl)));
        }

        return new BenchCase(name, "depthwise", Macs(g), () => DepthwiseConv2d.Run(lanes, x, y, packed, default, g, default(ReLU), ws));
    }

    public static BenchCase PlaneDepthwiseCase(string name, Conv2dGeometry g, int lanes)
    {
        var random = new Random(1);
        float[] x = Random(random, g.InputLength);
        float[] packed = PlaneDepthwiseConv2d.Pack(Random(random, g.WeightLength), Random(random, g.OutChannels), g);
        var y = new float[g.OutputLength];
        var ws = new float[PlaneDepthwiseConv2d.WorkspaceLength(g)];
        return new BenchCase(name, $"plane depthwise suits={PlaneDepthwiseConv2d.Suits(g)}", Macs(g), () => PlaneDepthwiseConv2d.Run(lanes, x, y, packed, g, default(ReLU), ws));
    }

    public static BenchCase ChwDepthwiseCase(string name, Conv2dGeometry g)
    {
        var random = new Random(1);
        float[] x = Random(random, g.InputLength);
        float[] packed = Conv2d.PackDepthwiseWeights(Random(random, g.WeightLength), g);
        float[] bias = Random(random, g.OutChannels);
        var y = new float[g.OutputLength];
        return new BenchCase(name, "chw depthwise (Conv2d.Depthwise)", Macs(g), () => Conv2d.Depthwise(x, y, packed, bias, g, new Epilogue(ActivationKind.ReLU)));
    }

    // A pinned copy of `values` starting `shift` floats past a 64-byte boundary: the array and the offset of the copy.
    private static unsafe (float[], int) Aligned(float[] values, int shift)
    {
        float[] array = GC.AllocateArray<float>(values.Length + 32, pinned: true);
        fixed (float* p = array)
        {
            int offset = (int)((64 - (long)p % 64) % 64 / 4) + shift;
            values.CopyTo(array, offset);
            return (array, offset);
        }
    }

    public static BenchCase WinogradCase(string name, Conv2dGeometry g, int tile, int lanes)
    {
        var random = new Random(1);
        float[] x = Random(random, Blocked16.Length(g.InChannels, g.InHeight * g.InWidth));
        float[] packed = WinogradConv2d.Pack(Random(random, g.WeightLength), Random(random, g.OutChannels), g, tile);
        var y = new float[Blocked16.Length(g.OutChannels, g.OutHeight * g.OutWidth)];
        var ws = new float[WinogradConv2d.WorkspaceLength(g, tile)];
        return new BenchCase(name, $"winograd F({tile}) pays={WinogradConv2d.Pays(g, tile)}", Macs(g), () => WinogradConv2d.Run(lanes, x, y, packed, default, g, tile, default(ReLU), ws));
    }

    public static BenchCase LinearCase(string name, int rows, int inF, int outF, int lanes)
    {
        var random = new Random(1);
        float[] x = Random(random, rows * inF);
        float[] packed = PackedLinear.Pack(Random(random, inF * outF), Random(random, outF), inF, outF);
        var y = new float[rows * outF];
        return new BenchCase(name, "linear", (double)rows * inF * outF, () => PackedLinear.Run(lanes, x, y, packed, rows, inF, outF, TensorLayout.Chw, default(Identity)));
    }

    public static IEnumerable<(string, Conv2dGeometry, TensorLayout)> Dense()
    {
        yield return ("resnet8.stem 3->16 32x32", Same(3, 32, 32, 16, 3, 1), TensorLayout.Chw);
        yield return ("resnet8.stack1 16->16 32x32", Same(16, 32, 32, 16, 3, 1), TensorLayout.Blocked16);
        yield return ("resnet8.stack2a 16->32 s2 16x16", Pad(16, 32, 32, 32, 3, 2, 0, 1), TensorLayout.Blocked16);
        yield return ("resnet8.stack2b 32->32 16x16", Same(32, 16, 16, 32, 3, 1), TensorLayout.Blocked16);
        yield return ("resnet8.stack3a 32->64 s2 8x8", Pad(32, 16, 16, 64, 3, 2, 0, 1), TensorLayout.Blocked16);
        yield return ("resnet8.stack3b 64->64 8x8", Same(64, 8, 8, 64, 3, 1), TensorLayout.Blocked16);
        yield return ("resnet8.shortcut2 16->32 1x1 s2", Pad(16, 32, 32, 32, 1, 2, 0, 0), TensorLayout.Blocked16);
        yield return ("vww.stem 3->8 s2 48x48", Pad(3, 96, 96, 8, 3, 2, 0, 1), TensorLayout.Chw);
        yield return ("dscnn.stem 1->64 10x4 s2", new Conv2dGeometry(1, 49, 10, 64, 25, 5, 10, 4, 2, 2, 4, 1, 1, 1, 1), TensorLayout.Chw);
        yield return ("mnv2.stem 3->32 s2 112x112", Pad(3, 224, 224, 32, 3, 2, 1, 1), TensorLayout.Chw);
        yield return ("dscnn.pw rows 64->64 25x5", Pw(64, 25, 5, 64), TensorLayout.Blocked16);
        yield return ("lenet.conv2 6->16 5x5 14->10", new Conv2dGeometry(6, 14, 14, 16, 10, 10, 5, 5, 1, 1, 0, 0, 1, 1, 1), TensorLayout.Chw);
    }

    public static IEnumerable<(string, Conv2dGeometry)> Pointwise()
    {
        yield return ("dscnn.pw 64->64 25x5", Pw(64, 25, 5, 64));
        yield return ("vww.pw 8->16 48x48", Pw(8, 48, 48, 16));
        yield return ("vww.pw 32->64 12x12", Pw(32, 12, 12, 64));
        yield return ("vww.pw 128->128 6x6", Pw(128, 6, 6, 128));
        yield return ("vww.pw 256->256 3x3", Pw(256, 3, 3, 256));
        yield return ("mnv2.pw 32->16 112x112", Pw(32, 112, 112, 16));
        yield return ("mnv2.pw 16->96 112x112", Pw(16, 112, 112, 96));
        yield return ("mnv2.pw 144->24 56x56", Pw(144, 56, 56, 24));
        yield return ("mnv2.pw 24->144 56x56", Pw(24, 56, 56, 144));
        yield return ("mnv2.pw 192->32 28x28", Pw(192, 28, 28, 32));
        yield return ("mnv2.pw 64->384 14x14", Pw(64, 14, 14, 384));
        yield return ("mnv2.pw 384->64 14x14", Pw(384, 14, 14, 64));
        yield return ("mnv2.pw 96->576 14x14", Pw(96, 14, 14, 576));
        yield return ("mnv2.pw 576->160 7x7", Pw(576, 7, 7, 160));
        yield return ("mnv2.pw 160->960 7x7", Pw(160, 7, 7, 960));
        yield return ("mnv2.pw 960->160 7x7", Pw(960, 7, 7, 160));
        yield return ("mnv2.pw 960->320 7x7", Pw(960, 7, 7, 320));
        yield return ("mnv2.pw 320->1280 7x7", Pw(320, 7, 7, 1280));
    }

    public static BenchCase Direct(string name, Conv2dGeometry g, TensorLayout layout, ConvTile tile, int lanes)
    {
        var random = new Random(1);
        float[] x = Random(random, Blocked16.Length(layout, g.InChannels, g.InHeight * g.InWidth));
        float[] packed = DirectConv2d.Pack(Random(random, g.WeightLength), Random(random, g.OutChannels), g);
        var y = new float[Blocked16.Length(g.OutChannels, g.OutHeight * g.OutWidth)];
        var ws = new float[DirectConv2d.WorkspaceLength(g, layout)];
        return new BenchCase(name, $"direct {layout} {tile}", Macs(g),
            () => DirectConv2d.Run(lanes, x, y, packed, default, g, layout, tile, default(ReLU), ws));
    }

    public static BenchCase PointwiseCase(string name, Conv2dGeometry g, ConvTile tile, int lanes, TensorLayout layout = TensorLayout.Blocked16)
    {
        var random = new Random(1);
        float[] x = Random(random, Blocked16.Length(layout, g.InChannels, g.InHeight * g.InWidth));
        float[] packed = PointwiseConv2d.Pack(Random(random, g.WeightLength), Random(random, g.OutChannels), g);
        var y = new float[Blocked16.Length(g.OutChannels, g.OutHeight * g.OutWidth)];
        return new BenchCase(name, $"pointwise {layout} {tile}", Macs(g),
            () => PointwiseConv2d.Run(lanes, x, y, packed, default, g, layout, tile, default(ReLU)));
    }

    // Pointwise layers one after the other, each with its own weights (as in a network: more weights than L2 holds, so
    // they arrive from L3 or memory), each reading the output of the one before.
    public static BenchCase ChainCase(string name, Conv2dGeometry[] layers, int lanes)
    {
        var random = new Random(1);
        var packed = layers.Select(g => PointwiseConv2d.Pack(Random(random, g.WeightLength), Random(random, g.OutChannels), g)).ToArray();
        var buffers = layers.Select(g => new float[Blocked16.Length(g.InChannels, g.InHeight * g.InWidth)]).Append(new float[Blocked16.Length(layers[^1].OutChannels, layers[^1].OutHeight * layers[^1].OutWidth)]).ToArray();
        Random(random, buffers[0].Length).CopyTo(buffers[0], 0);
        var tiles = layers.Select(g => PointwiseConv2d.ChooseTile(g)).ToArray();
        return new BenchCase(name, "pointwise chain", layers.Sum(g => Macs(g)), () =>
        {
            for (int i = 0; i < layers.Length; i++)
                PointwiseConv2d.Run(lanes, buffers[i], buffers[i + 1], packed[i], default, layers[i], TensorLayout.Blocked16, tiles[i], default(ReLU6));
        });
    }

    public static BenchCase ColdWeightsCase(string name, Conv2dGeometry g, int lanes)
    {
        var random = new Random(1);
        float[] x = Random(random, Blocked16.Length(TensorLayout.Blocked16, g.InChannels, g.InHeight * g.InWidth));
        float[] one = PointwiseConv2d.Pack(Random(random, g.WeightLength), Random(random, g.OutChannels), g);
        var packed = new float[Math.Max(2, 48 * 1024 * 1024 / (4 * one.Length))][];
        for (int i = 0; i < packed.Length; i++) packed[i] = (float[])one.Clone();
        var y = new float[Blocked16.Length(g.OutChannels, g.OutHeight * g.OutWidth)];
        var tile = PointwiseConv2d.ChooseTile(g);
        int next = 0;
        return new BenchCase(name, $"pointwise cold {tile}", Macs(g), () =>
        {
            PointwiseConv2d.Run(lanes, x, y, packed[next], default, g, TensorLayout.Blocked16, tile, default(ReLU6));
            next = next + 1 == packed.Length ? 0 : next + 1;
        });
    }

    private static IEnumerable<(string, Conv2dGeometry, Conv2dGeometry)> PointwiseDepthwise()
    {
        yield return ("mnv2.pwdw 16->96 112->56 s2", Pw(16, 112, 112, 96), Pad(96, 112, 112, 96, 3, 2, 1, 1, 96));
        yield return ("mnv2.pwdw 24->144 56x56", Pw(24, 56, 56, 144), Same(144, 56, 56, 144, 3, 144));
        yield return ("mnv2.pwdw 24->144 56->28 s2", Pw(24, 56, 56, 144), Pad(144, 56, 56, 144, 3, 2, 1, 1, 144));
        yield return ("mnv2.pwdw 32->192 28x28", Pw(32, 28, 28, 192), Same(192, 28, 28, 192, 3, 192));
        yield return ("mnv2.pwdw 32->192 28->14 s2", Pw(32, 28, 28, 192), Pad(192, 28, 28, 192, 3, 2, 1, 1, 192));
        yield return ("mnv2.pwdw 64->384 14x14", Pw(64, 14, 14, 384), Same(384, 14, 14, 384, 3, 384));
        yield return ("mnv2.pwdw 96->576 14->7 s2", Pw(96, 14, 14, 576), Pad(576, 14, 14, 576, 3, 2, 1, 1, 576));
        yield return ("mnv2.pwdw 160->960 7x7", Pw(160, 7, 7, 960), Same(960, 7, 7, 960, 3, 960));
        yield return ("dscnn.pwdw 64->64 25x5", Pw(64, 25, 5, 64), Same(64, 25, 5, 64, 3, 64));
        yield return ("vww.pwdw 16->32 24x24", Pw(16, 24, 24, 32), Same(32, 24, 24, 32, 3, 32));
        yield return ("vww.pwdw 32->32 24->12 s2", Pw(32, 24, 24, 32), Pad(32, 24, 24, 32, 3, 2, 0, 1, 32));
        yield return ("vww.pwdw 64->64 12->6 s2", Pw(64, 12, 12, 64), Pad(64, 12, 12, 64, 3, 2, 0, 1, 64));
        yield return ("vww.pwdw 128->128 6x6", Pw(128, 6, 6, 128), Same(128, 6, 6, 128, 3, 128));
    }

    // The pair fused (PointwiseDepthwiseConv2d), or the two kernels one after the other through the whole map.
    public static BenchCase FusedCase(string name, Conv2dGeometry pw, Conv2dGeometry dw, int lanes)
    {
        (float[] x, float[] y, float[] pwPacked, float[] dwPacked) = PairData(pw, dw);
        ConvTile tile = PointwiseDepthwiseConv2d.ChooseTile(pw);
        var ws = new float[PointwiseDepthwiseConv2d.WorkspaceLength(pw, dw, tile)];
        return new BenchCase(name, $"pointwise+depthwise {tile} band {PointwiseDepthwiseConv2d.BandRows(dw)}", Macs(pw) + Macs(dw),
            () => PointwiseDepthwiseConv2d.Run(lanes, x, y, pwPacked, dwPacked, pw, dw, tile, default(ReLU6), default(ReLU6), ws));
    }

    public static BenchCase PairCase(string name, Conv2dGeometry pw, Conv2dGeometry dw, int lanes)
    {
        (float[] x, float[] y, float[] pwPacked, float[] dwPacked) = PairData(pw, dw);
        var mid = new float[Blocked16.Length(pw.OutChannels, pw.OutHeight * pw.OutWidth)];
        ConvTile tile = PointwiseConv2d.ChooseTile(pw);
        var ws = new float[DepthwiseConv2d.WorkspaceLength(dw)];
        return new BenchCase(name, $"pointwise {tile}, depthwise", Macs(pw) + Macs(dw), () =>
        {
            PointwiseConv2d.Run(lanes, x, mid, pwPacked, default, pw, TensorLayout.Blocked16, tile, default(ReLU6));
            DepthwiseConv2d.Run(lanes, mid, y, dwPacked, default, dw, default(ReLU6), ws);
        });
    }

    private static (float[] X, float[] Y, float[] PointwisePacked, float[] DepthwisePacked) PairData(in Conv2dGeometry pw, in Conv2dGeometry dw)
    {
        var random = new Random(1);
        float[] x = Random(random, Blocked16.Length(pw.InChannels, pw.InHeight * pw.InWidth));
        float[] pwPacked = PointwiseConv2d.Pack(Random(random, pw.WeightLength), Random(random, pw.OutChannels), pw);
        float[] dwPacked = DepthwiseConv2d.Pack(Random(random, dw.WeightLength), Random(random, dw.OutChannels), dw);
        return (x, new float[Blocked16.Length(dw.OutChannels, dw.OutHeight * dw.OutWidth)], pwPacked, dwPacked);
    }

    public static double Macs(in Conv2dGeometry g) => (double)g.OutChannels * g.OutHeight * g.OutWidth * g.ReductionLength;

    public static Conv2dGeometry Same(int cin, int h, int w, int cout, int k, int groups) =>
        new(cin, h, w, cout, h, w, k, k, 1, 1, (k - 1) / 2, (k - 1) / 2, 1, 1, groups);

    // PyTorch-style symmetric padding p (or begin/end as Keras' "same" with stride 2: 0 before, 1 after).
    public static Conv2dGeometry Pad(int cin, int h, int w, int cout, int k, int s, int padBegin, int padEnd, int groups = 1)
    {
        int oh = (h + padBegin + padEnd - k) / s + 1, ow = (w + padBegin + padEnd - k) / s + 1;
        return new Conv2dGeometry(cin, h, w, cout, oh, ow, k, k, s, s, padBegin, padBegin, 1, 1, groups);
    }

    public static Conv2dGeometry Pw(int cin, int h, int w, int cout) => new(cin, h, w, cout, h, w, 1, 1, 1, 1, 0, 0, 1, 1, 1);

    public static float[] Random(Random random, int length)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }
}
