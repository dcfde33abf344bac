using ConvGen.Reference;
using ConvGen.Runtime.Kernels;

namespace ConvGen.IsaCheck.Checks;

/// <summary>
/// The channel-blocked kernels through their public (dispatching) entry points, against the references: direct,
/// pointwise, depthwise and Winograd convolution, pooling, Linear and element-wise ops, each with padding lanes checked.
/// </summary>
internal static class BlockedChecks
{
    [IsaCheck("blocked.direct")]
    public static void Direct(CheckContext context)
    {
        var random = new Random(201);
        int index = 0;
        foreach ((string name, Conv2dGeometry g) in BlockedReference.ConvShapes())
            foreach (TensorLayout layout in new[] { TensorLayout.Blocked16, TensorLayout.Chw })
            {
                if (DirectConv2d.Rejects(g, layout) is not null) continue;
                ActivationCase act = BlockedReference.Activations[index++ % BlockedReference.Activations.Length];
                (float[] x, float[] w, float[] b, float[] r) = Data(random, g);
                float[] input = layout == TensorLayout.Blocked16 ? BlockedReference.ToBlocked(x, g.InChannels, g.InHeight * g.InWidth) : x;
                var y = new float[Blocked16.Length(g.OutChannels, g.OutputPlane)];
                var ws = new float[DirectConv2d.WorkspaceLength(g, layout)];
                float[] packed = DirectConv2d.Pack(w, b, g);
                float[] residual = BlockedReference.ToBlocked(r, g.OutChannels, g.OutputPlane);
                act.Accept(new DirectCall(input, y, packed, residual, g, layout, ws));
                Compare(context, $"{name} {layout} {act}", y, BlockedReference.Conv2d(x, w, b, r, g, act), g);
            }
    }

    [IsaCheck("blocked.pointwise")]
    public static void Pointwise(CheckContext context)
    {
        var random = new Random(202);
        int index = 0;
        foreach ((string name, Conv2dGeometry g) in BlockedReference.ConvShapes())
        {
            if (PointwiseConv2d.Rejects(g, TensorLayout.Blocked16) is not null) continue;
            ActivationCase act = BlockedReference.Activations[index++ % BlockedReference.Activations.Length];
            (float[] x, float[] w, float[] b, float[] r) = Data(random, g);
            float[] input = BlockedReference.ToBlocked(x, g.InChannels, g.InHeight * g.InWidth);
            var y = new float[Blocked16.Length(g.OutChannels, g.OutputPlane)];
            float[] packed = PointwiseConv2d.Pack(w, b, g);
            act.Accept(new PointwiseCall(input, y, packed, g));
            Compare(context, $"{name} {act}", y, BlockedReference.Conv2d(x, w, b, null, g, act), g);
        }
    }

    [IsaCheck("blocked.depthwise")]
    public static void Depthwise(CheckContext context)
    {
        var random = new Random(203);
        int index = 0;
        var shapes = new List<(string, Conv2dGeometry)>();
        foreach ((string name, Conv2dGeometry g) in BlockedReference.ConvShapes())
            if (g.IsDepthwise) shapes.Add((name, g));
        for (int i = 0; i < 20; i++)
        {
            Conv2dGeometry g = ConvCases.RandomGeometry(random, depthwise: true);
            shapes.Add(($"random {ConvCases.Describe(g)}", g));
        }

        foreach ((string name, Conv2dGeometry g) in shapes)
        {
            ActivationCase act = BlockedReference.Activations[index++ % BlockedReference.Activations.Length];
            (float[] x, float[] w, float[] b, float[] r) = Data(random, g);
            float[] input = BlockedReference.ToBlocked(x, g.InChannels, g.InHeight * g.InWidth);
            var y = new float[Blocked16.Length(g.OutChannels, g.OutputPlane)];
            var ws = new float[DepthwiseConv2d.WorkspaceLength(g)];
            float[] packed = DepthwiseConv2d.Pack(w, b, g);
            float[] residual = BlockedReference.ToBlocked(r, g.OutChannels, g.OutputPlane);
            act.Accept(new DepthwiseCall(input, y, packed, residual, g, ws));
            Compare(context, $"{name} {act}", y, BlockedReference.Conv2d(x, w, b, r, g, act), g);
        }
    }

    [IsaCheck("blocked.winograd")]
    public static void Winograd(CheckContext context)
    {
        var random = new Random(204);
        foreach (int tile in new[] { 2, 4 })
            foreach (Conv2dGeometry g in new[] { ConvCases.Same(16, 32, 32, 16, 3, 3), ConvCases.Same(64, 8, 8, 64, 3, 3), ConvCases.Geometry(17, 9, 11, 33, 3, 3, 1, 1, 1, 0, 2, 1) })
            {
                float bound = 1f / MathF.Sqrt(g.InChannels * 9);
                float[] x = ConvReference.RandomValues(random, g.InputLength);
                float[] w = ConvReference.RandomValues(random, g.WeightLength, bound);
                float[] b = ConvReference.RandomValues(random, g.OutChannels, bound);
                var y = new float[Blocked16.Length(g.OutChannels, g.OutputPlane)];
                var ws = new float[WinogradConv2d.WorkspaceLength(g, tile)];
                WinogradConv2d.Run(BlockedReference.ToBlocked(x, g.InChannels, g.InHeight * g.InWidth), y, WinogradConv2d.Pack(w, b, g, tile), default, g, tile, default(ReLU), ws);
                float[] expected = BlockedReference.Conv2d(x, w, b, null, g, BlockedReference.Activations[1]);
                context.ExpectWithin($"F({tile}) {ConvCases.Describe(g)}", BlockedReference.FromBlocked(y, g.OutChannels, g.OutputPlane), expected, 1e-4);
            }
    }

