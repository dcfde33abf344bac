namespace ConvGen.Runtime.Weights;

/// <summary>
/// Load-time rewrites of PyTorch parameters: eval-mode BatchNorm as a per-channel affine, and that affine folded
/// into the convolution or linear layer before it. All arithmetic is in double and each result is rounded to float
/// once, so folding adds at most half an ulp per weight.
/// </summary>
public static class WeightTransforms
{
    /// <summary>
    /// Eval-mode BatchNorm, <c>y = (x - mean) / sqrt(var + eps) * gamma + beta</c>, as <c>y = x * scale + shift</c>:
    /// <c>scale = gamma / sqrt(var + eps)</c>, <c>shift = beta - mean * scale</c>. Empty <paramref name="gamma"/> and
    /// <paramref name="beta"/> mean <c>affine=False</c> (1 and 0).
    /// </summary>
    /// <param name="gamma">BatchNorm <c>weight</c>, one per channel, or empty.</param>
    /// <param name="beta">BatchNorm <c>bias</c>, one per channel, or empty.</param>
    /// <param name="mean">BatchNorm <c>running_mean</c>; its length is the channel count.</param>
    /// <param name="variance">BatchNorm <c>running_var</c>.</param>
    /// <param name="eps">BatchNorm <c>eps</c> (PyTorch's default is 1e-5).</param>
    /// <param name="scale">Receives the per-channel multiplier.</param>
    /// <param name="shift">Receives the per-channel offset.</param>
    /// <param name="layerKey">The BatchNorm's key prefix (<c>"1"</c>, <c>"stem_bn"</c>) for the error message; optional.</param>
    /// <exception cref="WeightsException">A channel's <c>var + eps</c> is not positive (a negative or NaN running_var).</exception>
    public static void BatchNormToAffine(
        ReadOnlySpan<float> gamma,
        ReadOnlySpan<float> beta,
        ReadOnlySpan<float> mean,
        ReadOnlySpan<float> variance,
        double eps,
        Span<float> scale,
        Span<float> shift,
        string? layerKey = null)
    {
        int channels = mean.Length;
        RequireLength(variance.Length, channels, nameof(variance), nameof(mean));
        RequireLength(scale.Length, channels, nameof(scale), nameof(mean));
        RequireLength(shift.Length, channels, nameof(shift), nameof(mean));
        RequireLengthOrEmpty(gamma.Length, channels, nameof(gamma));
        RequireLengthOrEmpty(beta.Length, channels, nameof(beta));

        for (int c = 0; c < channels; c++)
        {
            double denominator = variance[c] + eps;
            if (!(denominator > 0))
            {
                string key = layerKey == null ? "running_var" : layerKey + ".running_var";
                throw new WeightsException(
                    $"tensor '{key}': channel {c} has variance {variance[c]} and eps is {eps}, so var + eps is not positive; "
                    + "a trained BatchNorm never has this, so the file is corrupt or the tensor is not a running variance",
                    key);
            }

            double s = (gamma.IsEmpty ? 1.0 : gamma[c]) / Math.Sqrt(denominator);
            scale[c] = (float)s;
            shift[c] = (float)((beta.IsEmpty ? 0.0 : beta[c]) - (mean[c] * s));
        }
    }

    /// <summary>
    /// Folds a per-output-channel affine that follows a convolution or linear layer into it, in place on
    /// <paramref name="weights"/> (layout <c>[out, ...]</c>: Conv <c>[out, in/groups, kh, kw]</c>, Linear
    /// <c>[out, in]</c>): <c>w'[o, ...] = w[o, ...] * scale[o]</c>, <c>b'[o] = b[o] * scale[o] + shift[o]</c>.
    /// </summary>
    /// <param name="weights">The layer's weights, rewritten in place.</param>
    /// <param name="bias">The layer's bias, or empty for <c>bias=False</c> (zero).</param>
    /// <param name="scale">The per-output-channel multiplier (from <see cref="BatchNormToAffine"/>).</param>
    /// <param name="shift">The per-output-channel offset.</param>
    /// <param name="outChannels">The output channels (out_channels, out_features): the weights' first dimension.</param>
    /// <returns>The folded bias, of length <paramref name="outChannels"/>.</returns>
    public static float[] FoldAffineIntoWeights(
        Span<float> weights,
        ReadOnlySpan<float> bias,
        ReadOnlySpan<float> scale,
        ReadOnlySpan<float> shift,
        int outChannels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outChannels);
        if (weights.Length % outChannels != 0)
        {
            throw new ArgumentException($"weights has {weights.Length} elements, not a multiple of outChannels {outChannels}.", nameof(weights));
        }

