// Portable: compiles under net10.0 and netstandard2.0; see SafeTensorsHeader.cs.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

#if CONVGEN_GENERATOR
namespace ConvGen.Generator.Weights;
#else
namespace ConvGen.Runtime.Weights;
#endif

/// <summary>
/// A strict recursive-descent parser for the one JSON schema a safetensors header has (RFC 8259 syntax, UTF-8
/// validated byte by byte). It knows the schema, so a value of the wrong type is reported as such ("shape must be an
/// array") rather than parsed generically; duplicate keys, unknown fields and anything after the object are errors.
/// </summary>
internal sealed class SafeTensorsHeaderJson
{
    private const string MetadataKey = "__metadata__";

    private readonly byte[] _bytes;
    private readonly int _start;
    private readonly int _end;
    private readonly long _fileOffsetOfStart;
    private readonly StringBuilder _text = new StringBuilder();
    private int _pos;

    // The tensor whose entry is being read, so that messages and WeightsException.Key name it.
    private string? _tensor;

    private SafeTensorsHeaderJson(byte[] bytes, int start, int count, long fileOffsetOfStart)
    {
        _bytes = bytes;
        _start = start;
        _end = start + count;
        _fileOffsetOfStart = fileOffsetOfStart;
        _pos = start;
    }

    public List<TensorEntry> Tensors { get; } = new List<TensorEntry>();

    public Dictionary<string, int> IndexByName { get; } = new Dictionary<string, int>(StringComparer.Ordinal);

    public Dictionary<string, string>? Metadata { get; private set; }

    private bool AtEnd => _pos >= _end;

    private long FileOffset => _fileOffsetOfStart + (_pos - _start);

    /// <summary>Parses bytes [start, start + count) of <paramref name="bytes"/>, which sit at <paramref name="fileOffsetOfStart"/> in the file.</summary>
    public static SafeTensorsHeaderJson Parse(byte[] bytes, int start, int count, long fileOffsetOfStart)
    {
        var parser = new SafeTensorsHeaderJson(bytes, start, count, fileOffsetOfStart);
        parser.ParseRoot();
        return parser;
    }

    private void ParseRoot()
    {
        SkipWhitespace();
        if (AtEnd)
        {
            throw Error(_start == _end ? "the header is empty; expected a JSON object" : "the header holds only whitespace; expected a JSON object");
        }

        if (_bytes[_pos] != (byte)'{')
        {
            throw Error("the header must be a JSON object {\"name\": {...}, ...}, found " + DescribeValue());
        }

        _pos++;
        SkipWhitespace();
        if (Peek() == '}')
        {
            _pos++;
        }
        else
        {
            while (true)
            {
                SkipWhitespace();
                if (Peek() != '"')
                {
                    throw Syntax("a tensor name in double quotes");
                }

                long keyOffset = FileOffset;
                string name = ParseString();
                SkipWhitespace();
                Expect(':', "':' after the name \"" + name + "\"");
                SkipWhitespace();
                if (name == MetadataKey)
                {
                    if (Metadata != null)
                    {
                        throw new WeightsException(At(keyOffset) + "the header has '" + MetadataKey + "' twice", MetadataKey);
                    }

                    ParseMetadata();
                }
                else
                {
                    if (IndexByName.ContainsKey(name))
                    {
                        throw new WeightsException(At(keyOffset) + "duplicate tensor '" + name + "' in the header", name);
                    }

                    _tensor = name;
                    IndexByName.Add(name, Tensors.Count);
                    Tensors.Add(ParseTensorEntry(name));
                    _tensor = null;
                }

                SkipWhitespace();
                int separator = Peek();
                if (separator == ',')
                {
                    _pos++;
                    continue;
                }

                if (separator == '}')
                {
                    _pos++;
                    break;
                }

                throw Syntax("',' or '}' after the entry of \"" + name + "\"");
            }
        }

        SkipWhitespace();
        if (!AtEnd)
        {
            throw Error("unexpected " + DescribeByte() + " after the end of the header's JSON object (only whitespace may follow it)");
        }
    }

