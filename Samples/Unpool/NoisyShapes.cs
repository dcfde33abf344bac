namespace UnpoolSample;

/// <summary>
/// The denoising task of train_unpool.py, ported line by line (noisy_shapes there is the definition): a 32×32 image of
/// 1 to 4 discs or rectangles (brightness 0.4 to 1.0, later shapes painted over earlier ones) on black, seen through
/// Gaussian noise (std 0.35). The random generator differs from numpy's, so the images are fresh ones from the same
/// distribution, not the training images.
/// </summary>
public static class NoisyShapes
{
    public const int Size = 32;
    public const double Noise = 0.35;

    /// <summary>Fills <paramref name="noisy"/> and <paramref name="clean"/> (32×32, row-major) with one random sample.</summary>
    public static void Generate(Random rng, Span<float> noisy, Span<float> clean)
    {
        if (noisy.Length != Size * Size || clean.Length != Size * Size) throw new ArgumentException($"the images must hold {Size * Size} pixels");
        clean.Clear();
        int shapes = rng.Next(1, 5);                                   // 1..4 shapes
        for (int s = 0; s < shapes; s++)
        {
            float brightness = (float)Uniform(rng, 0.4, 1.0);
            if (rng.NextDouble() < 0.5)
            {
                // disc: centre in [4, 28), radius in [3, 8]; a pixel (x, y) is inside when its distance is <= r
                double cx = Uniform(rng, 4, Size - 4), cy = Uniform(rng, 4, Size - 4), r = Uniform(rng, 3, 8);
                for (int y = 0; y < Size; y++)
                    for (int x = 0; x < Size; x++)
                        if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r) clean[y * Size + x] = brightness;
            }
            else
            {
                // rectangle: corner in [0, 26), sides 4..14, clipped to the image
                int x0 = rng.Next(0, Size - 6), y0 = rng.Next(0, Size - 6), w = rng.Next(4, 15), h = rng.Next(4, 15);
                for (int y = y0; y < Math.Min(y0 + h, Size); y++)
                    for (int x = x0; x < Math.Min(x0 + w, Size); x++) clean[y * Size + x] = brightness;
            }
        }
        for (int i = 0; i < clean.Length; i++) noisy[i] = (float)(clean[i] + Normal(rng) * Noise);
    }

    /// <summary>Mean squared difference of two images.</summary>
    public static double MeanSquaredError(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += (a[i] - (double)b[i]) * (a[i] - (double)b[i]);
        return sum / a.Length;
    }

    /// <summary>The classic non-learned denoiser, for comparison: each pixel the mean of its 3×3 neighbourhood (clipped at the border).</summary>
    public static void BoxBlur(ReadOnlySpan<float> image, Span<float> blurred)
    {
        for (int y = 0; y < Size; y++)
            for (int x = 0; x < Size; x++)
            {
                double sum = 0;
                int count = 0;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int yy = y + dy, xx = x + dx;
                        if (yy < 0 || yy >= Size || xx < 0 || xx >= Size) continue;
                        sum += image[yy * Size + xx];
                        count++;
                    }
                blurred[y * Size + x] = (float)(sum / count);
            }
    }

    private static double Uniform(Random rng, double lo, double hi) => lo + (hi - lo) * rng.NextDouble();

    // Box-Muller: a standard normal from two uniforms.
    private static double Normal(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