        RequireLength(scale.Length, outChannels, nameof(scale), nameof(outChannels));
        RequireLength(shift.Length, outChannels, nameof(shift), nameof(outChannels));
        RequireLengthOrEmpty(bias.Length, outChannels, nameof(bias));

        int perChannel = weights.Length / outChannels;
        var folded = new float[outChannels];
        for (int o = 0; o < outChannels; o++)
        {
            double s = scale[o];
            Span<float> row = weights.Slice(o * perChannel, perChannel);
            for (int i = 0; i < row.Length; i++)
            {
                row[i] = (float)(row[i] * s);
            }

            folded[o] = (float)(((bias.IsEmpty ? 0.0 : bias[o]) * s) + shift[o]);
        }

        return folded;
    }

    /// <summary>
    /// As <see cref="FoldAffineIntoWeights"/> for a transposed convolution, whose PyTorch layout is
    /// <c>[in, out/groups, k...]</c>: output channel <c>g * (out/groups) + j</c> is column <c>j</c> of the rows of
    /// group <c>g</c>'s input channels.
    /// </summary>
    /// <returns>The folded bias, of length <paramref name="outChannels"/>.</returns>
    public static float[] FoldAffineIntoTransposedWeights(
        Span<float> weights,
        ReadOnlySpan<float> bias,
        ReadOnlySpan<float> scale,
        ReadOnlySpan<float> shift,
        int inChannels,
        int outChannels,
        int groups)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(groups);
        if (inChannels % groups != 0 || outChannels % groups != 0)
        {
            throw new ArgumentException($"groups {groups} must divide inChannels {inChannels} and outChannels {outChannels}.", nameof(groups));
        }

        int outPerGroup = outChannels / groups;
        if (weights.Length % (inChannels * outPerGroup) != 0)
        {
            throw new ArgumentException($"weights has {weights.Length} elements, not a multiple of inChannels * outChannels / groups = {inChannels * outPerGroup}.", nameof(weights));
        }

        RequireLength(scale.Length, outChannels, nameof(scale), nameof(outChannels));
        RequireLength(shift.Length, outChannels, nameof(shift), nameof(outChannels));
        RequireLengthOrEmpty(bias.Length, outChannels, nameof(bias));

        int kernel = weights.Length / (inChannels * outPerGroup);
        int inPerGroup = inChannels / groups;
        for (int i = 0; i < inChannels; i++)
        {
            int firstOut = i / inPerGroup * outPerGroup;
            for (int j = 0; j < outPerGroup; j++)
            {
                double s = scale[firstOut + j];
                Span<float> taps = weights.Slice(((i * outPerGroup) + j) * kernel, kernel);
                for (int k = 0; k < taps.Length; k++)
                {
                    taps[k] = (float)(taps[k] * s);
                }
            }
        }

        var folded = new float[outChannels];
        for (int o = 0; o < outChannels; o++)
        {
            folded[o] = (float)(((bias.IsEmpty ? 0.0 : bias[o]) * scale[o]) + shift[o]);
        }

        return folded;
    }

    private static void RequireLength(int actual, int expected, string name, string reference)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"{name} has {actual} elements but {reference} says {expected}.", name);
        }
    }

    private static void RequireLengthOrEmpty(int actual, int expected, string name)
    {
        if (actual != 0 && actual != expected)
        {
            throw new ArgumentException($"{name} has {actual} elements; expected {expected} or none.", name);
        }
    }
}