    private TensorEntry ParseTensorEntry(string name)
    {
        if (Peek() != '{')
        {
            throw Error("tensor '" + name + "': the entry must be a JSON object with dtype, shape and data_offsets, found " + DescribeValue());
        }

        _pos++;
        TensorDType dtype = default;
        int[]? shape = null;
        long[]? offsets = null;
        bool hasDType = false;

        SkipWhitespace();
        if (Peek() == '}')
        {
            _pos++;
        }
        else
        {
            while (true)
            {
                SkipWhitespace();
                if (Peek() != '"')
                {
                    throw Syntax("a field name in double quotes");
                }

                long fieldOffset = FileOffset;
                string field = ParseString();
                SkipWhitespace();
                Expect(':', "':' after \"" + field + "\"");
                SkipWhitespace();
                switch (field)
                {
                    case "dtype":
                        if (hasDType)
                        {
                            throw DuplicateField(fieldOffset, name, field);
                        }

                        dtype = ParseDType(name);
                        hasDType = true;
                        break;
                    case "shape":
                        if (shape != null)
                        {
                            throw DuplicateField(fieldOffset, name, field);
                        }

                        shape = ToDims(name, ParseNonNegativeIntegers(name, field));
                        break;
                    case "data_offsets":
                        if (offsets != null)
                        {
                            throw DuplicateField(fieldOffset, name, field);
                        }

                        long arrayOffset = FileOffset;
                        offsets = ParseNonNegativeIntegers(name, field);
                        if (offsets.Length != 2)
                        {
                            throw new WeightsException(At(arrayOffset) + "tensor '" + name + "': data_offsets must be [begin, end], found " + offsets.Length + " number(s)", name);
                        }

                        break;
                    default:
                        throw new WeightsException(At(fieldOffset) + "tensor '" + name + "': unknown field \"" + field + "\"; an entry has exactly dtype, shape and data_offsets", name);
                }

                SkipWhitespace();
                int separator = Peek();
                if (separator == ',')
                {
                    _pos++;
                    continue;
                }

                if (separator == '}')
                {
                    _pos++;
                    break;
                }

                throw Syntax("',' or '}' after the field \"" + field + "\"");
            }
        }

        if (!hasDType || shape == null || offsets == null)
        {
            var missing = new List<string>(3);
            if (!hasDType)
            {
                missing.Add("dtype");
            }

            if (shape == null)
            {
                missing.Add("shape");
            }

            if (offsets == null)
            {
                missing.Add("data_offsets");
            }

            throw new WeightsException("tensor '" + name + "': the entry has no " + string.Join(", no ", missing.ToArray()) + " (it needs dtype, shape and data_offsets)", name);
        }

        return new TensorEntry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private TensorDType ParseDType(string name)
    {
        if (Peek() != '"')
        {
            throw Error("tensor '" + name + "': dtype must be a string such as \"F32\", found " + DescribeValue());
        }

        long offset = FileOffset;
        string text = ParseString();
        if (!TensorDTypes.TryParse(text, out TensorDType dtype))
        {
            throw new WeightsException(At(offset) + "tensor '" + name + "': unknown dtype \"" + text + "\"; safetensors dtypes are " + TensorDTypes.AllFileNames, name);
        }

        return dtype;
    }

    private static int[] ToDims(string name, long[] values)
    {
        var dims = new int[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            if (values[i] > int.MaxValue)
            {
                throw new WeightsException("tensor '" + name + "': shape dimension " + values[i] + " is larger than " + int.MaxValue, name);
            }

            dims[i] = (int)values[i];
        }

        return dims;
    }

    private long[] ParseNonNegativeIntegers(string name, string field)
    {
        if (Peek() != '[')
        {
            throw Error("tensor '" + name + "': " + field + " must be an array of non-negative integers, found " + DescribeValue());
        }

        _pos++;
        var values = new List<long>();
        SkipWhitespace();
        if (Peek() == ']')
        {
            _pos++;
            return values.ToArray();
        }

        while (true)
        {
            SkipWhitespace();
            values.Add(ParseNonNegativeInteger(name, field));
            SkipWhitespace();
            int separator = Peek();
            if (separator == ',')
            {
                _pos++;
                continue;
            }

            if (separator == ']')
            {
                _pos++;
                return values.ToArray();
            }

            throw Syntax("',' or ']' in the " + field + " array");
        }
    }

    // Lexes a whole JSON number (so that "1.5" or "-3" is reported as that number, not as a syntax error at '.'),
    // then accepts it only if it is a plain non-negative integer that fits in a long.
    private long ParseNonNegativeInteger(string name, string field)
    {
        int c = Peek();
        if (c != '-' && (c < '0' || c > '9'))
        {
            throw Error("tensor '" + name + "': " + field + " must be an array of non-negative integers, found " + DescribeValue());
        }

        long offset = FileOffset;
        int start = _pos;
        bool plain = true;
        if (c == '-')
        {
            plain = false;
            _pos++;
        }

        if (Peek() == '0')
        {
            _pos++;
            int next = Peek();
            if (next >= '0' && next <= '9')
            {
                throw Error("a number with a leading zero is not JSON");
            }
        }
        else if (!ReadDigits())
        {
            throw Syntax("a digit");
        }

        if (Peek() == '.')
        {
            plain = false;
            _pos++;
            if (!ReadDigits())
            {
                throw Syntax("a digit after the decimal point");
            }
        }

        if (Peek() == 'e' || Peek() == 'E')
        {
            plain = false;
            _pos++;
            if (Peek() == '+' || Peek() == '-')
            {
                _pos++;
            }

            if (!ReadDigits())
            {
                throw Syntax("a digit in the exponent");
            }
        }

        string token = Encoding.ASCII.GetString(_bytes, start, _pos - start);
        if (!plain)
        {
            throw new WeightsException(At(offset) + "tensor '" + name + "': " + field + " holds " + token + "; it must hold non-negative integers", name);
        }

        if (!long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out long value))
        {
            throw new WeightsException(At(offset) + "tensor '" + name + "': " + field + " holds " + token + ", which is too large", name);
        }

        return value;
    }

