using System.Buffers.Binary;
using System.Text;
using ConvGen.Runtime.Weights;

namespace ConvGen.Tests.Weights;

/// <summary>
/// Property-style tests: random valid files (every dtype, shapes with zeros and scalars, names with escapes and
/// non-ASCII, header order unlike data order, whitespace between tokens, metadata) parse back to exactly what was
/// written, and the same files with one tensor's range nudged are rejected naming that tensor.
/// </summary>
public class SafeTensorsRoundTripTests
{
    private const int Cases = 300;

    private static readonly string[] NameParts = ["0", "11", "weight", "bias", "running_var", "β", "層", "😀", "a\"b", "c\\d", "e/f", "tab\t", "nl\n", " ", "\u0001", "."];
    private static readonly string[] Whitespace = ["", "", "", " ", "\n", "\t", "\r\n", "  "];

    private sealed record Spec(string Name, TensorDType DType, int[] Shape, byte[] Data)
    {
        public long Begin { get; set; }

        public long End => Begin + Data.Length;
    }

    private sealed class RandomFile
    {
        public List<Spec> Tensors { get; } = [];

        public List<KeyValuePair<string, string>>? Metadata { get; set; }

        public required Random Random { get; init; }

        public required bool EscapeNonAscii { get; init; }

        public byte[] Data { get; set; } = [];

        public string Json(Spec? nudged = null, long nudge = 0)
        {
            string W() => Whitespace[Random.Next(Whitespace.Length)];
            var members = new List<string>();
            foreach (Spec t in Tensors)
            {
                long end = t == nudged ? t.End + nudge : t.End;
                members.Add(W() + SafeTensorsWriter.Quote(t.Name, EscapeNonAscii) + W() + ":" + W() + "{" + W()
                    + "\"dtype\"" + W() + ":" + W() + "\"" + TensorDTypes.FileName(t.DType) + "\"" + W() + "," + W()
                    + "\"shape\"" + W() + ":" + W() + "[" + W() + string.Join(W() + "," + W(), t.Shape) + W() + "]" + W() + "," + W()
                    + "\"data_offsets\"" + W() + ":" + W() + "[" + W() + t.Begin + W() + "," + W() + end + W() + "]" + W() + "}" + W());
            }

            if (Metadata != null)
            {
                string body = string.Join(",", Metadata.Select(kv => W() + SafeTensorsWriter.Quote(kv.Key, EscapeNonAscii) + W() + ":" + W() + SafeTensorsWriter.Quote(kv.Value, EscapeNonAscii) + W()));
                members.Insert(Random.Next(members.Count + 1), W() + "\"__metadata__\"" + W() + ":" + W() + "{" + body + "}" + W());
            }

            return W() + "{" + string.Join(",", members) + "}" + W();
        }
    }

    private static RandomFile Generate(Random random)
    {
        var file = new RandomFile { Random = random, EscapeNonAscii = random.Next(2) == 0 };
        TensorDType[] dtypes = Enum.GetValues<TensorDType>();
        int count = random.Next(0, 9);
        var names = new HashSet<string>(StringComparer.Ordinal);
        while (file.Tensors.Count < count)
        {
            string name = string.Concat(Enumerable.Range(0, random.Next(1, 4)).Select(_ => NameParts[random.Next(NameParts.Length)]));
            if (name == "__metadata__" || !names.Add(name))
            {
                continue;
            }

            TensorDType dtype = dtypes[random.Next(dtypes.Length)];
            var shape = Enumerable.Range(0, random.Next(0, 5)).Select(_ => random.Next(0, 6)).ToList();
            long elements = shape.Aggregate(1L, (a, b) => a * b);
            if (elements * TensorDTypes.BitSize(dtype) % 8 != 0)
            {
                shape.Add(4); // 4 sub-byte elements of 4 or 6 bits fill whole bytes
                elements *= 4;
            }

            var data = new byte[elements * TensorDTypes.BitSize(dtype) / 8];
            random.NextBytes(data);
            file.Tensors.Add(new Spec(name, dtype, [.. shape], data));
        }

        // Data order is a random permutation, independent of header order.
        long offset = 0;
        var buffer = new List<byte>();
        foreach (Spec t in file.Tensors.OrderBy(_ => random.Next()))
        {
            t.Begin = offset;
            offset += t.Data.Length;
            buffer.AddRange(t.Data);
        }

        file.Data = [.. buffer];
        if (random.Next(3) == 0)
        {
            file.Metadata = Enumerable.Range(0, random.Next(0, 4))
                .Select(i => new KeyValuePair<string, string>("k" + i + NameParts[random.Next(NameParts.Length)], NameParts[random.Next(NameParts.Length)]))
                .ToList();
        }

        return file;
    }

