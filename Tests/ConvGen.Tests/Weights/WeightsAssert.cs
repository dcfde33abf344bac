using ConvGen.Runtime.Weights;

namespace ConvGen.Tests.Weights;

/// <summary>Assertions shared by the weights tests: a bad file must fail the same way through every entry point.</summary>
internal static class WeightsAssert
{
    /// <summary>
    /// Asserts that <see cref="SafeTensorsHeader.Parse(byte[])"/>, <see cref="SafeTensorsReader.Open"/> and the
    /// prefix-then-header path the generator uses all throw exactly <see cref="WeightsException"/> (no subclass, no
    /// IndexOutOfRange/Overflow/ArgumentOutOfRange) with one message, and that the message contains each fragment.
    /// </summary>
    public static WeightsException Rejects(byte[] file, params string[] fragments)
    {
        WeightsException fromHeader = Assert.Throws<WeightsException>(() => SafeTensorsHeader.Parse(file));
        WeightsException fromReader = Assert.Throws<WeightsException>(() => { SafeTensorsReader.Open(file); });
        WeightsException fromStreaming = Assert.Throws<WeightsException>(() => ParseLikeGenerator(file));
        Assert.Equal(fromHeader.Message, fromReader.Message);
        Assert.Equal(fromHeader.Message, fromStreaming.Message);
        Assert.Equal(fromHeader.Key, fromReader.Key);
        foreach (string fragment in fragments)
        {
            Assert.Contains(fragment, fromHeader.Message, StringComparison.Ordinal);
        }

        return fromHeader;
    }

    /// <summary>As <see cref="Rejects"/>, and the exception's key is <paramref name="key"/> and the message quotes it.</summary>
    public static WeightsException RejectsKey(byte[] file, string key, params string[] fragments)
    {
        WeightsException e = Rejects(file, fragments);
        Assert.Equal(key, e.Key);
        Assert.Contains("'" + key + "'", e.Message, StringComparison.Ordinal);
        return e;
    }

    /// <summary>Reads the header the way a caller holding only the prefix and the header bytes does.</summary>
    public static SafeTensorsHeaderInfo ParseLikeGenerator(byte[] file)
    {
        byte[] prefix = file.AsSpan(0, Math.Min(8, file.Length)).ToArray();
        int headerLength = SafeTensorsHeader.ReadHeaderLength(prefix, file.Length);
        byte[] json = file.AsSpan(8, headerLength).ToArray();
        return SafeTensorsHeader.ParseHeaderJson(json, file.Length - 8L - headerLength);
    }
}
