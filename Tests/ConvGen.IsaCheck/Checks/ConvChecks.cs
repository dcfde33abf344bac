using ConvGen.Reference;
using ConvGen.Runtime.Kernels;

namespace ConvGen.IsaCheck.Checks;

/// <summary>Convolution and linear kernels through their public (dispatching) entry points, against <see cref="ConvReference"/>.</summary>
internal static class ConvChecks
{
    [IsaCheck("conv.im2col")]
    public static void Im2Col(CheckContext context)
    {
        var random = new Random(101);
        int index = 0;
        foreach ((string name, Conv2dGeometry g) in Cases(random, depthwise: false))
        {
            Epilogue epilogue = ConvReference.Epilogues[index++ % ConvReference.Epilogues.Length];
            (float[] input, float[] weights, float[]? bias) = Data(random, g);
            float[] expected = ConvReference.Conv2d(input, weights, bias, g, epilogue);
            float[] packed = Conv2d.PackGemmWeights(weights, g);
            var output = new float[g.OutputLength];
            var workspace = new float[Conv2d.Im2ColWorkspaceLength(g)];
            Conv2d.Im2ColGemm(input, output, packed, bias, g, epilogue, workspace);
            context.ExpectClose($"{name} {epilogue.Activation}", output, expected, g.ReductionLength);
        }
    }

    [IsaCheck("conv.pointwise")]
    public static void Pointwise(CheckContext context)
    {
        var random = new Random(102);
        int index = 0;
        foreach ((string name, Conv2dGeometry g) in ConvCases.Named)
        {
            if (!g.IsPointwise) continue;
            Epilogue epilogue = ConvReference.Epilogues[index++ % ConvReference.Epilogues.Length];
            (float[] input, float[] weights, float[]? bias) = Data(random, g);
            var output = new float[g.OutputLength];
            Conv2d.Pointwise(input, output, Conv2d.PackGemmWeights(weights, g), bias, g, epilogue);
            context.ExpectClose($"{name} {epilogue.Activation}", output, ConvReference.Conv2d(input, weights, bias, g, epilogue), g.ReductionLength);
        }
    }

    [IsaCheck("conv.depthwise")]
    public static void Depthwise(CheckContext context)
    {
        var random = new Random(103);
        int index = 0;
        foreach ((string name, Conv2dGeometry g) in Cases(random, depthwise: true))
        {
            Epilogue epilogue = ConvReference.Epilogues[index++ % ConvReference.Epilogues.Length];
            (float[] input, float[] weights, float[]? bias) = Data(random, g);
            var output = new float[g.OutputLength];
            Conv2d.Depthwise(input, output, Conv2d.PackDepthwiseWeights(weights, g), bias, g, epilogue);
            context.ExpectClose($"{name} {epilogue.Activation}", output, ConvReference.Conv2d(input, weights, bias, g, epilogue), g.ReductionLength);
        }
    }

    [IsaCheck("conv.planes")]
    public static void Planes(CheckContext context)
    {
        var random = new Random(104);
        foreach ((string name, Conv2dGeometry g) in Cases(random, depthwise: false))
        {
            if (PlaneConv2d.Rejects(g) is not null) continue;
            (float[] input, float[] weights, float[]? bias) = Data(random, g);
            float[] packed = PlaneConv2d.Pack(weights, bias ?? [], g);
            var workspace = new float[PlaneConv2d.WorkspaceLength(g)];
            var output = new float[g.OutputLength];
            PlaneConv2d.Run(input, output, packed, g, default(Identity), workspace);
            context.ExpectClose($"{name} None", output, ConvReference.Conv2d(input, weights, bias, g, Epilogue.None), g.ReductionLength);

            float[] activated = ConvReference.Conv2d(input, weights, bias, g, new Epilogue(ActivationKind.ReLU));
            PlaneConv2d.Run(input, output, packed, g, default(ReLU), workspace);
            context.ExpectClose($"{name} ReLU", output, activated, g.ReductionLength);
            if (PlaneConv2d.PoolRejects(g) is not null) continue;
            // The fused 2x2 max pool: max_pool2d(kernel 2, stride 2) of the activated output.
            int oh = g.OutHeight / 2, ow = g.OutWidth / 2;
            var pooled = new float[PlaneConv2d.PooledOutputLength(g)];
            var expected = new float[pooled.Length];
            for (int c = 0; c < g.OutChannels; c++)
                for (int y = 0; y < oh; y++)
                    for (int x = 0; x < ow; x++)
                    {
                        int at = (c * g.OutHeight + 2 * y) * g.OutWidth + 2 * x;
                        expected[(c * oh + y) * ow + x] = Math.Max(Math.Max(activated[at], activated[at + 1]),
                            Math.Max(activated[at + g.OutWidth], activated[at + g.OutWidth + 1]));
                    }
            PlaneConv2d.RunPooled(input, pooled, packed, g, default(ReLU), workspace);
            context.ExpectClose($"{name} ReLU + max pool 2x2", pooled, expected, g.ReductionLength);
        }
    }

