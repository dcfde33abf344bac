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
