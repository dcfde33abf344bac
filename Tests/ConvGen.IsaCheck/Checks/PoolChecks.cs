using ConvGen.Reference;
using ConvGen.Runtime.Kernels;

namespace ConvGen.IsaCheck.Checks;

/// <summary>Max, average and adaptive pooling through <see cref="Pool2d"/>'s public entry points, against <see cref="PoolReference"/>.</summary>
internal static class PoolChecks
{
    // Average pooling divides a short sum once: a few float ulps of max(1, max|ref|).
    private const double AverageTolerance = 2e-6;

    [IsaCheck("pool.max")]
    public static void Max(CheckContext context)
    {
        var random = new Random(201);
        for (int i = 0; i < 60; i++)
        {
            Pool2dGeometry g = RandomGeometry(random, maxDilation: 3);
            float[] input = ConvReference.RandomValues(random, g.InputLength, 4f);
            // Every fifth case holds a NaN, which max pooling must propagate to each window that sees it.
            if (i % 5 == 4 && input.Length > 0) input[random.Next(input.Length)] = float.NaN;
            var output = new float[g.OutputLength];
            Pool2d.Max(input, output, g);
            context.ExpectEqual($"random {Describe(g)}", output, PoolReference.Max(input, g));
        }
    }

    [IsaCheck("pool.max2x2")]
    public static void Max2x2Stride2(CheckContext context)
    {
        // The 2x2 stride-2 window reads the input directly: every width up to 53 (past three 16-lane vectors).
        var random = new Random(202);
        for (int width = 1; width <= 53; width++)
            foreach (int pad in new[] { 0, 1 })
                foreach (bool ceil in new[] { false, true })
                {
                    int height = 2 + width % 5;
                    if (!TryGeometry(2, height, width, 2, 2, pad, 1, ceil, out Pool2dGeometry g)) continue;
                    float[] input = ConvReference.RandomValues(random, g.InputLength, 4f);
                    var output = new float[g.OutputLength];
                    Pool2d.Max(input, output, g);
                    context.ExpectEqual($"2x2/2 {Describe(g)}", output, PoolReference.Max(input, g));
                }
    }

    [IsaCheck("pool.average")]
    public static void Average(CheckContext context)
    {
        var random = new Random(203);
        for (int i = 0; i < 60; i++)
        {
            Pool2dGeometry g = RandomGeometry(random, maxDilation: 1);
            float[] input = ConvReference.RandomValues(random, g.InputLength, 4f);
            bool countIncludePad = i % 2 == 0;
            int divisorOverride = i % 3 == 2 ? random.Next(1, 10) : 0;
            var output = new float[g.OutputLength];
            Pool2d.Average(input, output, g, countIncludePad, divisorOverride);
            context.ExpectWithin($"random {Describe(g)} include_pad {countIncludePad} divisor {divisorOverride}",
                output, PoolReference.Average(input, g, countIncludePad, divisorOverride), AverageTolerance);
        }
    }

    [IsaCheck("pool.adaptive")]
    public static void Adaptive(CheckContext context)
    {
        var random = new Random(204);
        var shapes = new List<(int C, int H, int W, int OH, int OW)>
        {
            (3, 5, 5, 3, 3), (3, 7, 7, 2, 2), (2, 14, 14, 7, 7), (3, 3, 3, 5, 5),
            (2, 5, 7, 3, 2), (2, 7, 14, 2, 7), (2, 14, 3, 7, 5), (17, 5, 5, 3, 3),
        };
        // Global pooling: every size 1..49 (square), then a few rectangles.
        for (int n = 1; n <= 49; n++) shapes.Add((3, n, n, 1, 1));
        shapes.AddRange([(2, 1, 49, 1, 1), (2, 49, 1, 1, 1), (5, 7, 13, 1, 1), (2, 56, 57, 1, 1)]);
        foreach ((int c, int h, int w, int oh, int ow) in shapes)
        {
            float[] input = ConvReference.RandomValues(random, c * h * w, 4f);
            var output = new float[c * oh * ow];
            string label = $"{c}x{h}x{w} -> {oh}x{ow}";
            Pool2d.AdaptiveAverage(input, output, c, h, w, oh, ow);
            // A window sums up to h*w elements: 1e-6 * sqrt(h*w) relative, as the unit tests bound it.
            context.ExpectWithin($"avg {label}", output, PoolReference.AdaptiveAverage(input, c, h, w, oh, ow), 1e-6 * Math.Sqrt(h * w));
            Pool2d.AdaptiveMax(input, output, c, h, w, oh, ow);
            context.ExpectEqual($"max {label}", output, PoolReference.AdaptiveMax(input, c, h, w, oh, ow));
        }
    }

    [IsaCheck("pool.arguments")]
    public static void Arguments(CheckContext context)
    {
        _ = TryGeometry(2, 6, 6, 3, 2, 1, 1, false, out Pool2dGeometry g);
        context.ExpectArgumentException("max short input", () => Pool2d.Max(new float[g.InputLength - 1], new float[g.OutputLength], g));
        context.ExpectArgumentException("average dilation", () => Pool2d.Average(new float[g.InputLength], new float[g.OutputLength],
            g with { DilationHeight = 2, OutHeight = PoolReference.OutputSize(6, 3, 2, 1, 2, false) }, false, 0));
        context.ExpectArgumentException("adaptive short output", () => Pool2d.AdaptiveMax(new float[2 * 5 * 5], new float[2 * 3 * 3 - 1], 2, 5, 5, 3, 3));
    }

