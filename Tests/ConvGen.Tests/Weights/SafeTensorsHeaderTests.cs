using System.Text;
using ConvGen.Runtime.Weights;
using static ConvGen.Tests.Weights.WeightsAssert;

namespace ConvGen.Tests.Weights;

/// <summary>The header parser: the length prefix, JSON syntax and schema, UTF-8, and the layout of the data buffer.</summary>
public class SafeTensorsHeaderTests
{
    private const string EntryA = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    private static byte[] File(string json, int dataLength) => SafeTensorsWriter.Build(json, dataLength);

    /// <summary>A header with one tensor 'a' whose entry body is <paramref name="fields"/>, and 8 data bytes.</summary>
    private static byte[] WithEntry(string fields) => File("{\"a\":{" + fields + "}}", 8);

    // ---------------------------------------------------------------- the 8-byte length prefix

    [Fact]
    public void EmptyFileIsRejected()
    {
        WeightsException e = Rejects([], "empty");
        Assert.Null(e.Key);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(7)]
    public void FileShorterThanThePrefixIsRejected(int length)
    {
        Rejects(new byte[length], $"only {length} byte(s)", "8-byte");
    }

    [Fact]
    public void HeaderLengthBeyondTheFileIsRejected()
    {
        byte[] header = Encoding.UTF8.GetBytes("{" + EntryA + "}");
        byte[] file = SafeTensorsWriter.Build((ulong)header.Length + 100, header, new byte[8]);
        Rejects(file, $"truncated: header says {header.Length + 100} bytes but file has {header.Length + 8}");
    }

    [Theory]
    [InlineData(ulong.MaxValue)]
    [InlineData(1UL << 63)]
    [InlineData((ulong)int.MaxValue + 1)]
    [InlineData(100_000_001UL)]
    public void AbsurdHeaderLengthIsRejectedBeforeAnythingElse(ulong declared)
    {
        byte[] file = SafeTensorsWriter.Build(declared, Encoding.UTF8.GetBytes("{}"), []);
        Rejects(file, $"header length of {declared} bytes", "100000000-byte limit");
    }

    [Fact]
    public void HeaderLengthAtTheLimitInAShortFileIsTruncationNotAbsurd()
    {
        byte[] file = SafeTensorsWriter.Build(100_000_000UL, Encoding.UTF8.GetBytes("{}"), []);
        Rejects(file, "truncated: header says 100000000 bytes but file has 2");
    }

    [Theory]
    [InlineData(new byte[] { 0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x00, 0x08, 0, 0 }, "zip archive, as torch.save()")]
    [InlineData(new byte[] { 0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0, 0 }, "Python pickle")]
    [InlineData(new byte[] { 0x08, 0x07, 0x12, 0x07, 0x70, 0x79, 0x74, 0x6F, 0, 0 }, "ONNX")]
    public void OtherModelFormatsAreNamed(byte[] file, string hint)
    {
        Rejects(file, "not a safetensors file", hint);
    }

    [Fact]
    public void ZeroLengthHeaderIsRejected()
    {
        Rejects(File("", 0), "at byte 8", "the header is empty");
    }

    [Fact]
    public void WhitespaceOnlyHeaderIsRejected()
    {
        Rejects(File("        ", 0), "only whitespace");
    }

