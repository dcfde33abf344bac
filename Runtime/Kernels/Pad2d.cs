namespace ConvGen.Runtime.Kernels;

/// <summary>How <see cref="Pad2d"/> fills the border: PyTorch's <c>F.pad</c> modes (and a convolution's <c>padding_mode</c>).</summary>
public enum PaddingMode
{
    /// <summary>Zeros (<c>'constant'</c> with value 0; <c>padding_mode='zeros'</c>).</summary>
    Zeros,
    /// <summary>Mirror without repeating the edge: d c b | a b c d | c b a. Padding must be smaller than the input.</summary>
    Reflect,
    /// <summary>Repeat the edge: a a | a b c d | d d.</summary>
    Replicate,
    /// <summary>Wrap around: c d | a b c d | a b. Padding must be at most the input size.</summary>
    Circular,
}

/// <summary>
/// Padding of a CHW tensor (batch 1) by (left, right, top, bottom) with <c>F.pad</c>'s semantics per mode: the
/// <c>ZeroPad2d</c>/<c>ReflectionPad2d</c>/<c>ReplicationPad2d</c> layers, and the pre-padding of a convolution's
/// input when its <c>padding_mode</c> is not zeros.
/// </summary>
/// <remarks>
/// Output pixel (h, w) reads input (h - top, w - left) mapped into the input by the mode. Negative padding crops,
/// as in <c>F.pad</c>, for every mode but circular (whose PyTorch result with a crop wraps the cropped tensor, a
/// rule not worth reproducing). Each output row is its mapped source row: the interior is one block copy, the
/// borders a few mapped elements.
/// </remarks>
public static class Pad2d
{
    /// <summary>Output height: inHeight + top + bottom.</summary>
    public static int OutputHeight(int inHeight, int top, int bottom) => inHeight + top + bottom;

    /// <summary>Output width: inWidth + left + right.</summary>
    public static int OutputWidth(int inWidth, int left, int right) => inWidth + left + right;

    /// <summary>
    /// output[c] = the padded input[c], of size (inHeight + top + bottom) x (inWidth + left + right). Input and
    /// output must not overlap.
    /// </summary>
    public static void Forward(ReadOnlySpan<float> input, Span<float> output, int channels, int inHeight, int inWidth, int left, int right, int top, int bottom, PaddingMode mode)
    {
        if (channels < 0) throw new ArgumentException($"channels must be >= 0, got {channels}.", nameof(channels));
        if (inHeight < 1 || inWidth < 1) throw new ArgumentException($"The input must be at least 1x1, got {inHeight}x{inWidth}.", nameof(inHeight));
        CheckPadding(inWidth, left, right, mode, "width", nameof(left));
        CheckPadding(inHeight, top, bottom, mode, "height", nameof(top));
        int outHeight = OutputHeight(inHeight, top, bottom), outWidth = OutputWidth(inWidth, left, right);
        long needIn = (long)channels * inHeight * inWidth, needOut = (long)channels * outHeight * outWidth;
        if (input.Length != needIn) throw new ArgumentException($"input has {input.Length} floats, {channels}x{inHeight}x{inWidth} needs {needIn}.", nameof(input));
        if (output.Length != needOut) throw new ArgumentException($"output has {output.Length} floats, {channels}x{outHeight}x{outWidth} needs {needOut}.", nameof(output));

        // Columns [copyStart, copyStart + copyCount) of each output row are input columns from copyFrom on.
        int copyStart = Math.Max(0, left);
        int copyFrom = copyStart - left;
        int copyCount = Math.Min(inWidth - copyFrom, outWidth - copyStart);
        for (int c = 0; c < channels; c++)
        {
            ReadOnlySpan<float> plane = input.Slice(c * inHeight * inWidth, inHeight * inWidth);
            Span<float> outPlane = output.Slice(c * outHeight * outWidth, outHeight * outWidth);
            for (int oh = 0; oh < outHeight; oh++)
            {
                Span<float> outRow = outPlane.Slice(oh * outWidth, outWidth);
                int ih = Map(oh - top, inHeight, mode);
                if (ih < 0)
                {
                    outRow.Clear();
                    continue;
                }
                ReadOnlySpan<float> row = plane.Slice(ih * inWidth, inWidth);
                for (int ow = 0; ow < copyStart; ow++)
                {
                    int iw = Map(ow - left, inWidth, mode);
                    outRow[ow] = iw < 0 ? 0f : row[iw];
                }
                row.Slice(copyFrom, copyCount).CopyTo(outRow.Slice(copyStart, copyCount));
                for (int ow = copyStart + copyCount; ow < outWidth; ow++)
                {
                    int iw = Map(ow - left, inWidth, mode);
                    outRow[ow] = iw < 0 ? 0f : row[iw];
                }
            }
        }
    }

    /// <summary>The input index that padded index <paramref name="i"/> (relative to the input's start) reads, or -1 for a zero.</summary>
    private static int Map(int i, int size, PaddingMode mode)
    {
        if ((uint)i < (uint)size) return i;
        return mode switch
        {
            PaddingMode.Reflect => i < 0 ? -i : 2 * (size - 1) - i,
            PaddingMode.Replicate => i < 0 ? 0 : size - 1,
            PaddingMode.Circular => i < 0 ? i + size : i - size,
            _ => -1,
        };
    }

    private static void CheckPadding(int size, int before, int after, PaddingMode mode, string dimension, string paramName)
    {
        if (mode is < PaddingMode.Zeros or > PaddingMode.Circular)
            throw new ArgumentException($"Unknown padding mode {mode}.", nameof(mode));
        // A crop (negative padding) must leave at least one input row/column.
        if (Math.Max(0, -before) + Math.Max(0, -after) >= size)
            throw new ArgumentException($"Padding ({before}, {after}) crops the whole {dimension} {size}.", paramName);
        if (mode == PaddingMode.Reflect && (before >= size || after >= size))
            throw new ArgumentException($"Reflect padding ({before}, {after}) must be smaller than the input {dimension} {size}.", paramName);
        if (mode == PaddingMode.Circular && (before < 0 || after < 0 || before > size || after > size))
            throw new ArgumentException($"Circular padding ({before}, {after}) must be in [0, {size}] (the input {dimension}).", paramName);
    }
}