    [IsaCheck("conv.planedepthwise")]
    public static void PlaneDepthwise(CheckContext context)
    {
        var random = new Random(105);
        int tested = 0;
        foreach ((string name, Conv2dGeometry g) in Cases(random, depthwise: true).Append(("vww dw 8x48x48",
            ConvCases.Geometry(8, 48, 48, 8, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1, groups: 8))))
        {
            if (PlaneDepthwiseConv2d.Rejects(g) is not null) continue;
            (float[] input, float[] weights, float[]? bias) = Data(random, g);
            float[] packed = PlaneDepthwiseConv2d.Pack(weights, bias ?? [], g);
            var workspace = new float[PlaneDepthwiseConv2d.WorkspaceLength(g)];
            var output = new float[g.OutputLength];
            PlaneDepthwiseConv2d.Run(input, output, packed, g, default(Identity), workspace);
            context.ExpectClose($"{name} None", output, ConvReference.Conv2d(input, weights, bias, g, Epilogue.None), g.ReductionLength);
            PlaneDepthwiseConv2d.Run(input, output, packed, g, default(ReLU), workspace);
            context.ExpectClose($"{name} ReLU", output, ConvReference.Conv2d(input, weights, bias, g, new Epilogue(ActivationKind.ReLU)), g.ReductionLength);
            tested++;
        }
        if (tested == 0) context.Fail("no case for PlaneDepthwiseConv2d");
    }

    [IsaCheck("conv.arguments")]
    public static void Arguments(CheckContext context)
    {
        Conv2dGeometry g = ConvCases.Geometry(2, 5, 5, 3, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1);
        float[] packed = Conv2d.PackGemmWeights(new float[g.WeightLength], g);
        var workspace = new float[Conv2d.Im2ColWorkspaceLength(g)];
        context.ExpectArgumentException("short input",
            () => Conv2d.Im2ColGemm(new float[g.InputLength - 1], new float[g.OutputLength], packed, default, g, Epilogue.None, workspace));
        context.ExpectArgumentException("short workspace",
            () => Conv2d.Im2ColGemm(new float[g.InputLength], new float[g.OutputLength], packed, default, g, Epilogue.None, new float[workspace.Length - 1]));
    }

    // The named shapes of the requested kind, then random ones (the sparser set: the scalar width runs this too).
    private static IEnumerable<(string Name, Conv2dGeometry Geometry)> Cases(Random random, bool depthwise)
    {
        foreach ((string name, Conv2dGeometry g) in ConvCases.Named)
            if (!depthwise || g.IsDepthwise) yield return (name, g);
        for (int i = 0; i < 25; i++)
        {
            Conv2dGeometry g = ConvCases.RandomGeometry(random, depthwise);
            yield return ($"random {ConvCases.Describe(g)}", g);
        }
    }

    private static (float[] Input, float[] Weights, float[]? Bias) Data(Random random, in Conv2dGeometry g) =>
        (ConvReference.RandomValues(random, g.InputLength),
         ConvReference.RandomValues(random, g.WeightLength),
         random.Next(3) == 0 ? null : ConvReference.RandomValues(random, g.OutChannels));
}
