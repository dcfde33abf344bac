using ConvGen.Runtime.Weights;

namespace ConvGen.Tests.Weights;

/// <summary>
/// BatchNorm folding: a convolution (plain, strided, grouped, transposed) or linear layer with the folded weights
/// must compute what the layer followed by eval-mode BatchNorm computes.
/// </summary>
public class WeightTransformsTests
{
    private const double Eps = 1e-5;

    private static float[] Uniform(Random random, int count, double low, double high)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)(low + (random.NextDouble() * (high - low)));
        }

        return values;
    }

    private sealed record BatchNorm(float[] Gamma, float[] Beta, float[] Mean, float[] Var)
    {
        public static BatchNorm Random(Random random, int channels, bool affine = true) => new(
            affine ? Uniform(random, channels, 0.2, 2) : [],
            affine ? Uniform(random, channels, -1, 1) : [],
            Uniform(random, channels, -1, 1),
            Uniform(random, channels, 0.01, 3));

        /// <summary>PyTorch's eval-mode formula, in double.</summary>
        public double Apply(int channel, double x) =>
            ((x - Mean[channel]) / Math.Sqrt(Var[channel] + Eps) * (Gamma.Length == 0 ? 1 : Gamma[channel])) + (Beta.Length == 0 ? 0 : Beta[channel]);

        public (float[] Scale, float[] Shift) ToAffine()
        {
            var scale = new float[Mean.Length];
            var shift = new float[Mean.Length];
            WeightTransforms.BatchNormToAffine(Gamma, Beta, Mean, Var, Eps, scale, shift);
            return (scale, shift);
        }
    }

    /// <summary>Naive Conv2d (cross-correlation, zero padding, groups), double accumulation; weights [out, in/groups, kh, kw].</summary>
    private static double[] Conv2d(float[] input, int inChannels, int height, int width, float[] weights, float[] bias, int outChannels,
        int kernel, int stride, int padding, int groups, out int outHeight, out int outWidth)
    {
        outHeight = ((height + (2 * padding) - kernel) / stride) + 1;
        outWidth = ((width + (2 * padding) - kernel) / stride) + 1;
        int inPerGroup = inChannels / groups;
        int outPerGroup = outChannels / groups;
        var output = new double[outChannels * outHeight * outWidth];
        for (int o = 0; o < outChannels; o++)
        {
            int group = o / outPerGroup;
            for (int y = 0; y < outHeight; y++)
            {
                for (int x = 0; x < outWidth; x++)
                {
                    double sum = bias.Length == 0 ? 0 : bias[o];
                    for (int c = 0; c < inPerGroup; c++)
                    {
                        for (int ky = 0; ky < kernel; ky++)
                        {
                            for (int kx = 0; kx < kernel; kx++)
                            {
                                int iy = (y * stride) - padding + ky;
                                int ix = (x * stride) - padding + kx;
                                if (iy >= 0 && iy < height && ix >= 0 && ix < width)
                                {
                                    int inChannel = (group * inPerGroup) + c;
                                    sum += (double)weights[(((o * inPerGroup) + c) * kernel + ky) * kernel + kx] * input[((inChannel * height) + iy) * width + ix];
                                }
                            }
                        }
                    }

                    output[((o * outHeight) + y) * outWidth + x] = sum;
                }
            }
        }

        return output;
    }

    /// <summary>Naive ConvTranspose2d (groups, stride, padding), double accumulation; weights [in, out/groups, kh, kw].</summary>
    private static double[] ConvTranspose2d(float[] input, int inChannels, int height, int width, float[] weights, float[] bias, int outChannels,
        int kernel, int stride, int padding, int groups, out int outHeight, out int outWidth)
    {
        outHeight = ((height - 1) * stride) - (2 * padding) + kernel;
        outWidth = ((width - 1) * stride) - (2 * padding) + kernel;
        int inPerGroup = inChannels / groups;
        int outPerGroup = outChannels / groups;
        var output = new double[outChannels * outHeight * outWidth];
        for (int o = 0; o < outChannels; o++)
        {
            for (int i = 0; i < outHeight * outWidth; i++)
            {
                output[(o * outHeight * outWidth) + i] = bias.Length == 0 ? 0 : bias[o];
            }
        }

        for (int i = 0; i < inChannels; i++)
        {
            int group = i / inPerGroup;
            for (int j = 0; j < outPerGroup; j++)
            {
                int o = (group * outPerGroup) + j;
                for (int iy = 0; iy < height; iy++)
                {
                    for (int ix = 0; ix < width; ix++)
                    {
                        for (int ky = 0; ky < kernel; ky++)
                        {
                            for (int kx = 0; kx < kernel; kx++)
                            {
                                int oy = (iy * stride) - padding + ky;
                                int ox = (ix * stride) - padding + kx;
                                if (oy >= 0 && oy < outHeight && ox >= 0 && ox < outWidth)
                                {
                                    output[((o * outHeight) + oy) * outWidth + ox] +=
                                        (double)weights[(((i * outPerGroup) + j) * kernel + ky) * kernel + kx] * input[((i * height) + iy) * width + ix];
                                }
                            }
                        }
                    }
                }
            }
        }

        return output;
    }

    private static double MaxError(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double error = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            error = Math.Max(error, Math.Abs(expected[i] - actual[i]));
        }

        return error / Math.Max(1, expected.Max(Math.Abs));
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        double error = MaxError(expected, actual);
        Assert.True(error <= 1e-5, $"folded layer differs from layer then BatchNorm by {error:R} (relative to max(1, max|y|))");
    }

    [Theory]
    [InlineData(3, 4, 3, 1, 1, 1, true)]
    [InlineData(3, 8, 3, 2, 1, 1, true)]
    [InlineData(4, 6, 3, 1, 2, 2, false)]
    [InlineData(5, 5, 5, 1, 2, 5, true)]   // depthwise
    [InlineData(2, 7, 1, 1, 0, 1, false)]  // pointwise
    public void FoldedConvolutionEqualsConvolutionThenBatchNorm(int inChannels, int outChannels, int kernel, int stride, int padding, int groups, bool hasBias)
    {
        var random = new Random((inChannels * 1000) + (outChannels * 10) + kernel);
        const int Height = 7;
        const int Width = 6;
        float[] input = Uniform(random, inChannels * Height * Width, -2, 2);
        float[] weights = Uniform(random, outChannels * (inChannels / groups) * kernel * kernel, -1, 1);
        float[] bias = hasBias ? Uniform(random, outChannels, -1, 1) : [];
        BatchNorm bn = BatchNorm.Random(random, outChannels);

        double[] conv = Conv2d(input, inChannels, Height, Width, weights, bias, outChannels, kernel, stride, padding, groups, out int oh, out int ow);
        double[] expected = new double[conv.Length];
        for (int i = 0; i < conv.Length; i++)
        {
            expected[i] = bn.Apply(i / (oh * ow), conv[i]);
        }

        (float[] scale, float[] shift) = bn.ToAffine();
        float[] folded = (float[])weights.Clone();
        float[] foldedBias = WeightTransforms.FoldAffineIntoWeights(folded, bias, scale, shift, outChannels);
        double[] actual = Conv2d(input, inChannels, Height, Width, folded, foldedBias, outChannels, kernel, stride, padding, groups, out _, out _);

        AssertClose(expected, actual);
        Assert.NotEqual(weights, folded);
    }

    [Theory]
    [InlineData(4, 6, 3, 2, 1, 2, true)]
    [InlineData(3, 5, 2, 2, 0, 1, false)]
    [InlineData(6, 6, 3, 1, 1, 6, true)]
    public void FoldedTransposedConvolutionEqualsItThenBatchNorm(int inChannels, int outChannels, int kernel, int stride, int padding, int groups, bool hasBias)
    {
        var random = new Random((inChannels * 1000) + (outChannels * 10) + kernel + 7);
        const int Height = 4;
        const int Width = 5;
        float[] input = Uniform(random, inChannels * Height * Width, -2, 2);
        float[] weights = Uniform(random, inChannels * (outChannels / groups) * kernel * kernel, -1, 1);
        float[] bias = hasBias ? Uniform(random, outChannels, -1, 1) : [];
        BatchNorm bn = BatchNorm.Random(random, outChannels);

        double[] conv = ConvTranspose2d(input, inChannels, Height, Width, weights, bias, outChannels, kernel, stride, padding, groups, out int oh, out int ow);
        double[] expected = new double[conv.Length];
        for (int i = 0; i < conv.Length; i++)
        {
            expected[i] = bn.Apply(i / (oh * ow), conv[i]);
        }

        (float[] scale, float[] shift) = bn.ToAffine();
        float[] folded = (float[])weights.Clone();
        float[] foldedBias = WeightTransforms.FoldAffineIntoTransposedWeights(folded, bias, scale, shift, inChannels, outChannels, groups);
        double[] actual = ConvTranspose2d(input, inChannels, Height, Width, folded, foldedBias, outChannels, kernel, stride, padding, groups, out _, out _);

        AssertClose(expected, actual);
    }

    [Fact]
    public void FoldingTransposedWeightsAsIfTheyWereConvWeightsWouldBeWrong()
    {
        // Guards the test above: with in = out channels the [out, ...] fold is dimensionally valid for a transposed
        // conv's [in, out, ...] weights but scales the wrong axis, and the comparison must notice.
        var random = new Random(3);
        float[] input = Uniform(random, 6 * 3 * 3, -2, 2);
        float[] weights = Uniform(random, 6 * 6 * 2 * 2, -1, 1);
        BatchNorm bn = BatchNorm.Random(random, 6);
        double[] conv = ConvTranspose2d(input, 6, 3, 3, weights, [], 6, 2, 2, 0, 1, out int oh, out int ow);
        double[] expected = conv.Select((v, i) => bn.Apply(i / (oh * ow), v)).ToArray();
        (float[] scale, float[] shift) = bn.ToAffine();

        float[] wrong = (float[])weights.Clone();
        float[] wrongBias = WeightTransforms.FoldAffineIntoWeights(wrong, [], scale, shift, 6);
        Assert.True(MaxError(expected, ConvTranspose2d(input, 6, 3, 3, wrong, wrongBias, 6, 2, 2, 0, 1, out _, out _)) > 1e-2);

        float[] right = (float[])weights.Clone();
        float[] rightBias = WeightTransforms.FoldAffineIntoTransposedWeights(right, [], scale, shift, 6, 6, 1);
        Assert.True(MaxError(expected, ConvTranspose2d(input, 6, 3, 3, right, rightBias, 6, 2, 2, 0, 1, out _, out _)) < 1e-5);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void FoldedLinearEqualsLinearThenBatchNorm1d(bool hasBias, bool affine)
    {
        var random = new Random(hasBias ? 11 : 12);
        const int In = 37;
        const int Out = 19;
        float[] x = Uniform(random, In, -3, 3);
        float[] weights = Uniform(random, Out * In, -1, 1);
        float[] bias = hasBias ? Uniform(random, Out, -1, 1) : [];
        BatchNorm bn = BatchNorm.Random(random, Out, affine);
        (float[] scale, float[] shift) = bn.ToAffine();
        float[] folded = (float[])weights.Clone();
        float[] foldedBias = WeightTransforms.FoldAffineIntoWeights(folded, bias, scale, shift, Out);

        // A Linear is a 1x1 convolution over a 1x1 input.
        double[] expected = Conv2d(x, In, 1, 1, weights, bias, Out, 1, 1, 0, 1, out _, out _).Select((v, o) => bn.Apply(o, v)).ToArray();
        double[] actual = Conv2d(x, In, 1, 1, folded, foldedBias, Out, 1, 1, 0, 1, out _, out _);
        AssertClose(expected, actual);
        Assert.Equal(Out, foldedBias.Length);
    }

    [Fact]
    public void AffineFormMatchesTheBatchNormFormula()
    {
        var random = new Random(99);
        foreach (bool affine in new[] { true, false })
        {
            BatchNorm bn = BatchNorm.Random(random, 33, affine);
            (float[] scale, float[] shift) = bn.ToAffine();
            for (int c = 0; c < 33; c++)
            {
                foreach (double x in new[] { -3.0, -0.25, 0, 1, 7.5 })
                {
                    double expected = bn.Apply(c, x);
                    double actual = (x * scale[c]) + shift[c];
                    Assert.True(Math.Abs(expected - actual) <= 1e-6 * Math.Max(1, Math.Abs(expected)), $"channel {c}, x {x}: {actual:R} vs {expected:R}");
                }
            }
        }
    }

    [Fact]
    public void EmptyChannelsAreFine()
    {
        WeightTransforms.BatchNormToAffine([], [], [], [], Eps, [], []);
        Assert.Equal([2f], WeightTransforms.FoldAffineIntoWeights([], [], [1f], [2f], 1));
    }

    [Theory]
    [InlineData(-0.5f, 1e-5, "channel 1 has variance -0.5 and eps is 1E-05")]
    [InlineData(float.NaN, 1e-5, "channel 1 has variance NaN")]
    [InlineData(0f, 0.0, "channel 1 has variance 0 and eps is 0")]
    [InlineData(-0.25f, 0.25, "var + eps is not positive")]
    public void NonPositiveVarianceIsRejectedNamingTheTensor(float badVariance, double eps, string fragment)
    {
        float[] variance = [1f, badVariance, 1f];
        WeightsException e = Assert.Throws<WeightsException>(() =>
            WeightTransforms.BatchNormToAffine([1, 1, 1], [0, 0, 0], [0, 0, 0], variance, eps, new float[3], new float[3], "stem_bn"));
        Assert.Equal("stem_bn.running_var", e.Key);
        Assert.StartsWith("tensor 'stem_bn.running_var': ", e.Message, StringComparison.Ordinal);
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3, 3, 3, 2, 3, 3, "variance")]
    [InlineData(3, 3, 3, 3, 2, 3, "scale")]
    [InlineData(3, 3, 3, 3, 3, 4, "shift")]
    [InlineData(2, 3, 3, 3, 3, 3, "gamma")]
    [InlineData(0, 4, 3, 3, 3, 3, "beta")]
    public void BatchNormLengthMismatchNamesTheParameter(int gamma, int beta, int mean, int variance, int scale, int shift, string parameter)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => WeightTransforms.BatchNormToAffine(
            new float[gamma], new float[beta], new float[mean], Enumerable.Repeat(1f, variance).ToArray(), Eps, new float[scale], new float[shift]));
        Assert.Equal(parameter, e.ParamName);
    }

    [Fact]
    public void FoldLengthMismatchNamesTheParameter()
    {
        Assert.Equal("outChannels", Assert.Throws<ArgumentOutOfRangeException>(() => WeightTransforms.FoldAffineIntoWeights(new float[4], [], [], [], 0)).ParamName);
        Assert.Equal("weights", Assert.Throws<ArgumentException>(() => WeightTransforms.FoldAffineIntoWeights(new float[5], [], new float[2], new float[2], 2)).ParamName);
        Assert.Equal("scale", Assert.Throws<ArgumentException>(() => WeightTransforms.FoldAffineIntoWeights(new float[4], [], new float[3], new float[2], 2)).ParamName);
        Assert.Equal("shift", Assert.Throws<ArgumentException>(() => WeightTransforms.FoldAffineIntoWeights(new float[4], [], new float[2], new float[1], 2)).ParamName);
        Assert.Equal("bias", Assert.Throws<ArgumentException>(() => WeightTransforms.FoldAffineIntoWeights(new float[4], new float[1], new float[2], new float[2], 2)).ParamName);
        Assert.Equal("groups", Assert.Throws<ArgumentException>(() => WeightTransforms.FoldAffineIntoTransposedWeights(new float[12], [], new float[6], new float[6], 4, 6, 3)).ParamName);
        Assert.Equal("weights", Assert.Throws<ArgumentException>(() => WeightTransforms.FoldAffineIntoTransposedWeights(new float[13], [], new float[6], new float[6], 4, 6, 2)).ParamName);
    }
}