    [Fact]
    public void ReadHeaderLengthChecksItsArguments()
    {
        Assert.Throws<ArgumentNullException>(() => SafeTensorsHeader.ReadHeaderLength(null!, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => SafeTensorsHeader.ReadHeaderLength(new byte[8], -1));
        Assert.Throws<ArgumentException>(() => SafeTensorsHeader.ReadHeaderLength(new byte[3], 100));
        Assert.Throws<ArgumentOutOfRangeException>(() => SafeTensorsHeader.Parse(new byte[8], 9));
        Assert.Throws<ArgumentOutOfRangeException>(() => SafeTensorsHeader.ParseHeaderJson(new byte[2], 1, 2, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SafeTensorsHeader.ParseHeaderJson(new byte[2], -1));
    }

    [Fact]
    public void ParseUsesOnlyTheGivenFileLength()
    {
        byte[] file = new SafeTensorsWriter().AddF32("w", [2], [1f, 2f]).ToArray();
        byte[] pooled = [.. file, 0xEE, 0xEE, 0xEE];
        SafeTensorsHeaderInfo header = SafeTensorsHeader.Parse(pooled, file.Length);
        Assert.Equal(8, header.DataLength);
        Assert.Throws<WeightsException>(() => SafeTensorsHeader.Parse(pooled));
    }

    // ---------------------------------------------------------------- JSON syntax

    [Theory]
    [InlineData("[]", "found an array")]
    [InlineData("\"x\"", "found a string")]
    [InlineData("12", "found a number")]
    [InlineData("-1", "found a number")]
    [InlineData("null", "found null")]
    [InlineData("true", "found true")]
    [InlineData("false", "found false")]
    [InlineData("nul", "found 'n'")]
    [InlineData("\u00e9", "found byte 0xC3")]
    public void HeaderThatIsNotAnObjectIsRejected(string json, string found)
    {
        Rejects(File(json, 0), "must be a JSON object", found);
    }

    [Theory]
    [InlineData("{\"a\" {\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "expected ':' after the name \"a\", found '{'")]
    [InlineData("{,}", "expected a tensor name in double quotes, found ','")]
    [InlineData("{" + EntryA + ",}", "expected a tensor name in double quotes, found '}'")]
    [InlineData("{'a':{}}", "found '''")]
    [InlineData("{a:{}}", "found 'a'")]
    [InlineData("{/*c*/}", "found '/'")]
    [InlineData("{" + EntryA + " " + EntryA + "}", "expected ',' or '}' after the entry of \"a\", found '\"'")]
    [InlineData("{" + EntryA, "expected ',' or '}' after the entry of \"a\", found the end of the header")]
    [InlineData("{\"a", "unterminated string")]
    [InlineData("{\"a\\", "unterminated string")]
    [InlineData("{\"a\\x\":{}}", "invalid escape \\x")]
    [InlineData("{\"a\\u12G4\":{}}", "expected a hexadecimal digit in a \\u escape, found 'G'")]
    [InlineData("{\"a\\u12", "unterminated string")]
    [InlineData("{\"a\tb\":{}}", "control character 0x09")]
    [InlineData("{\"a\":{\"dtype\":\"F32\" \"shape\":[2],\"data_offsets\":[0,8]}}", "expected ',' or '}' after the field \"dtype\", found '\"'")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2 2],\"data_offsets\":[0,8]}}", "expected ',' or ']' in the shape array, found '2'")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[02],\"data_offsets\":[0,8]}}", "leading zero")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2.],\"data_offsets\":[0,8]}}", "expected a digit after the decimal point")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2e],\"data_offsets\":[0,8]}}", "expected a digit in the exponent")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[-],\"data_offsets\":[0,8]}}", "expected a digit, found ']'")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,],\"data_offsets\":[0,8]}}", "shape must be an array of non-negative integers, found ']'")]
    [InlineData("{\"a\":{dtype:\"F32\"}}", "expected a field name in double quotes, found 'd'")]
    public void MalformedJsonIsRejected(string json, string fragment)
    {
        Rejects(File(json, 8), "malformed header at byte ", fragment);
    }

    [Fact]
    public void SyntaxErrorsInsideAnEntryNameTheTensor()
    {
        WeightsException e = RejectsKey(WithEntry("\"dtype\":\"F32\",\"shape\":[2] \"data_offsets\":[0,8]"), "a", "(in the entry of tensor 'a')");
        Assert.Contains("after the field \"shape\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ErrorPositionIsTheFileOffsetOfTheOffendingByte()
    {
        string json = "{" + EntryA + " x}";
        int offending = 8 + json.IndexOf('x', StringComparison.Ordinal);
        Rejects(File(json, 8), $"malformed header at byte {offending}: bad JSON: expected ',' or '}}' after the entry of \"a\", found 'x'");
    }

    [Theory]
    [InlineData("x")]
    [InlineData("{}")]
    [InlineData("\0\0")]
    [InlineData(",")]
    public void AnythingButWhitespaceAfterTheObjectIsRejected(string trailing)
    {
        Rejects(File("{" + EntryA + "}" + trailing, 8), "after the end of the header's JSON object");
    }

    [Fact]
    public void WhitespaceAroundTokensIsAccepted()
    {
        string json = " \r\n\t{ \"a\" :\n{ \"dtype\" : \"F32\" , \"shape\" : [ 2 ] , \"data_offsets\" : [ 0 , 8 ] } \t} \n  ";
        SafeTensorsHeaderInfo header = SafeTensorsHeader.Parse(File(json, 8));
        Assert.Equal(new TensorEntry("a", TensorDType.F32, [2], 0, 8), Assert.Single(header.Tensors));
        Assert.Equal(json.Length, header.HeaderLength);
        Assert.Equal(8 + json.Length, header.DataOffset);
    }

    [Fact]
    public void EmptyObjectWithNoDataIsAValidEmptyFile()
    {
        SafeTensorsHeaderInfo header = SafeTensorsHeader.Parse(File("{}      ", 0));
        Assert.Equal(0, header.Count);
        Assert.False(header.HasMetadata);
        Assert.Empty(header.Metadata);
        Assert.Null(header.Find("a"));
        Assert.Equal(-1, header.IndexOf("a"));
    }

    // ---------------------------------------------------------------- UTF-8 and string escapes

    [Theory]
    [InlineData("C0 80")]        // overlong NUL
    [InlineData("C1 BF")]        // overlong
    [InlineData("E0 80 80")]     // overlong 3-byte
    [InlineData("E0 9F BF")]     // overlong 3-byte, top of the range
    [InlineData("ED A0 80")]     // encoded surrogate U+D800
    [InlineData("ED BF BF")]     // encoded surrogate U+DFFF
    [InlineData("F0 8F BF BF")]  // overlong 4-byte
    [InlineData("F4 90 80 80")]  // above U+10FFFF
    [InlineData("F5 80 80 80")]
    [InlineData("FF")]
    [InlineData("80")]           // stray continuation byte
    [InlineData("C3 28")]        // bad continuation
    [InlineData("E2 82")]        // sequence cut short by the closing quote
    [InlineData("F0 9F 98")]
    public void InvalidUtf8InANameIsRejected(string hex)
    {
        byte[] bad = Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));
        byte[] json = [.. Encoding.ASCII.GetBytes("{\"x"), .. bad, .. Encoding.ASCII.GetBytes("\":{}}")];
        Rejects(SafeTensorsWriter.Build(json, []), "the header is not valid UTF-8 (bytes 0x" + hex[..2]);
    }

    [Fact]
    public void InvalidUtf8AtTheVeryEndOfTheHeaderIsRejected()
    {
        byte[] json = [.. Encoding.ASCII.GetBytes("{\"x"), 0xE2, 0x82];
        Rejects(SafeTensorsWriter.Build(json, []), "not valid UTF-8");
    }

    [Theory]
    [InlineData("β.weight")]
    [InlineData("日本.bias")]
    [InlineData("😀")]
    [InlineData("\uFFFF\U0010FFFF")]
    [InlineData("quote\" back\\slash\nnew\tline\u0001")]
    [InlineData("")]
    public void NamesRoundTripInRawUtf8AndEscaped(string name)
    {
        foreach (bool escape in new[] { false, true })
        {
            byte[] file = new SafeTensorsWriter { EscapeNonAscii = escape }.AddF32(name, [1], [3f]).Metadata(name, name).ToArray();
            SafeTensorsHeaderInfo header = SafeTensorsHeader.Parse(file);
            Assert.Equal(name, Assert.Single(header.Tensors).Name);
            Assert.Equal(name, header.Metadata[name]);
        }
    }

    [Fact]
    public void AllSimpleEscapesDecode()
    {
        SafeTensorsHeaderInfo header = SafeTensorsHeader.Parse(File("{\"__metadata__\":{\"k\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\ud83d\\ude00\"}}", 0));
        Assert.Equal("\"\\/\b\f\n\r\tAé😀", header.Metadata["k"]);
    }

    [Theory]
    [InlineData("\\ud800\"", "unpaired UTF-16 high surrogate \\uD800")]
    [InlineData("\\ud800x\"", "unpaired UTF-16 high surrogate")]
    [InlineData("\\udfff\"", "unpaired UTF-16 low surrogate \\uDFFF")]
    [InlineData("\\ud800\\u0041\"", "followed by \\u0041, not by a low surrogate")]
    [InlineData("\\ud800\\ud800\"", "not by a low surrogate")]
    public void UnpairedSurrogateEscapesAreRejected(string body, string fragment)
    {
        Rejects(File("{\"x" + body + ":{}}", 0), fragment);
    }

    // ---------------------------------------------------------------- the schema of a tensor entry

    [Fact]
    public void EntryThatIsNotAnObjectIsRejected()
    {
        RejectsKey(File("{\"a\":[0,8]}", 8), "a", "tensor 'a': the entry must be a JSON object with dtype, shape and data_offsets, found an array");
    }

    [Theory]
    [InlineData("\"shape\":[2],\"data_offsets\":[0,8]", "has no dtype (it needs")]
    [InlineData("\"dtype\":\"F32\",\"data_offsets\":[0,8]", "has no shape (it needs")]
    [InlineData("\"dtype\":\"F32\",\"shape\":[2]", "has no data_offsets (it needs")]
    [InlineData("", "has no dtype, no shape, no data_offsets")]
    public void MissingFieldsAreRejected(string fields, string fragment)
    {
        RejectsKey(WithEntry(fields), "a", "tensor 'a': the entry " + fragment);
    }

    [Theory]
    [InlineData("\"offsets\":[0,8]", "unknown field \"offsets\"")]
    [InlineData("\"requires_grad\":false", "unknown field \"requires_grad\"")]
    [InlineData("\"Dtype\":\"F32\"", "unknown field \"Dtype\"")]
    public void UnknownFieldsAreRejected(string extra, string fragment)
    {
        RejectsKey(WithEntry("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]," + extra), "a", fragment, "exactly dtype, shape and data_offsets");
    }

    [Theory]
    [InlineData("\"dtype\":5,\"shape\":[2],\"data_offsets\":[0,8]", "dtype must be a string such as \"F32\", found a number")]
    [InlineData("\"dtype\":null,\"shape\":[2],\"data_offsets\":[0,8]", "dtype must be a string such as \"F32\", found null")]
    [InlineData("\"dtype\":[\"F32\"],\"shape\":[2],\"data_offsets\":[0,8]", "found an array")]
    [InlineData("\"dtype\":\"F32\",\"shape\":\"2\",\"data_offsets\":[0,8]", "shape must be an array of non-negative integers, found a string")]
    [InlineData("\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":[0,8]", "shape must be an array of non-negative integers, found a number")]
    [InlineData("\"dtype\":\"F32\",\"shape\":{},\"data_offsets\":[0,8]", "found an object")]
    [InlineData("\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]", "shape must be an array of non-negative integers, found a string")]
    [InlineData("\"dtype\":\"F32\",\"shape\":[true],\"data_offsets\":[0,8]", "found true")]
    [InlineData("\"dtype\":\"F32\",\"shape\":[[2]],\"data_offsets\":[0,8]", "found an array")]
    [InlineData("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":{\"begin\":0}", "data_offsets must be an array of non-negative integers, found an object")]
    [InlineData("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]", "data_offsets must be [begin, end], found 1 number(s)")]
    [InlineData("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[]", "found 0 number(s)")]
    [InlineData("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,8]", "found 3 number(s)")]
    [InlineData("\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]", "shape holds -2; it must hold non-negative integers")]
    [InlineData("\"dtype\":\"F32\",\"shape\":[-0],\"data_offsets\":[0,8]", "shape holds -0;")]
    [InlineData("\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]", "shape holds 2.0;")]
    [InlineData("\"dtype\":\"F32\",\"shape\":[2e0],\"data_offsets\":[0,8]", "shape holds 2e0;")]
    [InlineData("\"dtype\":\"F32\",\"shape\":[2E+0],\"data_offsets\":[0,8]", "shape holds 2E+0;")]
    [InlineData("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]", "data_offsets holds -8;")]
    [InlineData("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8.5]", "data_offsets holds 8.5;")]
    [InlineData("\"dtype\":\"F32\",\"shape\":[3000000000],\"data_offsets\":[0,8]", "shape dimension 3000000000 is larger than 2147483647")]
    [InlineData("\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,8]", "shape holds 99999999999999999999, which is too large")]
    [InlineData("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,9223372036854775808]", "data_offsets holds 9223372036854775808, which is too large")]
    public void WrongTypesAndValuesAreRejected(string fields, string fragment)
    {
        RejectsKey(WithEntry(fields), "a", fragment);
    }

    [Theory]
    [InlineData("F128")]
    [InlineData("f32")]
    [InlineData("float32")]
    [InlineData("")]
    [InlineData("F8_E4M3FN")]
    public void UnknownDTypeIsRejected(string dtype)
    {
        RejectsKey(WithEntry("\"dtype\":\"" + dtype + "\",\"shape\":[2],\"data_offsets\":[0,8]"), "a",
            "tensor 'a': unknown dtype \"" + dtype + "\"; safetensors dtypes are F64, F32, F16, BF16");
    }

    [Fact]
    public void DuplicateTensorIsRejected()
    {
        string json = "{" + EntryA + "," + EntryA + "}";
        int second = 8 + json.LastIndexOf("\"a\"", StringComparison.Ordinal);
        RejectsKey(File(json, 8), "a", $"malformed header at byte {second}: duplicate tensor 'a' in the header");
    }

    [Theory]
    [InlineData("dtype", "\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]")]
    [InlineData("shape", "\"dtype\":\"F32\",\"shape\":[2],\"shape\":[2],\"data_offsets\":[0,8]")]
    [InlineData("data_offsets", "\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"data_offsets\":[0,8]")]
    public void DuplicateFieldIsRejected(string field, string fields)
    {
        RejectsKey(WithEntry(fields), "a", "tensor 'a': the entry has \"" + field + "\" twice");
    }

    // ---------------------------------------------------------------- __metadata__

    [Fact]
    public void MetadataIsAcceptedAndExposed()
    {
        byte[] file = new SafeTensorsWriter().Metadata("format", "pt").Metadata("model", "lenet5").AddF32("w", [1], [1f]).ToArray();
        SafeTensorsHeaderInfo header = SafeTensorsHeader.Parse(file);
        Assert.True(header.HasMetadata);
        Assert.Equal(2, header.Metadata.Count);
        Assert.Equal("pt", header.Metadata["format"]);
        Assert.Equal("lenet5", header.Metadata["model"]);
        Assert.Equal(1, header.Count);
    }

    [Fact]
    public void MetadataAfterTheTensorsAndEmptyMetadataAreAccepted()
    {
        SafeTensorsHeaderInfo header = SafeTensorsHeader.Parse(File("{" + EntryA + ",\"__metadata__\":{}}", 8));
        Assert.True(header.HasMetadata);
        Assert.Empty(header.Metadata);
        Assert.Equal(1, header.Count);
    }

    [Theory]
    [InlineData("{\"__metadata__\":[]}", "'__metadata__' must be a JSON object of strings, found an array")]
    [InlineData("{\"__metadata__\":null}", "found null")]
    [InlineData("{\"__metadata__\":\"pt\"}", "found a string")]
    [InlineData("{\"__metadata__\":{\"n\":1}}", "'__metadata__' value of \"n\" must be a string, found a number")]
    [InlineData("{\"__metadata__\":{\"n\":{\"x\":\"y\"}}}", "value of \"n\" must be a string, found an object")]
    [InlineData("{\"__metadata__\":{\"n\":\"1\",\"n\":\"2\"}}", "'__metadata__' has the key \"n\" twice")]
    [InlineData("{\"__metadata__\":{},\"__metadata__\":{}}", "the header has '__metadata__' twice")]
    [InlineData("{\"__metadata__\":{\"n\":\"1\",}}", "expected a key in double quotes in '__metadata__', found '}'")]
    [InlineData("{\"__metadata__\":{\"n\" \"1\"}}", "expected ':' after \"n\" in '__metadata__'")]
    [InlineData("{\"__metadata__\":{\"n\":\"1\" \"m\":\"2\"}}", "expected ',' or '}' in '__metadata__'")]
    public void MalformedMetadataIsRejected(string json, string fragment)
    {
        RejectsKey(File(json, 0), "__metadata__", fragment);
    }

    // ---------------------------------------------------------------- layout of the data buffer

    [Fact]
    public void ReversedOffsetsAreRejected()
    {
        RejectsKey(WithEntry("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]"), "a", "tensor 'a': data_offsets [8, 0) are reversed");
    }

    [Fact]
    public void OffsetsBeyondTheDataBufferAreRejected()
    {
        RejectsKey(File("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8), "a",
            "tensor 'a': data_offsets [0, 16) beyond the data buffer of 8 bytes");
    }

    [Fact]
    public void OffsetsNearLongMaxValueAreRejectedWithoutOverflow()
    {
        RejectsKey(WithEntry("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[9223372036854775799,9223372036854775807]"), "a",
            "beyond the data buffer of 8 bytes");
    }

    [Theory]
    [InlineData("F32", "[3]", "[0,8]", "dtype F32 with shape [3] needs 12 bytes but data_offsets [0, 8) hold 8")]
    [InlineData("F16", "[2]", "[0,8]", "dtype F16 with shape [2] needs 4 bytes but data_offsets [0, 8) hold 8")]
    [InlineData("I64", "[]", "[0,4]", "dtype I64 with shape [] needs 8 bytes but data_offsets [0, 4) hold 4")]
    [InlineData("F32", "[2,0]", "[0,8]", "dtype F32 with shape [2, 0] needs 0 bytes but data_offsets [0, 8) hold 8")]
    public void SizeDifferentFromDTypeTimesElementCountIsRejected(string dtype, string shape, string offsets, string fragment)
    {
        RejectsKey(File("{\"a\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}}", 8), "a", "tensor 'a': " + fragment);
    }

    [Theory]
    [InlineData("F64", "[2147483647,2147483647,2147483647]", "has more than 9223372036854775807 elements")]
    [InlineData("F64", "[2147483647,2147483647,2]", "is too large to address")]
    [InlineData("F4", "[3]", "does not fill whole bytes (3 elements of 4 bits)")]
    [InlineData("F6_E2M3", "[5]", "does not fill whole bytes (5 elements of 6 bits)")]
    public void ImpossibleSizesAreRejected(string dtype, string shape, string fragment)
    {
        RejectsKey(File("{\"a\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[0,8]}}", 8), "a", "tensor 'a': " + dtype, fragment);
    }

    [Theory]
    [InlineData("[0,16]", "[8,24]", "tensors 'a' and 'b' overlap: data_offsets [0, 16) and [8, 24)")]
    [InlineData("[8,24]", "[0,16]", "tensors 'b' and 'a' overlap: data_offsets [0, 16) and [8, 24)")]
    [InlineData("[0,16]", "[0,16]", "tensors 'a' and 'b' overlap")]
    public void OverlappingTensorsAreRejected(string offsetsA, string offsetsB, string fragment)
    {
        string json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":" + offsetsA + "},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":" + offsetsB + "}}";
        Rejects(File(json, 24), fragment);
    }

    [Fact]
    public void EmptyTensorInsideAnotherIsAnOverlap()
    {
        string json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]}}";
        RejectsKey(File(json, 8), "e", "tensors 'a' and 'e' overlap: data_offsets [0, 8) and [4, 4)");
    }

    [Fact]
    public void GapBetweenTensorsIsRejected()
    {
        string json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]}}";
        RejectsKey(File(json, 24), "b", "bytes [8, 16) of the data buffer, between tensors 'a' and 'b', belong to no tensor");
    }

    [Fact]
    public void GapBeforeTheFirstTensorIsRejected()
    {
        RejectsKey(File("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 16), "a", "bytes [0, 8) of the data buffer, before tensor 'a', belong to no tensor");
    }

    [Fact]
    public void TrailingDataBytesAreRejected()
    {
        RejectsKey(File("{" + EntryA + "}", 12), "a", "the data buffer has 12 bytes but the last tensor, 'a', ends at byte 8; bytes [8, 12) belong to no tensor");
    }

    [Fact]
    public void DataWithNoTensorsIsRejected()
    {
        WeightsException e = Rejects(File("{}", 4), "the data buffer has 4 bytes but the header lists no tensor");
        Assert.Null(e.Key);
    }

    [Fact]
    public void HeaderOrderNeedNotBeDataOrder()
    {
        string json = "{\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        SafeTensorsHeaderInfo header = SafeTensorsHeader.Parse(File(json, 16));
        Assert.Equal(["b", "a"], header.Tensors.Select(t => t.Name));
        Assert.Equal(1, header.IndexOf("a"));
        Assert.Equal(new TensorEntry("a", TensorDType.F32, [2], 0, 8), header.Find("a"));
    }

    [Fact]
    public void EmptyAndScalarTensorsAreAccepted()
    {
        string json = "{\"z0\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},"
            + "\"s\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},"
            + "\"z1\":{\"dtype\":\"I64\",\"shape\":[3,0,2],\"data_offsets\":[4,4]},"
            + "\"z2\":{\"dtype\":\"F16\",\"shape\":[0,2147483647],\"data_offsets\":[4,4]},"
            + "\"n\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[4,12]},"
            + "\"z3\":{\"dtype\":\"BF16\",\"shape\":[0],\"data_offsets\":[12,12]}}";
        SafeTensorsHeaderInfo header = SafeTensorsHeader.Parse(File(json, 12));
        Assert.Equal(6, header.Count);
        Assert.Equal(1, header.Find("s")!.ElementCount);
        Assert.Equal(0, header.Find("z2")!.ElementCount);
        Assert.Equal("[]", header.Find("n")!.ShapeText);
        Assert.Equal("[3, 0, 2]", header.Find("z1")!.ShapeText);
    }

    [Theory]
    [InlineData("F64", 8)]
    [InlineData("F32", 4)]
    [InlineData("F16", 2)]
    [InlineData("BF16", 2)]
    [InlineData("I64", 8)]
    [InlineData("I32", 4)]
    [InlineData("I16", 2)]
    [InlineData("I8", 1)]
    [InlineData("U64", 8)]
    [InlineData("U32", 4)]
    [InlineData("U16", 2)]
    [InlineData("U8", 1)]
    [InlineData("BOOL", 1)]
    [InlineData("C64", 8)]
    [InlineData("F8_E5M2", 1)]
    [InlineData("F8_E4M3", 1)]
    [InlineData("F8_E8M0", 1)]
    public void EveryDTypeHasItsSafetensorsSize(string dtype, int bytesPerElement)
    {
        byte[] file = File("{\"a\":{\"dtype\":\"" + dtype + "\",\"shape\":[2,3],\"data_offsets\":[0," + (6 * bytesPerElement) + "]}}", 6 * bytesPerElement);
        TensorEntry entry = Assert.Single(SafeTensorsHeader.Parse(file).Tensors);
        Assert.Equal(dtype, TensorDTypes.FileName(entry.DType));
        Assert.Equal(6 * bytesPerElement, entry.ByteLength);
    }

    [Theory]
    [InlineData("F4", 4, 2)]
    [InlineData("F6_E2M3", 4, 3)]
    [InlineData("F6_E3M2", 8, 6)]
    public void SubByteDTypesPackWholeBytes(string dtype, int elements, int bytes)
    {
        byte[] file = File("{\"a\":{\"dtype\":\"" + dtype + "\",\"shape\":[" + elements + "],\"data_offsets\":[0," + bytes + "]}}", bytes);
        Assert.Equal(bytes, Assert.Single(SafeTensorsHeader.Parse(file).Tensors).ByteLength);
    }

    [Fact]
    public void DTypeNamesRoundTrip()
    {
        foreach (TensorDType dtype in Enum.GetValues<TensorDType>())
        {
            Assert.True(TensorDTypes.TryParse(TensorDTypes.FileName(dtype), out TensorDType parsed));
            Assert.Equal(dtype, parsed);
            Assert.InRange(TensorDTypes.BitSize(dtype), 4, 64);
        }

        Assert.Equal(20, Enum.GetValues<TensorDType>().Length);
    }

    // ---------------------------------------------------------------- every truncation, and random corruption

    /// <summary>A header with metadata, escapes, raw UTF-8, empty and scalar tensors, and whitespace.</summary>
    private static byte[] RichFile(out byte[] header, out byte[] data)
    {
        var writer = new SafeTensorsWriter { PadHeader = false }
            .Metadata("format", "pt").Metadata("note \"q\"", "β\\\u0001😀")
            .AddF32("conv.weight", [2, 1, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8])
            .AddF32("conv.bias", [2], [0.5f, -0.5f])
            .Add16("bn.weight", "F16", [2], [0x3C00, 0xC000])
            .Add16("bn.bias", "BF16", [2], [0x3F80, 0x0000])
            .AddI64("bn.num_batches_tracked", [], [7])
            .AddF32("ε.empty", [0, 3], [])
            .AddF32("scalar", [], [2f]);
        byte[] file = writer.ToArray();
        int headerLength = (int)BitConverter.ToUInt64(file, 0);
        header = file[8..(8 + headerLength)];
        data = file[(8 + headerLength)..];
        return file;
    }

    [Fact]
    public void TheRichFileIsValid()
    {
        SafeTensorsHeaderInfo header = SafeTensorsHeader.Parse(RichFile(out _, out _));
        Assert.Equal(7, header.Count);
        Assert.Equal("β\\\u0001😀", header.Metadata["note \"q\""]);
    }

    [Fact]
    public void EveryPrefixOfTheHeaderIsRejected()
    {
        RichFile(out byte[] header, out byte[] data);
        for (int length = 0; length < header.Length; length++)
        {
            // The prefix is consistent with the truncated header, so only the JSON itself is at fault.
            byte[] file = SafeTensorsWriter.Build(header[..length], data);
            Assert.Throws<WeightsException>(() => SafeTensorsHeader.Parse(file));
            Assert.Throws<WeightsException>(() => { SafeTensorsReader.Open(file); });
            Assert.Throws<WeightsException>(() => ParseLikeGenerator(file));
        }
    }

    [Fact]
    public void EveryTruncationOfTheFileIsRejected()
    {
        byte[] file = RichFile(out _, out _);
        for (int length = 0; length < file.Length; length++)
        {
            byte[] truncated = file[..length];
            Assert.Throws<WeightsException>(() => SafeTensorsHeader.Parse(truncated));
            Assert.Throws<WeightsException>(() => { SafeTensorsReader.Open(truncated); });
        }

        Assert.Equal(7, SafeTensorsHeader.Parse(file).Count);
    }

    [Fact]
    public void RandomCorruptionNeverThrowsAnythingButWeightsException()
    {
        byte[] original = RichFile(out byte[] header, out _);
        var random = new Random(1234);
        byte[] interesting = Encoding.ASCII.GetBytes("{}[]\",:\\u0123456789-.eE \t\nF32I64BOOL_");
        int accepted = 0;
        int rejected = 0;
        for (int iteration = 0; iteration < 4000; iteration++)
        {
            byte[] file = (byte[])original.Clone();
            int mutations = random.Next(1, 4);
            for (int m = 0; m < mutations; m++)
            {
                int position = 8 + random.Next(header.Length);
                file[position] = random.Next(3) switch
                {
                    0 => interesting[random.Next(interesting.Length)],
                    1 => (byte)random.Next(256),
                    _ => (byte)(file[position] ^ (1 << random.Next(8))),
                };
            }

            try
            {
                SafeTensorsReader reader = SafeTensorsReader.Open(file);
                foreach (TensorEntry entry in reader.Header.Tensors)
                {
                    // Whatever a corrupted-but-accepted header says, reading it must stay inside the file.
                    if (entry.DType is TensorDType.F32 or TensorDType.F16 or TensorDType.BF16)
                    {
                        Assert.Equal(entry.ElementCount, reader.ReadFloat32(entry.Name, entry.Shape).Length);
                    }
                }

                accepted++;
            }
            catch (Exception e)
            {
                Assert.IsType<WeightsException>(e);
                rejected++;
            }
        }

        // Both outcomes occur, so the loop exercised the parser rather than one early check.
        Assert.InRange(accepted, 1, 3999);
        Assert.InRange(rejected, 1, 3999);
    }
}