    private static float Widen(TensorDType dtype, byte[] data, int i) => dtype switch
    {
        TensorDType.F32 => BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan(4 * i)),
        TensorDType.F16 => (float)BinaryPrimitives.ReadHalfLittleEndian(data.AsSpan(2 * i)),
        _ => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(2 * i)) << 16),
    };

    [Fact]
    public void RandomValidFilesRoundTrip()
    {
        var random = new Random(20240611);
        int tensorsChecked = 0;
        for (int iteration = 0; iteration < Cases; iteration++)
        {
            RandomFile spec = Generate(random);
            byte[] file = SafeTensorsWriter.Build(Encoding.UTF8.GetBytes(spec.Json()), spec.Data);

            SafeTensorsHeaderInfo header = SafeTensorsHeader.Parse(file);
            Assert.Equal(spec.Tensors.Count, header.Count);
            Assert.Equal(spec.Data.Length, header.DataLength);
            for (int i = 0; i < spec.Tensors.Count; i++)
            {
                Spec t = spec.Tensors[i];
                Assert.Equal(new TensorEntry(t.Name, t.DType, t.Shape, t.Begin, t.End), header.Tensors[i]);
                Assert.Equal(i, header.IndexOf(t.Name));
            }

            Assert.Equal(spec.Metadata != null, header.HasMetadata);
            Assert.Equal(
                (spec.Metadata ?? []).OrderBy(kv => kv.Key, StringComparer.Ordinal),
                header.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal));

            SafeTensorsHeaderInfo streamed = WeightsAssert.ParseLikeGenerator(file);
            Assert.Equal(header.Tensors, streamed.Tensors);

            SafeTensorsReader reader = SafeTensorsReader.Open(file);
            foreach (Spec t in spec.Tensors)
            {
                if (t.DType is TensorDType.F32 or TensorDType.F16 or TensorDType.BF16)
                {
                    float[] values = reader.ReadFloat32(t.Name, t.Shape);
                    for (int i = 0; i < values.Length; i++)
                    {
                        Assert.Equal(BitConverter.SingleToInt32Bits(Widen(t.DType, t.Data, i)), BitConverter.SingleToInt32Bits(values[i]));
                    }
                }
                else
                {
                    reader.Ignore(t.Name);
                }

                tensorsChecked++;
            }

            reader.ThrowIfUnconsumed();
        }

        Assert.True(tensorsChecked > Cases, $"only {tensorsChecked} tensors were generated");
    }

    [Fact]
    public void NudgingOneTensorsEndIsRejectedNamingIt()
    {
        var random = new Random(77);
        int checkedCases = 0;
        for (int iteration = 0; iteration < Cases; iteration++)
        {
            RandomFile spec = Generate(random);
            Spec[] nonEmpty = spec.Tensors.Where(t => t.Data.Length > 0).ToArray();
            if (nonEmpty.Length == 0)
            {
                continue;
            }

            Spec victim = nonEmpty[random.Next(nonEmpty.Length)];
            long nudge = random.Next(2) == 0 ? -1 : 1;
            byte[] file = SafeTensorsWriter.Build(Encoding.UTF8.GetBytes(spec.Json(victim, nudge)), spec.Data);
            WeightsException e = WeightsAssert.Rejects(file);
            Assert.Equal(victim.Name, e.Key);
            checkedCases++;
        }

        Assert.True(checkedCases > Cases / 2, $"only {checkedCases} cases had a non-empty tensor");
    }
}
