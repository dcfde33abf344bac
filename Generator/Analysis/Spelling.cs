namespace ConvGen.Generator.Analysis;

/// <summary>Edit distance, for "did you mean" fixes: the nearest known option to a misspelt one.</summary>
internal static class Spelling
{
    /// <summary>
    /// The option nearest to <paramref name="text"/> (ignoring case), when it is near enough to be a misspelling: at most a
    /// third of the longer word's letters differ (at least one may). Ties go to the first option.
    /// </summary>
    public static string? Nearest(string text, IEnumerable<string> options)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string option in options)
        {
            int d = Distance(text.ToLowerInvariant(), option.ToLowerInvariant());
            if (d < bestDistance) { best = option; bestDistance = d; }
        }
        if (best is null) return null;
        int allowed = Math.Max(1, Math.Max(text.Length, best.Length) / 3);
        return bestDistance <= allowed ? best : null;
    }

    /// <summary>Levenshtein distance (insertions, deletions, substitutions).</summary>
    public static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
