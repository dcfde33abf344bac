namespace ConvGen.Samples;

/// <summary>
/// Comparison with PyTorch's outputs, with the contract's tolerance:
/// |y - y_ref| &lt;= 1e-4 * max(1, max|y_ref|) in float32.
/// </summary>
public static class Parity
{
    /// <summary>The contract's relative tolerance.</summary>
    public const double RelativeTolerance = 1e-4;

    /// <summary>The largest |actual - expected| (NaN counts as infinitely wrong).</summary>
    public static double MaxAbsError(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        if (actual.Length != expected.Length) throw new ArgumentException($"{actual.Length} values against {expected.Length} expected");
        double max = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double e = Math.Abs((double)actual[i] - expected[i]);
            if (double.IsNaN(e)) return double.PositiveInfinity;
            max = Math.Max(max, e);
        }
        return max;
    }

    /// <summary>The allowed error for a reference output: 1e-4 * max(1, max|y_ref|).</summary>
    public static double Tolerance(ReadOnlySpan<float> expected)
    {
        double max = 1;
        foreach (float v in expected) max = Math.Max(max, Math.Abs(v));
        return RelativeTolerance * max;
    }
}

/// <summary>Runs a network on one sample: <c>(x, y) => network.Run(x, y)</c>.</summary>
public delegate void Runner(ReadOnlySpan<float> input, Span<float> output);

/// <summary>The outcome of running a network on PyTorch's reference inputs.</summary>
/// <param name="Samples">How many reference inputs were run.</param>
/// <param name="MaxAbsError">The largest |y - y_ref| over all of them.</param>
/// <param name="Tolerance">The contract's bound for these outputs (the smallest over the samples).</param>
public readonly record struct ParityResult(int Samples, double MaxAbsError, double Tolerance)
{
    /// <summary>Whether every output is within the contract's tolerance.</summary>
    public bool Passed => MaxAbsError <= Tolerance;

    /// <summary>Runs <paramref name="run"/> on every "inputs" slice of a reference file and compares with "outputs".</summary>
    public static ParityResult Check(string referencePath, int inputLength, int outputLength, Runner run)
    {
        Dictionary<string, SafeTensors.Tensor> reference = SafeTensors.Read(referencePath);
        SafeTensors.Tensor inputs = reference["inputs"], outputs = reference["outputs"];
        int count = inputs.Shape[0];
        if (inputs.Data.Length != count * inputLength || outputs.Data.Length != count * outputLength)
            throw new InvalidDataException($"{referencePath}: {count} reference samples of {inputs.Data.Length / count} -> {outputs.Data.Length / count} floats, the network takes {inputLength} -> {outputLength}");
        double maxError = 0, tolerance = double.PositiveInfinity;
        float[] output = new float[outputLength];
        for (int i = 0; i < count; i++)
        {
            Array.Fill(output, float.NaN);   // an element the network never writes fails the comparison
            run(inputs.Slice(i), output);
            ReadOnlySpan<float> expected = outputs.Slice(i);
            maxError = Math.Max(maxError, Parity.MaxAbsError(output, expected));
            tolerance = Math.Min(tolerance, Parity.Tolerance(expected));
        }
        return new ParityResult(count, maxError, tolerance);
    }

    /// <summary>"max |error| vs PyTorch 1.2e-07 over 2 inputs (tolerance 1.0e-04): OK".</summary>
    public override string ToString() =>
        $"max |error| vs PyTorch: {MaxAbsError:0.0e+00} over {Samples} input(s) (tolerance {Tolerance:0.0e+00}): {(Passed ? "OK" : "FAILED")}";
}