    [IsaCheck("pool.maxindices")]
    public static void MaxWithIndicesAndUnpool(CheckContext context)
    {
        // Values as max pooling's; each index names an input element holding that value (bit for bit, or a NaN), in CHW
        // and blocked; unpooling scatters the values to those indices in either layout.
        var random = new Random(205);
        for (int i = 0; i < 60; i++)
        {
            Pool2dGeometry g = RandomGeometry(random, maxDilation: 3);
            float[] input = ConvReference.RandomValues(random, g.InputLength, 4f).Select(v => MathF.Round(v)).ToArray();
            if (i % 5 == 4) input[random.Next(input.Length)] = float.NaN;
            int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
            foreach (TensorLayout layout in new[] { TensorLayout.Chw, TensorLayout.Blocked16 })
            {
                float[] x = ToLayout(input, layout, g.Channels, inPlane);
                var y = new float[Blocked16.Length(layout, g.Channels, outPlane)];
                var indices = new int[y.Length];
                MaxPool2dIndices.Forward(x, y, indices, layout, g);
                float[] values = FromLayout(y, layout, g.Channels, outPlane);
                int[] chwIndices = FromLayout(indices.Select(BitConverter.Int32BitsToSingle).ToArray(), layout, g.Channels, outPlane).Select(BitConverter.SingleToInt32Bits).ToArray();
                string label = $"{layout} {Describe(g)}";
                context.ExpectEqual(label + " values", values, PoolReference.Max(input, g));
                bool inRange = true;
                for (int o = 0; o < values.Length; o++)
                {
                    int c = o / outPlane, index = chwIndices[o];
                    inRange &= index >= 0 && index < inPlane;
                    if (float.IsNegativeInfinity(values[o]) || index < 0 || index >= inPlane) continue; // a window without taps
                    float at = input[c * inPlane + index];
                    if (BitConverter.SingleToInt32Bits(at) != BitConverter.SingleToInt32Bits(values[o]) && !(float.IsNaN(at) && float.IsNaN(values[o])))
                        context.Fail($"{label}: output {o} is {values[o]}, but its index {index} holds {at}");
                }
                if (!inRange) continue;
                var expected = new float[input.Length];
                for (int o = 0; o < values.Length; o++) expected[o / outPlane * inPlane + chwIndices[o]] = values[o];
                var unpooled = new float[x.Length];
                MaxUnpool2d.Forward(y, indices, unpooled, layout, g.Channels, outPlane, inPlane);
                context.ExpectEqual(label + " unpool", FromLayout(unpooled, layout, g.Channels, inPlane), expected);
            }
        }
    }

    private static float[] ToLayout(float[] chw, TensorLayout layout, int channels, int positions)
    {
        if (layout == TensorLayout.Chw) return chw;
        var blocked = new float[Blocked16.Length(channels, positions)];
        Blocked16.FromChw(chw, blocked, channels, positions);
        return blocked;
    }

    private static float[] FromLayout(float[] tensor, TensorLayout layout, int channels, int positions)
    {
        if (layout == TensorLayout.Chw) return tensor;
        var chw = new float[channels * positions];
        Blocked16.ToChw(tensor, chw, channels, positions);
        return chw;
    }

    // A legal PyTorch pooling: kernel 1..5, stride 1..3, padding <= kernel/2, dilation 1..maxDilation, either
    // ceil mode, an input large enough for at least one output.
    private static Pool2dGeometry RandomGeometry(Random random, int maxDilation)
    {
        while (true)
        {
            int kh = random.Next(1, 6), kw = random.Next(1, 6);
            int sh = random.Next(1, 4), sw = random.Next(1, 4);
            int ph = random.Next(0, kh / 2 + 1), pw = random.Next(0, kw / 2 + 1);
            int dh = random.Next(1, maxDilation + 1), dw = random.Next(1, maxDilation + 1);
            bool ceil = random.Next(2) == 0;
            int channels = random.Next(1, 4), height = random.Next(1, 20), width = random.Next(1, 40);
            int oh = PoolReference.OutputSize(height, kh, sh, ph, dh, ceil), ow = PoolReference.OutputSize(width, kw, sw, pw, dw, ceil);
            if (oh < 1 || ow < 1) continue;
            return new Pool2dGeometry(channels, height, width, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw);
        }
    }

    private static bool TryGeometry(int channels, int height, int width, int kernel, int stride, int pad, int dilation, bool ceil, out Pool2dGeometry g)
    {
        int oh = PoolReference.OutputSize(height, kernel, stride, pad, dilation, ceil), ow = PoolReference.OutputSize(width, kernel, stride, pad, dilation, ceil);
        g = new Pool2dGeometry(channels, height, width, oh, ow, kernel, kernel, stride, stride, pad, pad, dilation, dilation);
        return oh >= 1 && ow >= 1;
    }

    private static string Describe(in Pool2dGeometry g) =>
        $"{g.Channels}x{g.InHeight}x{g.InWidth}->{g.OutHeight}x{g.OutWidth} k{g.KernelHeight}x{g.KernelWidth} s{g.StrideHeight},{g.StrideWidth} " +
        $"p{g.PadHeight},{g.PadWidth} d{g.DilationHeight},{g.DilationWidth}";
}
