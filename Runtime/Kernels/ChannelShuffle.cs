namespace ConvGen.Runtime.Kernels;

/// <summary><c>torch.nn.ChannelShuffle</c> on a CHW tensor (batch 1).</summary>
public static class ChannelShuffle
{
    /// <summary>
    /// The channels, viewed as [groups, channels/groups], are transposed, so output channel k * groups + g is input
    /// channel g * (channels/groups) + k: one contiguous copy per channel. Not in place.
    /// </summary>
    public static void Forward(ReadOnlySpan<float> input, Span<float> output, int channels, int groups, int spatial)
    {
        if (groups < 1 || channels < 0 || channels % groups != 0)
            throw new ArgumentException($"groups ({groups}) must be >= 1 and divide channels ({channels}).", nameof(groups));
        if (spatial < 0) throw new ArgumentException($"spatial must be >= 0, got {spatial}.", nameof(spatial));
        long need = (long)channels * spatial;
        if (input.Length != need) throw new ArgumentException($"input has {input.Length} floats, {channels} channels x {spatial} need {need}.", nameof(input));
        if (output.Length != need) throw new ArgumentException($"output has {output.Length} floats, {channels} channels x {spatial} need {need}.", nameof(output));
        if (input.Overlaps(output)) throw new ArgumentException("input and output must not overlap.", nameof(output));
        int perGroup = channels / groups;
        for (int k = 0; k < perGroup; k++)
            for (int g = 0; g < groups; g++)
                input.Slice((g * perGroup + k) * spatial, spatial).CopyTo(output.Slice((k * groups + g) * spatial, spatial));
    }
}