    private bool ReadDigits()
    {
        int first = _pos;
        while (!AtEnd && _bytes[_pos] >= (byte)'0' && _bytes[_pos] <= (byte)'9')
        {
            _pos++;
        }

        return _pos > first;
    }

    private void ParseMetadata()
    {
        if (Peek() != '{')
        {
            throw Error("'" + MetadataKey + "' must be a JSON object of strings, found " + DescribeValue(), MetadataKey);
        }

        _pos++;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        SkipWhitespace();
        if (Peek() == '}')
        {
            _pos++;
            Metadata = metadata;
            return;
        }

        while (true)
        {
            SkipWhitespace();
            if (Peek() != '"')
            {
                throw Syntax("a key in double quotes in '" + MetadataKey + "'", MetadataKey);
            }

            long keyOffset = FileOffset;
            string key = ParseString();
            SkipWhitespace();
            Expect(':', "':' after \"" + key + "\" in '" + MetadataKey + "'", MetadataKey);
            SkipWhitespace();
            if (Peek() != '"')
            {
                throw Error("'" + MetadataKey + "' value of \"" + key + "\" must be a string, found " + DescribeValue(), MetadataKey);
            }

            string value = ParseString();
            if (metadata.ContainsKey(key))
            {
                throw new WeightsException(At(keyOffset) + "'" + MetadataKey + "' has the key \"" + key + "\" twice", MetadataKey);
            }

            metadata.Add(key, value);
            SkipWhitespace();
            int separator = Peek();
            if (separator == ',')
            {
                _pos++;
                continue;
            }

            if (separator == '}')
            {
                _pos++;
                Metadata = metadata;
                return;
            }

            throw Syntax("',' or '}' in '" + MetadataKey + "'", MetadataKey);
        }
    }

    // A JSON string at _pos (which holds '"'): escapes decoded, UTF-8 validated (no overlong forms, no encoded
    // surrogates, nothing above U+10FFFF), raw control characters and unpaired \u surrogates rejected.
    private string ParseString()
    {
        _pos++;
        _text.Clear();
        while (true)
        {
            if (AtEnd)
            {
                throw Error("unterminated string: the header ends inside it");
            }

            byte b = _bytes[_pos];
            if (b == (byte)'"')
            {
                _pos++;
                return _text.ToString();
            }

            if (b == (byte)'\\')
            {
                ParseEscape();
            }
            else if (b < 0x20)
            {
                throw Error("control character 0x" + b.ToString("X2", CultureInfo.InvariantCulture) + " inside a string (JSON needs it escaped)");
            }
            else if (b < 0x80)
            {
                _text.Append((char)b);
                _pos++;
            }
            else
            {
                AppendUtf8Sequence();
            }
        }
    }

