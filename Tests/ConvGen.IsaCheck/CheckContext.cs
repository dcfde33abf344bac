using ConvGen.Reference;

namespace ConvGen.IsaCheck;

/// <summary>What a check reports into: one comparison per case; the check fails if any comparison does.</summary>
public sealed class CheckContext
{
    private readonly List<string> _failures = [];

    /// <summary>Cases compared so far.</summary>
    public int Cases { get; private set; }

    /// <summary>The failure messages, one per failed case.</summary>
    public IReadOnlyList<string> Failures => _failures;

    /// <summary>
    /// Compares a kernel's output with the reference's under <see cref="ConvReference.Tolerance"/>
    /// (<c>1e-5 * max(1, max|expected|) * sqrt(reductionLength)</c>); <paramref name="label"/> names the case.
    /// </summary>
    public void ExpectClose(string label, ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, int reductionLength)
    {
        Cases++;
        string? problem = ConvReference.Compare(actual, expected, reductionLength);
        if (problem is not null) _failures.Add($"{label}: {problem}");
    }

    /// <summary>
    /// Compares element-wise under <c>|actual - expected| &lt;= tolerance * max(1, max|finite expected|)</c>; a NaN
    /// expected needs a NaN, an infinity the same infinity. For kernels without a long reduction (activations,
    /// averages, interpolation).
    /// </summary>
    public void ExpectWithin(string label, ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, double tolerance)
    {
        Cases++;
        if (actual.Length != expected.Length)
        {
            _failures.Add($"{label}: length {actual.Length}, expected {expected.Length}");
            return;
        }

        double scale = 1;
        foreach (float e in expected)
            if (float.IsFinite(e)) scale = Math.Max(scale, Math.Abs(e));
        double bound = tolerance * scale;
        for (int i = 0; i < expected.Length; i++)
        {
            float e = expected[i], a = actual[i];
            bool ok = float.IsNaN(e) ? float.IsNaN(a)
                : float.IsInfinity(e) ? a == e
                : float.IsFinite(a) && Math.Abs((double)a - e) <= bound;
            if (!ok)
            {
                _failures.Add($"{label}: element {i}: {a:R} vs reference {e:R} (bound {bound:G3})");
                return;
            }
        }
    }

    /// <summary>Exact equality element-wise (NaN matches NaN): max pooling, data movement, products.</summary>
    public void ExpectEqual(string label, ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        Cases++;
        if (actual.Length != expected.Length)
        {
            _failures.Add($"{label}: length {actual.Length}, expected {expected.Length}");
            return;
        }

        for (int i = 0; i < expected.Length; i++)
        {
            float e = expected[i], a = actual[i];
            if (a == e || (float.IsNaN(a) && float.IsNaN(e))) continue;
            _failures.Add($"{label}: element {i}: {a:R}, expected exactly {e:R}");
            return;
        }
    }

    /// <summary>Checks that <paramref name="action"/> throws an <see cref="ArgumentException"/>.</summary>
    public void ExpectArgumentException(string label, Action action)
    {
        Cases++;
        try
        {
            action();
            _failures.Add($"{label}: no ArgumentException");
        }
        catch (ArgumentException)
        {
        }
        catch (Exception e)
        {
            _failures.Add($"{label}: {e.GetType().Name} instead of ArgumentException: {e.Message}");
        }
    }

    /// <summary>Records a failure that is not a comparison.</summary>
    public void Fail(string message)
    {
        Cases++;
        _failures.Add(message);
    }
}