    [IsaCheck("blocked.pool")]
    public static void Pool(CheckContext context)
    {
        var random = new Random(205);
        foreach (int channels in new[] { 5, 16, 21 })
        {
            var g = new Pool2dGeometry(channels, 7, 9, 4, 5, 3, 3, 2, 2, 1, 1, 1, 1);
            float[] x = ConvReference.RandomValues(random, channels * 63, 3f);
            float[] blocked = BlockedReference.ToBlocked(x, channels, 63);
            var y = new float[Blocked16.Length(channels, 20)];
            BlockedPool2d.Max(blocked, y, g);
            context.ExpectEqual($"max {channels}", BlockedReference.FromBlocked(y, channels, 20), PoolReference.Max(x, g));
            BlockedPool2d.Average(blocked, y, g, false, 0);
            context.ExpectWithin($"avg {channels}", BlockedReference.FromBlocked(y, channels, 20), PoolReference.Average(x, g, false, 0), 1e-6);
            var global = new float[Blocked16.Length(channels, 1)];
            BlockedPool2d.AdaptiveAverage(blocked, global, channels, 7, 9, 1, 1);
            context.ExpectWithin($"global avg {channels}", BlockedReference.FromBlocked(global, channels, 1), PoolReference.AdaptiveAverage(x, channels, 7, 9, 1, 1), 1e-6);
            if (BlockedReference.PaddingLanesProblem(y, channels, 20) is { } problem) context.Fail($"pool {channels}: {problem}");
        }
    }

    [IsaCheck("blocked.linear")]
    public static void Linear(CheckContext context)
    {
        var random = new Random(206);
        foreach ((int rows, int inF, int outF) in new[] { (1, 400, 120), (1, 1280, 1000), (1, 17, 71), (3, 23, 19), (49, 40, 24) })
        {
            float[] x = ConvReference.RandomValues(random, rows * inF);
            float[] w = ConvReference.RandomValues(random, inF * outF);
            float[] b = ConvReference.RandomValues(random, outF);
            var y = new float[rows * outF];
            PackedLinear.Run(x, y, PackedLinear.Pack(w, b, inF, outF), rows, inF, outF, TensorLayout.Chw, default(Identity));
            context.ExpectClose($"linear {rows}x{inF}->{outF}", y, ConvReference.Linear(x, w, b, rows, inF, outF, Epilogue.None), inF);
        }
    }

    [IsaCheck("blocked.elementwise")]
    public static void Elementwise(CheckContext context)
    {
        var random = new Random(207);
        foreach (int channels in new[] { 5, 16, 21 })
        {
            float[] a = ConvReference.RandomValues(random, channels * 9, 3f), b = ConvReference.RandomValues(random, channels * 9, 3f);
            float[] ba = BlockedReference.ToBlocked(a, channels, 9), bb = BlockedReference.ToBlocked(b, channels, 9);
            var y = new float[ba.Length];
            Broadcast.Channelwise(ba, OperandForm.Full, bb, OperandForm.Full, y, BinaryOperation.Add, TensorLayout.Blocked16, channels, 9, default(Sigmoid));
            var expected = new float[a.Length];
            for (int i = 0; i < a.Length; i++) expected[i] = (float)(1 / (1 + Math.Exp(-((double)a[i] + b[i]))));
            context.ExpectWithin($"add+sigmoid {channels}", BlockedReference.FromBlocked(y, channels, 9), expected, 1e-6);
            if (BlockedReference.PaddingLanesProblem(y, channels, 9) is { } problem) context.Fail($"add+sigmoid {channels}: {problem}");
        }
    }

    private static (float[] X, float[] W, float[] B, float[] R) Data(Random random, in Conv2dGeometry g) =>
        (ConvReference.RandomValues(random, g.InputLength), ConvReference.RandomValues(random, g.WeightLength),
         ConvReference.RandomValues(random, g.OutChannels), ConvReference.RandomValues(random, g.OutputLength));

    private static void Compare(CheckContext context, string label, float[] blocked, float[] expected, in Conv2dGeometry g)
    {
        if (BlockedReference.PaddingLanesProblem(blocked, g.OutChannels, g.OutputPlane) is { } problem) context.Fail($"{label}: {problem}");
        context.ExpectClose(label, BlockedReference.FromBlocked(blocked, g.OutChannels, g.OutputPlane), expected, g.ReductionLength);
    }

    private sealed class DirectCall(float[] x, float[] y, float[] packed, float[] residual, Conv2dGeometry g, TensorLayout layout, float[] ws) : IActivationUser
    {
        public void Use<TAct>(TAct activation) where TAct : struct, IActivation =>
            DirectConv2d.Run(x, y, packed, residual, g, layout, DirectConv2d.ChooseTile(g), activation, ws);
    }

    private sealed class PointwiseCall(float[] x, float[] y, float[] packed, Conv2dGeometry g) : IActivationUser
    {
        public void Use<TAct>(TAct activation) where TAct : struct, IActivation =>
            PointwiseConv2d.Run(x, y, packed, default, g, TensorLayout.Blocked16, PointwiseConv2d.ChooseTile(g), activation);
    }

    private sealed class DepthwiseCall(float[] x, float[] y, float[] packed, float[] residual, Conv2dGeometry g, float[] ws) : IActivationUser
    {
        public void Use<TAct>(TAct activation) where TAct : struct, IActivation =>
            DepthwiseConv2d.Run(x, y, packed, residual, g, activation, ws);
    }
}