    private void ParseEscape()
    {
        _pos++;
        if (AtEnd)
        {
            throw Error("unterminated string: the header ends inside an escape sequence");
        }

        byte e = _bytes[_pos];
        switch (e)
        {
            case (byte)'"': _text.Append('"'); break;
            case (byte)'\\': _text.Append('\\'); break;
            case (byte)'/': _text.Append('/'); break;
            case (byte)'b': _text.Append('\b'); break;
            case (byte)'f': _text.Append('\f'); break;
            case (byte)'n': _text.Append('\n'); break;
            case (byte)'r': _text.Append('\r'); break;
            case (byte)'t': _text.Append('\t'); break;
            case (byte)'u':
                long escapeOffset = FileOffset - 1;
                _pos++;
                int unit = ReadHex4();
                if (unit >= 0xDC00 && unit <= 0xDFFF)
                {
                    throw new WeightsException(At(escapeOffset) + "unpaired UTF-16 low surrogate \\u" + unit.ToString("X4", CultureInfo.InvariantCulture) + " in a string", _tensor);
                }

                if (unit >= 0xD800 && unit <= 0xDBFF)
                {
                    if (_end - _pos < 2 || _bytes[_pos] != (byte)'\\' || _bytes[_pos + 1] != (byte)'u')
                    {
                        throw new WeightsException(At(escapeOffset) + "unpaired UTF-16 high surrogate \\u" + unit.ToString("X4", CultureInfo.InvariantCulture) + " in a string", _tensor);
                    }

                    _pos += 2;
                    int low = ReadHex4();
                    if (low < 0xDC00 || low > 0xDFFF)
                    {
                        throw new WeightsException(At(escapeOffset) + "UTF-16 high surrogate \\u" + unit.ToString("X4", CultureInfo.InvariantCulture)
                            + " is followed by \\u" + low.ToString("X4", CultureInfo.InvariantCulture) + ", not by a low surrogate", _tensor);
                    }

                    _text.Append((char)unit).Append((char)low);
                }
                else
                {
                    _text.Append((char)unit);
                }

                return;
            default:
                throw Error("invalid escape \\" + (e >= 0x20 && e < 0x7F ? ((char)e).ToString() : "(byte 0x" + e.ToString("X2", CultureInfo.InvariantCulture) + ")") + " in a string");
        }

        _pos++;
    }

    private int ReadHex4()
    {
        int value = 0;
        for (int i = 0; i < 4; i++)
        {
            if (AtEnd)
            {
                throw Error("unterminated string: the header ends inside a \\u escape");
            }

            int digit = HexValue(_bytes[_pos]);
            if (digit < 0)
            {
                throw Syntax("a hexadecimal digit in a \\u escape");
            }

            value = (value << 4) | digit;
            _pos++;
        }

        return value;
    }

    private static int HexValue(byte b)
    {
        if (b >= (byte)'0' && b <= (byte)'9')
        {
            return b - '0';
        }

        if (b >= (byte)'a' && b <= (byte)'f')
        {
            return b - 'a' + 10;
        }

        if (b >= (byte)'A' && b <= (byte)'F')
        {
            return b - 'A' + 10;
        }

        return -1;
    }

    // Well-formed UTF-8 per RFC 3629 / Unicode table 3-7: the allowed second byte depends on the lead byte.
    private void AppendUtf8Sequence()
    {
        byte lead = _bytes[_pos];
        int length;
        int codePoint;
        byte secondMin = 0x80;
        byte secondMax = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF)
        {
            length = 2;
            codePoint = lead & 0x1F;
        }
        else if (lead >= 0xE0 && lead <= 0xEF)
        {
            length = 3;
            codePoint = lead & 0x0F;
            if (lead == 0xE0)
            {
                secondMin = 0xA0;
            }
            else if (lead == 0xED)
            {
                secondMax = 0x9F;
            }
        }
        else if (lead >= 0xF0 && lead <= 0xF4)
        {
            length = 4;
            codePoint = lead & 0x07;
            if (lead == 0xF0)
            {
                secondMin = 0x90;
            }
            else if (lead == 0xF4)
            {
                secondMax = 0x8F;
            }
        }
        else
        {
            throw InvalidUtf8();
        }

