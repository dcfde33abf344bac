using ConvGen.Reference;
using ConvGen.Runtime.Kernels;

namespace ConvGen.IsaCheck.Checks;

/// <summary><see cref="ConvTranspose2d"/> through its public entry point, against <see cref="ConvTransposeReference"/>.</summary>
internal static class ConvTransposeChecks
{
    [IsaCheck("convtranspose")]
    public static void Forward(CheckContext context)
    {
        var random = new Random(501);
        var cases = new List<(string Name, ConvTranspose2dGeometry Geometry)>
        {
            ("upsample 2x k2 s2", Geometry(4, 3, 5, 3, 2, 2, 2, 2, 0, 0, 1, 1, 1, 0, 0)),
            ("k3 s2 p1 op1", Geometry(3, 4, 4, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1)),
            ("1x1 latent k4", Geometry(8, 1, 1, 6, 4, 4, 1, 1, 0, 0, 1, 1, 1, 0, 0)),
            ("depthwise k3 s2", Geometry(5, 4, 7, 5, 3, 3, 2, 2, 1, 1, 1, 1, 5, 1, 0)),
            ("groups 2 dilation 2", Geometry(4, 3, 6, 6, 3, 3, 1, 2, 1, 1, 2, 2, 2, 1, 1)),
            ("1d (H = 1) k5 s3", Geometry(3, 1, 19, 4, 1, 5, 1, 3, 0, 2, 1, 1, 1, 0, 2)),
            ("1d (H = 1) depthwise", Geometry(6, 1, 33, 6, 1, 3, 1, 2, 0, 1, 1, 2, 6, 0, 1)),
        };
        for (int i = 0; i < 30; i++)
        {
            ConvTranspose2dGeometry g = RandomGeometry(random, i);
            cases.Add(("random", g));
        }

        int index = 0;
        foreach ((string name, ConvTranspose2dGeometry g) in cases)
        {
            Epilogue epilogue = ConvReference.Epilogues[index++ % ConvReference.Epilogues.Length];
            float[] input = ConvReference.RandomValues(random, g.InputLength);
            float[] weights = ConvReference.RandomValues(random, g.WeightsLength);
            float[]? bias = index % 3 == 0 ? null : ConvReference.RandomValues(random, g.OutChannels);
            var output = new float[g.OutputLength];
            var workspace = new float[ConvTranspose2d.WorkspaceLength(g)];
            ConvTranspose2d.Forward(input, output, ConvTranspose2d.PackWeights(weights, g), bias, g, epilogue, workspace);
            float[] expected = ConvTransposeReference.Forward(input, weights, bias, g, epilogue.Activation, epilogue.Alpha);
            context.ExpectClose($"{name} {Describe(g)} bias {bias is not null} {epilogue.Activation}", output, expected,
                ConvTransposeReference.ReductionLength(g));
        }
    }

    [IsaCheck("convtranspose.arguments")]
    public static void Arguments(CheckContext context)
    {
        ConvTranspose2dGeometry g = Geometry(2, 3, 3, 2, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1);
        float[] packed = ConvTranspose2d.PackWeights(new float[g.WeightsLength], g);
        context.ExpectArgumentException("output_padding = stride", () => (g with { OutHeight = g.OutHeight + 1 }).Validate());
        context.ExpectArgumentException("short workspace", () => ConvTranspose2d.Forward(new float[g.InputLength], new float[g.OutputLength], packed,
            default, g, Epilogue.None, new float[ConvTranspose2d.WorkspaceLength(g) - 1]));
        context.ExpectArgumentException("bias length", () => ConvTranspose2d.Forward(new float[g.InputLength], new float[g.OutputLength], packed,
            new float[1], g, Epilogue.None, new float[ConvTranspose2d.WorkspaceLength(g)]));
    }

    // The group structure cycles through plain, grouped and depthwise; every fifth case is 1-D (H = 1, kernel height 1).
    private static ConvTranspose2dGeometry RandomGeometry(Random random, int i)
    {
        while (true)
        {
            int groups = (i % 3) switch { 0 => 1, 1 => random.Next(2, 4), _ => random.Next(1, 7) };
            bool depthwise = i % 3 == 2;
            int inChannels = groups * (depthwise ? 1 : random.Next(1, 6));
            int outChannels = groups * (depthwise ? 1 : random.Next(1, 6));
            bool oneD = i % 5 == 4;
            int h = oneD ? 1 : random.Next(1, 7), w = random.Next(1, 21);
            int kh = oneD ? 1 : random.Next(1, 5), kw = random.Next(1, 5);
            int sh = oneD ? 1 : random.Next(1, 4), sw = random.Next(1, 4);
            int dh = oneD ? 1 : random.Next(1, 3), dw = random.Next(1, 4);
            int ph = random.Next(0, dh * (kh - 1) + 1), pw = random.Next(0, dw * (kw - 1) + 1);
            int oph = random.Next(0, Math.Max(sh, dh)), opw = random.Next(0, Math.Max(sw, dw));
            ConvTranspose2dGeometry g = Geometry(inChannels, h, w, outChannels, kh, kw, sh, sw, ph, pw, dh, dw, groups, oph, opw);
            if (g.OutHeight >= 1 && g.OutWidth >= 1) return g;
        }
    }

    private static ConvTranspose2dGeometry Geometry(int inChannels, int h, int w, int outChannels, int kh, int kw, int sh, int sw,
        int ph, int pw, int dh, int dw, int groups, int outputPaddingH, int outputPaddingW) =>
        new(inChannels, h, w, outChannels,
            ConvTransposeReference.OutputSize(h, kh, sh, ph, dh, outputPaddingH), ConvTransposeReference.OutputSize(w, kw, sw, pw, dw, outputPaddingW),
            kh, kw, sh, sw, ph, pw, dh, dw, groups);

    private static string Describe(in ConvTranspose2dGeometry g) =>
        $"{g.InChannels}x{g.InHeight}x{g.InWidth}->{g.OutChannels}x{g.OutHeight}x{g.OutWidth} k{g.KernelHeight}x{g.KernelWidth} " +
        $"s{g.StrideHeight},{g.StrideWidth} p{g.PadTop},{g.PadLeft} d{g.DilationHeight},{g.DilationWidth} g{g.Groups} " +
        $"op{g.OutputPaddingHeight},{g.OutputPaddingWidth}";
}
