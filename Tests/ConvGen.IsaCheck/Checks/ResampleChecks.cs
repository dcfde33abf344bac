using ConvGen.Reference;
using ConvGen.Runtime.Kernels;

namespace ConvGen.IsaCheck.Checks;

/// <summary><see cref="Upsample"/> and <see cref="Pad2d"/> through their public entry points, against <see cref="PadReference"/>.</summary>
internal static class ResampleChecks
{
    // Scale factors as PyTorch's Upsample(scale_factor=...) takes them (0: sizes given), up and down.
    private static readonly double[] Scales = [0, 0, 2, 3, 1.5, 1.15, 1.3, 0.5];

    [IsaCheck("upsample.bilinear")]
    public static void Bilinear(CheckContext context)
    {
        var random = new Random(401);
        for (int i = 0; i < 48; i++)
        {
            (int c, int h, int w, int oh, int ow, double sh, double sw) = RandomCase(random);
            float[] input = ConvReference.RandomValues(random, c * h * w, 4f);
            var output = new float[c * oh * ow];
            foreach (bool alignCorners in new[] { false, true })
            {
                // With align_corners the coordinates ignore the scale factor (dst * (in - 1) / (out - 1)).
                Upsample.Bilinear(input, output, c, h, w, oh, ow, alignCorners, sh, sw);
                context.ExpectWithin($"{c}x{h}x{w} -> {oh}x{ow} scale ({sh}, {sw}) align_corners {alignCorners}", output,
                    PadReference.Bilinear(input, c, h, w, oh, ow, alignCorners, sh, sw), 1e-6);
            }
        }
    }

    [IsaCheck("upsample.nearest")]
    public static void Nearest(CheckContext context)
    {
        var random = new Random(402);
        for (int i = 0; i < 48; i++)
        {
            (int c, int h, int w, int oh, int ow, double sh, double sw) = RandomCase(random);
            float[] input = ConvReference.RandomValues(random, c * h * w, 4f);
            var output = new float[c * oh * ow];
            Upsample.Nearest(input, output, c, h, w, oh, ow, sh, sw);
            // One channel: PyTorch's channels-last kernel and its size shortcuts.
            context.ExpectEqual($"{c}x{h}x{w} -> {oh}x{ow} scale ({sh}, {sw})", output,
                PadReference.Nearest(input, c, h, w, oh, ow, sh, sw, channelsLastShortcuts: c == 1));
        }
    }

    [IsaCheck("pad2d")]
    public static void Pad(CheckContext context)
    {
        var random = new Random(403);
        foreach (PaddingMode mode in Enum.GetValues<PaddingMode>())
            for (int i = 0; i < 30; i++)
            {
                int c = random.Next(1, 4), h = random.Next(1, 8), w = random.Next(1, 40);
                (int left, int right) = Amounts(random, w, mode);
                (int top, int bottom) = Amounts(random, h, mode);
                float[] input = ConvReference.RandomValues(random, c * h * w, 4f);
                var output = new float[c * Pad2d.OutputHeight(h, top, bottom) * Pad2d.OutputWidth(w, left, right)];
                Pad2d.Forward(input, output, c, h, w, left, right, top, bottom, mode);
                context.ExpectEqual($"{mode} {c}x{h}x{w} (l {left}, r {right}, t {top}, b {bottom})", output,
                    PadReference.Pad(input, c, h, w, left, right, top, bottom, mode));
            }
    }

    [IsaCheck("resample.arguments")]
    public static void Arguments(CheckContext context)
    {
        context.ExpectArgumentException("bilinear short output", () => Upsample.Bilinear(new float[2 * 3 * 3], new float[2 * 6 * 6 - 1], 2, 3, 3, 6, 6, false));
        context.ExpectArgumentException("nearest empty output", () => Upsample.Nearest(new float[9], new float[0], 1, 3, 3, 0, 3));
        context.ExpectArgumentException("reflect too wide", () => Pad2d.Forward(new float[9], new float[6 * 3], 1, 3, 3, 3, 0, 0, 0, PaddingMode.Reflect));
        context.ExpectArgumentException("circular crop", () => Pad2d.Forward(new float[9], new float[2 * 3], 1, 3, 3, -1, 0, 0, 0, PaddingMode.Circular));
    }

    // Input 1..9 x 1..24 (past a 16-lane row), output from a scale factor (floor(in * scale)) or a random size.
    private static (int C, int H, int W, int OH, int OW, double SH, double SW) RandomCase(Random random)
    {
        while (true)
        {
            int c = random.Next(1, 4), h = random.Next(1, 10), w = random.Next(1, 25);
            double sh = Scales[random.Next(Scales.Length)], sw = Scales[random.Next(Scales.Length)];
            int oh = sh > 0 ? Upsample.OutputSize(h, sh) : random.Next(1, 20);
            int ow = sw > 0 ? Upsample.OutputSize(w, sw) : random.Next(1, 50);
            if (oh >= 1 && ow >= 1) return (c, h, w, oh, ow, sh, sw);
        }
    }

    // Legal F.pad amounts per mode: reflect below the size, circular within [0, size], zeros/replicate may crop
    // (leaving at least one element).
    private static (int Before, int After) Amounts(Random random, int size, PaddingMode mode)
    {
        while (true)
        {
            (int before, int after) = mode switch
            {
                PaddingMode.Reflect => (random.Next(0, size), random.Next(0, size)),
                PaddingMode.Circular => (random.Next(0, size + 1), random.Next(0, size + 1)),
                _ => (random.Next(-2, 6), random.Next(-2, 6)),
            };
            if (Math.Max(0, -before) + Math.Max(0, -after) < size) return (before, after);
        }
    }
}