        if (_end - _pos < length)
        {
            throw InvalidUtf8();
        }

        for (int i = 1; i < length; i++)
        {
            byte next = _bytes[_pos + i];
            byte min = i == 1 ? secondMin : (byte)0x80;
            byte max = i == 1 ? secondMax : (byte)0xBF;
            if (next < min || next > max)
            {
                throw InvalidUtf8();
            }

            codePoint = (codePoint << 6) | (next & 0x3F);
        }

        if (codePoint < 0x10000)
        {
            _text.Append((char)codePoint);
        }
        else
        {
            codePoint -= 0x10000;
            _text.Append((char)(0xD800 + (codePoint >> 10))).Append((char)(0xDC00 + (codePoint & 0x3FF)));
        }

        _pos += length;
    }

    private WeightsException InvalidUtf8()
    {
        var bytes = new StringBuilder();
        for (int i = _pos; i < _end && i < _pos + 4; i++)
        {
            bytes.Append(i == _pos ? "0x" : " 0x").Append(_bytes[i].ToString("X2", CultureInfo.InvariantCulture));
        }

        return Error("the header is not valid UTF-8 (bytes " + bytes + ")");
    }

    private void SkipWhitespace()
    {
        while (!AtEnd)
        {
            byte b = _bytes[_pos];
            if (b != (byte)' ' && b != (byte)'\t' && b != (byte)'\n' && b != (byte)'\r')
            {
                return;
            }

            _pos++;
        }
    }

    private int Peek() => AtEnd ? -1 : _bytes[_pos];

    private void Expect(char c, string what, string? key = null)
    {
        if (Peek() != c)
        {
            throw Syntax(what, key);
        }

        _pos++;
    }

    private string At(long fileOffset) => "malformed header at byte " + fileOffset + ": ";

    private WeightsException Error(string message, string? key = null)
    {
        string context = _tensor != null && !message.StartsWith("tensor '", StringComparison.Ordinal) ? " (in the entry of tensor '" + _tensor + "')" : string.Empty;
        return new WeightsException(At(FileOffset) + message + context, key ?? _tensor);
    }

    private WeightsException Syntax(string expected, string? key = null) => Error("bad JSON: expected " + expected + ", found " + DescribeByte(), key);

    private WeightsException DuplicateField(long offset, string name, string field) =>
        new WeightsException(At(offset) + "tensor '" + name + "': the entry has \"" + field + "\" twice", name);

    private string DescribeByte()
    {
        if (AtEnd)
        {
            return "the end of the header";
        }

        byte b = _bytes[_pos];
        return b >= 0x20 && b < 0x7F ? "'" + (char)b + "'" : "byte 0x" + b.ToString("X2", CultureInfo.InvariantCulture);
    }

    private string DescribeValue()
    {
        switch (Peek())
        {
            case '"': return "a string";
            case '{': return "an object";
            case '[': return "an array";
            case 't': return LiteralAhead("true") ? "true" : DescribeByte();
            case 'f': return LiteralAhead("false") ? "false" : DescribeByte();
            case 'n': return LiteralAhead("null") ? "null" : DescribeByte();
            case '-':
            case '0':
            case '1':
            case '2':
            case '3':
            case '4':
            case '5':
            case '6':
            case '7':
            case '8':
            case '9': return "a number";
            default: return DescribeByte();
        }
    }

    private bool LiteralAhead(string literal)
    {
        if (_end - _pos < literal.Length)
        {
            return false;
        }

        for (int i = 0; i < literal.Length; i++)
        {
            if (_bytes[_pos + i] != (byte)literal[i])
            {
                return false;
            }
        }

        return true;
    }
}
