using ConvGen.Runtime.Weights;

namespace ConvGen.Tests.Weights;

/// <summary>Reading tensors by key: values, widening, and the shape/dtype/key checks a generated Load relies on.</summary>
public class SafeTensorsReaderTests
{
    private static float[] RandomFloats(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return values;
    }

    [Fact]
    public void Float32ValuesAreCopiedBitExactly()
    {
        float[] values =
        [
            0f, -0f, 1f, -2.5f, float.Epsilon, -float.Epsilon, 1.17549435e-38f, float.MaxValue, float.MinValue,
            float.PositiveInfinity, float.NegativeInfinity, BitConverter.Int32BitsToSingle(0x7FC00001), BitConverter.Int32BitsToSingle(unchecked((int)0xFF800123)),
        ];
        SafeTensorsReader reader = SafeTensorsReader.Open(new SafeTensorsWriter().AddF32("w", [values.Length], values).ToArray());
        float[] read = reader.ReadFloat32("w", [values.Length]);
        Assert.Equal(values.Select(BitConverter.SingleToInt32Bits), read.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void TensorsAtUnalignedFileOffsetsAreRead()
    {
        var misalignments = new HashSet<long>();
        for (int padding = 0; padding < 8; padding++)
        {
            float[] values = RandomFloats(new Random(padding), 37);
            ushort[] halves = values.Select(v => BitConverter.HalfToUInt16Bits((Half)v)).ToArray();
            byte[] file = new SafeTensorsWriter { PadHeader = false }
                .Add("b", "U8", [padding], new byte[padding])
                .AddF32("w", [values.Length], values)
                .Add16("h", "F16", [halves.Length], halves)
                .ToArray();
            SafeTensorsReader reader = SafeTensorsReader.Open(file);
            misalignments.Add((reader.Header.DataOffset + reader.Header.Find("w")!.Begin) % 4);
            Assert.Equal(values, reader.ReadFloat32("w", [values.Length]));
            Assert.Equal(values.Select(v => (float)(Half)v), reader.ReadFloat32("h", [halves.Length]));
        }

        Assert.Equal([0L, 1, 2, 3], misalignments.Order());
    }

    /// <summary>IEEE binary16 by its definition, computed in double, independent of <see cref="Half"/>.</summary>
    private static double HalfByDefinition(int bits)
    {
        int sign = bits >> 15;
        int exponent = (bits >> 10) & 0x1F;
        int mantissa = bits & 0x3FF;
        double magnitude = exponent switch
        {
            0 => mantissa * Math.Pow(2, -24),
            0x1F => mantissa == 0 ? double.PositiveInfinity : double.NaN,
            _ => (1024 + mantissa) * Math.Pow(2, exponent - 25),
        };
        return sign == 1 ? -magnitude : magnitude;
    }

    /// <summary>bfloat16 by its definition (8 exponent bits, 7 mantissa bits, bias 127), computed in double.</summary>
    private static double BFloat16ByDefinition(int bits)
    {
        int sign = bits >> 15;
        int exponent = (bits >> 7) & 0xFF;
        int mantissa = bits & 0x7F;
        double magnitude = exponent switch
        {
            0 => mantissa * Math.Pow(2, -133),
            0xFF => mantissa == 0 ? double.PositiveInfinity : double.NaN,
            _ => (128 + mantissa) * Math.Pow(2, exponent - 134),
        };
        return sign == 1 ? -magnitude : magnitude;
    }

    [Theory]
    [InlineData("F16")]
    [InlineData("BF16")]
    public void SixteenBitFloatsWidenExactlyForEveryBitPattern(string dtype)
    {
        ushort[] all = Enumerable.Range(0, 65536).Select(i => (ushort)i).ToArray();
        SafeTensorsReader reader = SafeTensorsReader.Open(new SafeTensorsWriter().Add16("t", dtype, [256, 256], all).ToArray());
        float[] read = reader.ReadFloat32("t", [256, 256]);
        for (int bits = 0; bits < 65536; bits++)
        {
            double expected = dtype == "F16" ? HalfByDefinition(bits) : BFloat16ByDefinition(bits);
            float actual = read[bits];
            if (double.IsNaN(expected))
            {
                Assert.True(float.IsNaN(actual), $"{dtype} 0x{bits:X4} should widen to NaN, got {actual}");
            }
            else
            {
                // Exact: every binary16/bfloat16 value, subnormals included, is a float32.
                Assert.True(expected == actual, $"{dtype} 0x{bits:X4} should widen to {expected:R}, got {actual:R}");
            }

            Assert.Equal(bits >> 15 == 1, float.IsNegative(actual));
        }

        // Spot checks that anchor the definitions themselves.
        Assert.Equal(1f, read[dtype == "F16" ? 0x3C00 : 0x3F80]);
        Assert.Equal(dtype == "F16" ? 5.96046448e-8f : 9.18354962e-41f, read[1]);
        Assert.Equal(float.NegativeInfinity, read[dtype == "F16" ? 0xFC00 : 0xFF80]);
    }

    [Fact]
    public void ReadIntoDestinationChecksItsLength()
    {
        SafeTensorsReader reader = SafeTensorsReader.Open(new SafeTensorsWriter().AddF32("w", [2, 3], [1, 2, 3, 4, 5, 6]).ToArray());
        var destination = new float[6];
        reader.ReadFloat32("w", [2, 3], destination);
        Assert.Equal([1f, 2, 3, 4, 5, 6], destination);
        ArgumentException e = Assert.Throws<ArgumentException>(() => SafeTensorsReader.Open(new SafeTensorsWriter().AddF32("w", [2, 3], [1, 2, 3, 4, 5, 6]).ToArray()).ReadFloat32("w", [2, 3], new float[5]));
        Assert.Equal("destination", e.ParamName);
    }

    [Theory]
    [InlineData("I64", 8)]
    [InlineData("F64", 8)]
    [InlineData("I32", 4)]
    [InlineData("U8", 1)]
    [InlineData("BOOL", 1)]
    [InlineData("F8_E4M3", 1)]
    public void UnsupportedDTypeIsRejectedWithKeyAndDType(string dtype, int size)
    {
        byte[] file = new SafeTensorsWriter().Add("3.weight", dtype, [2], new byte[2 * size]).ToArray();
        SafeTensorsReader reader = SafeTensorsReader.Open(file);
        WeightsException e = Assert.Throws<WeightsException>(() => SafeTensorsReader.Open(file).ReadFloat32("3.weight", [2]));
        Assert.Equal($"tensor '3.weight': dtype {dtype} is not supported; F32, F16 or BF16 expected", e.Message);
        Assert.Equal("3.weight", e.Key);
        Assert.False(reader.TryReadFloat32("absent", [2], out _));
        Assert.Throws<WeightsException>(() => SafeTensorsReader.Open(file).TryReadFloat32("3.weight", [2], out _));
    }

    [Theory]
    [InlineData(new[] { 6, 1, 3, 3 }, new[] { 6, 1, 5, 5 }, "[6, 1, 5, 5]", "[6, 1, 3, 3]")]
    [InlineData(new[] { 150 }, new[] { 6, 1, 5, 5 }, "[6, 1, 5, 5]", "[150]")]
    [InlineData(new int[0], new[] { 1 }, "[1]", "[]")]
    [InlineData(new[] { 1 }, new int[0], "[]", "[1]")]
    [InlineData(new[] { 10, 84 }, new[] { 84, 10 }, "[84, 10]", "[10, 84]")]
    public void WrongShapeIsRejectedWithKeyAndBothShapes(int[] fileShape, int[] expectedShape, string expectedText, string fileText)
    {
        int count = fileShape.Aggregate(1, (a, b) => a * b);
        byte[] file = new SafeTensorsWriter().AddF32("0.weight", fileShape, new float[count]).ToArray();
        WeightsException e = Assert.Throws<WeightsException>(() => SafeTensorsReader.Open(file).ReadFloat32("0.weight", expectedShape));
        Assert.Equal($"tensor '0.weight': expected shape {expectedText}, file has {fileText}", e.Message);
        Assert.Equal("0.weight", e.Key);
    }

    [Fact]
    public void WrongShapeIsReportedBeforeWrongDType()
    {
        byte[] file = new SafeTensorsWriter().AddI64("k", [3], [1, 2, 3]).ToArray();
        WeightsException e = Assert.Throws<WeightsException>(() => SafeTensorsReader.Open(file).ReadFloat32("k", [2]));
        Assert.Equal("tensor 'k': expected shape [2], file has [3]", e.Message);
    }

    [Fact]
    public void MissingTensorIsRejectedWithKeyAndExpectedShape()
    {
        byte[] file = new SafeTensorsWriter().AddF32("0.bias", [6], new float[6]).ToArray();
        WeightsException e = Assert.Throws<WeightsException>(() => SafeTensorsReader.Open(file).ReadFloat32("0.weight", [6, 1, 5, 5]));
        Assert.Equal("missing tensor '0.weight' (expected shape [6, 1, 5, 5])", e.Message);
        Assert.Equal("0.weight", e.Key);
    }

    [Theory]
    [InlineData("module.")]
    [InlineData("features.")]
    public void MissingTensorPointsAtAPrefixedKey(string prefix)
    {
        byte[] file = new SafeTensorsWriter().AddF32(prefix + "0.weight", [2], new float[2]).ToArray();
        WeightsException e = Assert.Throws<WeightsException>(() => SafeTensorsReader.Open(file).ReadFloat32("0.weight", [2]));
        Assert.StartsWith("missing tensor '0.weight' (expected shape [2]); the file has '" + prefix + "0.weight'", e.Message, StringComparison.Ordinal);
        Assert.Contains("strip the '" + prefix + "' prefix", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryReadFloat32ReadsPresentAndSkipsAbsentTensors()
    {
        SafeTensorsReader reader = SafeTensorsReader.Open(new SafeTensorsWriter().AddF32("0.bias", [2], [1, 2]).ToArray());
        Assert.True(reader.TryReadFloat32("0.bias", [2], out float[] bias));
        Assert.Equal([1f, 2f], bias);
        Assert.False(reader.TryReadFloat32("3.bias", [2], out float[] none));
        Assert.Empty(none);
        reader.ThrowIfUnconsumed();
        Assert.Throws<WeightsException>(() => SafeTensorsReader.Open(new SafeTensorsWriter().AddF32("0.bias", [2], [1, 2]).ToArray()).TryReadFloat32("0.bias", [3], out _));
    }

    [Fact]
    public void NumBatchesTrackedIsIgnoredWhateverItsDType()
    {
        byte[] file = new SafeTensorsWriter()
            .AddF32("1.weight", [2], [1, 2]).AddF32("1.bias", [2], [0, 0])
            .AddF32("1.running_mean", [2], [0, 0]).AddF32("1.running_var", [2], [1, 1])
            .AddI64("1.num_batches_tracked", [], [12345])
            .ToArray();
        SafeTensorsReader reader = SafeTensorsReader.Open(file);
        Assert.Equal(5, reader.Count);
        foreach (string name in new[] { "weight", "bias", "running_mean", "running_var" })
        {
            Assert.Equal(2, reader.ReadFloat32("1." + name, [2]).Length);
        }

        WeightsException e = Assert.Throws<WeightsException>(() => ThrowIfUnconsumedAfterReadingBn(file));
        Assert.Equal("unexpected tensor '1.num_batches_tracked' (shape []) in the weights file: the declaration has no layer with that key", e.Message);
        Assert.Equal("1.num_batches_tracked", e.Key);

        reader.Ignore("1.num_batches_tracked");
        reader.Ignore("7.num_batches_tracked");
        reader.ThrowIfUnconsumed();
        Assert.True(reader.Contains("1.num_batches_tracked"));
        Assert.False(reader.Contains("7.num_batches_tracked"));
    }

    private static void ThrowIfUnconsumedAfterReadingBn(byte[] file)
    {
        SafeTensorsReader reader = SafeTensorsReader.Open(file);
        foreach (string name in new[] { "weight", "bias", "running_mean", "running_var" })
        {
            reader.ReadFloat32("1." + name, [2]);
        }

        reader.ThrowIfUnconsumed();
    }

    [Fact]
    public void ManyUnexpectedTensorsAreCountedAndTheFirstFewListed()
    {
        var writer = new SafeTensorsWriter().AddF32("0.weight", [1], [1]);
        for (int i = 0; i < 7; i++)
        {
            writer.AddF32("extra" + i, [i + 1], new float[i + 1]);
        }

        byte[] file = writer.ToArray();
        WeightsException e = Assert.Throws<WeightsException>(() =>
        {
            SafeTensorsReader reader = SafeTensorsReader.Open(file);
            reader.ReadFloat32("0.weight", [1]);
            reader.ThrowIfUnconsumed();
        });
        Assert.Equal(
            "7 unexpected tensors in the weights file (the declaration has no layer with these keys): 'extra0' (shape [1]), 'extra1' (shape [2]), "
            + "'extra2' (shape [3]), 'extra3' (shape [4]), 'extra4' (shape [5]) and 2 more",
            e.Message);
        Assert.Equal("extra0", e.Key);
    }

    [Fact]
    public void FailedReadDoesNotConsumeTheTensor()
    {
        byte[] file = new SafeTensorsWriter().AddF32("w", [2], [1, 2]).ToArray();
        WeightsException e = Assert.Throws<WeightsException>(() => ReadWithWrongShapeThenCheck(file));
        Assert.Equal("unexpected tensor 'w' (shape [2]) in the weights file: the declaration has no layer with that key", e.Message);
    }

    private static void ReadWithWrongShapeThenCheck(byte[] file)
    {
        SafeTensorsReader reader = SafeTensorsReader.Open(file);
        bool rejected = false;
        try
        {
            reader.ReadFloat32("w", [3]);
        }
        catch (WeightsException)
        {
            rejected = true;
        }

        Assert.True(rejected);
        reader.ThrowIfUnconsumed();
    }

    [Fact]
    public void DefaultReaderAndBadArgumentsThrowArgumentErrors()
    {
        Assert.Throws<InvalidOperationException>(() => default(SafeTensorsReader).Count);
        byte[] file = new SafeTensorsWriter().AddF32("w", [2], [1, 2]).ToArray();
        Assert.Throws<ArgumentException>(() => SafeTensorsReader.Open(file).ReadFloat32("w", [-2]));
        Assert.Throws<ArgumentNullException>(() => SafeTensorsReader.Open(file).ReadFloat32(null!, [2]));
        Assert.Throws<ArgumentNullException>(() => SafeTensorsReader.Open(file).Ignore(null!));
    }

    [Fact]
    public void EmptyAndScalarTensorsRead()
    {
        byte[] file = new SafeTensorsWriter().AddF32("empty", [4, 0], []).AddF32("scalar", [], [42f]).Add16("h", "F16", [0], []).ToArray();
        SafeTensorsReader reader = SafeTensorsReader.Open(file);
        Assert.Empty(reader.ReadFloat32("empty", [4, 0]));
        Assert.Equal([42f], reader.ReadFloat32("scalar", []));
        Assert.Empty(reader.ReadFloat32("h", [0]));
        reader.ThrowIfUnconsumed();
    }

    /// <summary>The reads a generated <c>LeNet5.Load</c> makes, against a state_dict laid out like PyTorch's.</summary>
    [Fact]
    public void LeNet5StateDictLoadsCompletely()
    {
        (string Key, int[] Shape)[] parameters =
        [
            ("0.weight", [6, 1, 5, 5]), ("0.bias", [6]), ("3.weight", [16, 6, 5, 5]), ("3.bias", [16]),
            ("7.weight", [120, 400]), ("7.bias", [120]), ("9.weight", [84, 120]), ("9.bias", [84]),
            ("11.weight", [10, 84]), ("11.bias", [10]),
        ];
        var random = new Random(5);
        var writer = new SafeTensorsWriter().Metadata("format", "pt");
        var expected = new Dictionary<string, float[]>();
        foreach ((string key, int[] shape) in parameters)
        {
            expected[key] = RandomFloats(random, shape.Aggregate(1, (a, b) => a * b));
            writer.AddF32(key, shape, expected[key]);
        }

        SafeTensorsReader reader = SafeTensorsReader.Open(writer.ToArray());
        Assert.Equal(parameters.Length, reader.Count);
        foreach ((string key, int[] shape) in parameters)
        {
            Assert.Equal(expected[key], reader.ReadFloat32(key, shape));
        }

        reader.ThrowIfUnconsumed();
        Assert.Equal("pt", reader.Header.Metadata["format"]);
    }
}
