namespace UNetSample;

/// <summary>
/// The synthetic segmentation task of train_unet.py, ported line by line (synthetic_image there is the definition):
/// a 32×32 image of Gaussian noise (std 0.3) with 1 to 3 bright discs or rectangles, which form the mask, and 0 to 2
/// bright one-pixel lines, which do not. The random generator differs from numpy's, so the images are fresh ones
/// from the same distribution, not the training images.
/// </summary>
public static class Shapes
{
    public const int Size = 32;
    public const double Noise = 0.3;

    /// <summary>Fills <paramref name="image"/> (32×32, row-major) and <paramref name="mask"/> with one random sample.</summary>
    public static void Generate(Random rng, Span<float> image, Span<bool> mask)
    {
        if (image.Length != Size * Size || mask.Length != Size * Size) throw new ArgumentException($"image and mask must hold {Size * Size} pixels");
        double[] pixels = new double[Size * Size];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = Normal(rng) * Noise;
        mask.Clear();
        int shapes = rng.Next(1, 4);                                   // 1..3 shapes
        for (int s = 0; s < shapes; s++)
        {
            double brightness = Uniform(rng, 0.5, 1.0);
            if (rng.NextDouble() < 0.5)
            {
                // disc: centre in [4, 28), radius in [3, 7]; a pixel (x, y) is inside when its distance is <= r
                double cx = Uniform(rng, 4, Size - 4), cy = Uniform(rng, 4, Size - 4), r = Uniform(rng, 3, 7);
                for (int y = 0; y < Size; y++)
                    for (int x = 0; x < Size; x++)
                        if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r) { pixels[y * Size + x] += brightness; mask[y * Size + x] = true; }
            }
            else
            {
                // rectangle: corner in [0, 26), sides 4..12, clipped to the image
                int x0 = rng.Next(0, Size - 6), y0 = rng.Next(0, Size - 6), w = rng.Next(4, 13), h = rng.Next(4, 13);
                for (int y = y0; y < Math.Min(y0 + h, Size); y++)
                    for (int x = x0; x < Math.Min(x0 + w, Size); x++) { pixels[y * Size + x] += brightness; mask[y * Size + x] = true; }
            }
        }
        int lines = rng.Next(0, 3);                                    // 0..2 distractor lines, not in the mask
        for (int l = 0; l < lines; l++)
        {
            double brightness = Uniform(rng, 0.5, 1.0);
            int length = rng.Next(8, 21);
            if (rng.NextDouble() < 0.5)
            {
                int y = rng.Next(0, Size), x0 = rng.Next(0, Size - length + 1);
                for (int x = x0; x < x0 + length; x++) pixels[y * Size + x] += brightness;
            }
            else
            {
                int x = rng.Next(0, Size), y0 = rng.Next(0, Size - length + 1);
                for (int y = y0; y < y0 + length; y++) pixels[y * Size + x] += brightness;
            }
        }
        for (int i = 0; i < pixels.Length; i++) image[i] = (float)pixels[i];
    }

    /// <summary>Intersection over union of two masks (1 when both are empty).</summary>
    public static (int Intersection, int Union) Overlap(ReadOnlySpan<bool> predicted, ReadOnlySpan<bool> truth)
    {
        int intersection = 0, union = 0;
        for (int i = 0; i < truth.Length; i++)
        {
            if (predicted[i] && truth[i]) intersection++;
            if (predicted[i] || truth[i]) union++;
        }
        return (intersection, union);
    }

    private static double Uniform(Random rng, double lo, double hi) => lo + (hi - lo) * rng.NextDouble();

    // Box-Muller: a standard normal from two uniforms.
    private static double Normal(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
