using System.Globalization;

namespace ConvGen.Generator.Model;

/// <summary>
/// Sizes and counts in 64 bits that cannot wrap. Element, parameter and multiply-accumulate counts are products of
/// up to five <c>int</c>s, which can pass <c>long</c>: a product or sum that would is <see cref="Saturated"/>
/// instead, which every limit rejects and <see cref="Text"/> prints as "more than 9.2·10^18", never a wrapped number.
/// Every argument is a count, 0 or more.
/// </summary>
internal static class CheckedSize
{
    public const long Saturated = long.MaxValue;

    public static long Multiply(long a, long b)
    {
        if (a == 0 || b == 0) return 0;
        return a > Saturated / b ? Saturated : a * b;
    }

    public static long Product(params long[] factors)
    {
        long p = 1;
        foreach (long f in factors) p = Multiply(p, f);
        return p;
    }

    public static long Add(long a, long b) => a > Saturated - b ? Saturated : a + b;

    public static long Sum(IEnumerable<long> terms)
    {
        long s = 0;
        foreach (long t in terms) s = Add(s, t);
        return s;
    }

    /// <summary>"1,073,741,824", or "more than 9,223,372,036,854,775,806" for a saturated count.</summary>
    public static string Text(long count) => count >= Saturated
        ? "more than " + (Saturated - 1).ToString("N0", CultureInfo.InvariantCulture)
        : count.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>A size known as a double (an upsampled extent): exact below 2^53, else "1.5e+20", or "more than 1.8e+308".</summary>
    public static string Text(double size) => Dimension(size, "N0");

    /// <summary>A size as a dimension of a shape: "4294967302", "8e+300".</summary>
    public static string Dimension(double size, string format = "0") =>
        double.IsPositiveInfinity(size) ? "more than 1.8e+308"
        : size < 9007199254740992.0 ? size.ToString(format, CultureInfo.InvariantCulture)
        : size.ToString("0.##e+0", CultureInfo.InvariantCulture);
}
