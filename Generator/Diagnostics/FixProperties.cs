using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace ConvGen.Generator.Diagnostics;

/// <summary>
/// How a diagnostic carries its code fixes to the code-fix provider: in <c>Diagnostic.Properties</c>, as a title and
/// a list of text edits (absolute positions in the diagnostic's file) per fix. The generator writes them, the code-fix
/// assembly (which compiles this same file) reads them, so the fix does no analysis of its own.
/// </summary>
internal static class FixProperties
{
    private const string CountKey = "ConvGen.Fixes";

    /// <summary>One fix: what the light bulb says, and the edits (start, length, replacement) it makes.</summary>
    public sealed class Fix(string title, IReadOnlyList<(int Start, int Length, string Text)> edits)
    {
        public string Title { get; } = title;
        public IReadOnlyList<(int Start, int Length, string Text)> Edits { get; } = edits;
    }

    public static ImmutableDictionary<string, string?> Encode(IReadOnlyList<Fix> fixes)
    {
        if (fixes.Count == 0) return ImmutableDictionary<string, string?>.Empty;
        ImmutableDictionary<string, string?>.Builder properties = ImmutableDictionary.CreateBuilder<string, string?>();
        properties[CountKey] = fixes.Count.ToString(CultureInfo.InvariantCulture);
        for (int i = 0; i < fixes.Count; i++)
        {
            properties[TitleKey(i)] = fixes[i].Title;
            var edits = new StringBuilder();
            // start,length,textLength:text — length-prefixed, so the replacement may hold any character.
            foreach ((int start, int length, string text) in fixes[i].Edits)
                edits.Append(start.ToString(CultureInfo.InvariantCulture)).Append(',').Append(length.ToString(CultureInfo.InvariantCulture)).Append(',')
                    .Append(text.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(text);
            properties[EditsKey(i)] = edits.ToString();
        }
        return properties.ToImmutable();
    }

    public static List<Fix> Decode(ImmutableDictionary<string, string?> properties)
    {
        var fixes = new List<Fix>();
        if (!properties.TryGetValue(CountKey, out string? countText) || !int.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out int count))
            return fixes;
        for (int i = 0; i < count; i++)
        {
            if (!properties.TryGetValue(TitleKey(i), out string? title) || title is null || !properties.TryGetValue(EditsKey(i), out string? encoded) || encoded is null)
                continue;
            var edits = new List<(int, int, string)>();
            int at = 0;
            bool valid = true;
            while (at < encoded.Length && valid)
            {
                int start = 0, length = 0, textLength = 0;
                valid = ReadInt(encoded, ref at, ',', out start) && ReadInt(encoded, ref at, ',', out length) && ReadInt(encoded, ref at, ':', out textLength)
                        && at + textLength <= encoded.Length;
                if (!valid) break;
                edits.Add((start, length, encoded.Substring(at, textLength)));
                at += textLength;
            }
            if (valid && edits.Count > 0) fixes.Add(new Fix(title, edits));
        }
        return fixes;
    }

    private static bool ReadInt(string text, ref int at, char terminator, out int value)
    {
        int end = text.IndexOf(terminator, at);
        value = 0;
        if (end < 0 || !int.TryParse(text.Substring(at, end - at), NumberStyles.None, CultureInfo.InvariantCulture, out value)) return false;
        at = end + 1;
        return true;
    }

    private static string TitleKey(int i) => "ConvGen.Fix" + i.ToString(CultureInfo.InvariantCulture) + ".Title";
    private static string EditsKey(int i) => "ConvGen.Fix" + i.ToString(CultureInfo.InvariantCulture) + ".Edits";
}
