namespace TextCnnSample;

/// <summary>
/// The string classes of train_textcnn.py and its generator, ported line by line (synthetic_string there is the
/// definition; Python's randint(a, b) includes b, so it is Next(a, b + 1) here). The random generator differs from
/// Python's, so these are fresh strings from the same distribution, not the training strings.
/// </summary>
public static class SyntheticStrings
{
    public static readonly string[] Classes = ["email", "url", "phone", "date", "number", "word"];

    private const string Consonants = "bcdfghjklmnprstvwz";
    private const string Vowels = "aeiou";
    private static readonly string[] Tlds = ["com", "org", "net", "io", "de", "edu"];
    private static readonly string[] Months = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

    /// <summary>One string of class <c>Classes[label]</c>.</summary>
    public static string Generate(Random rng, int label)
    {
        switch (Classes[label])
        {
            case "email":
            {
                string local = Word(rng, 1, 3);
                if (rng.NextDouble() < 0.4) local += Choice(rng, "._") + Word(rng, 1, 2);
                if (rng.NextDouble() < 0.3) local += Digits(rng, RandInt(rng, 1, 3));
                return local + "@" + Word(rng, 1, 3) + "." + Choice(rng, Tlds);
            }
            case "url":
            {
                string s = Choice(rng, ["https://", "http://", ""]) + Choice(rng, ["www.", ""]) + Word(rng, 1, 3) + "." + Choice(rng, Tlds);
                for (int i = RandInt(rng, 0, 2); i > 0; i--) s += "/" + Word(rng, 1, 2);
                return s;
            }
            case "phone":
                return RandInt(rng, 0, 6) switch
                {
                    6 => Digits(rng, 3) + " " + Digits(rng, 4),
                    0 => "+" + Digits(rng, RandInt(rng, 1, 2)) + " " + Digits(rng, 3) + "-" + Digits(rng, 3) + "-" + Digits(rng, 4),
                    1 => "(" + Digits(rng, 3) + ") " + Digits(rng, 3) + "-" + Digits(rng, 4),
                    2 => Digits(rng, 3) + "." + Digits(rng, 3) + "." + Digits(rng, 4),
                    3 => "0" + Digits(rng, 3) + " " + Digits(rng, 7),
                    4 => "+" + Digits(rng, 2) + " " + Digits(rng, 3) + " " + Digits(rng, 7),
                    _ => Digits(rng, 3) + "-" + Digits(rng, 4),
                };
            case "date":
            {
                int y = RandInt(rng, 1950, 2030), m = RandInt(rng, 1, 12), d = RandInt(rng, 1, 28);
                return RandInt(rng, 0, 5) switch
                {
                    5 => $"{d:00}-{m:00}-{y:0000}",
                    0 => $"{y:0000}-{m:00}-{d:00}",
                    1 => $"{d:00}/{m:00}/{y:0000}",
                    2 => $"{m}/{d}/{y % 100:00}",
                    3 => $"{d:00}.{m:00}.{y:0000}",
                    _ => $"{Months[m - 1]} {d} {y}",
                };
            }
            case "number":
            {
                if (rng.NextDouble() < 0.2)   // thousands separated by spaces
                {
                    string grouped = RandInt(rng, 1, 999).ToString();
                    for (int i = RandInt(rng, 1, 2); i > 0; i--) grouped += " " + Digits(rng, 3);
                    return grouped;
                }
                string s = (rng.NextDouble() < 0.3 ? "-" : "") + RandInt(rng, 1, 9) + Digits(rng, RandInt(rng, 0, 6));
                if (rng.NextDouble() < 0.5) s += "." + Digits(rng, RandInt(rng, 1, 3));
                return s;
            }
            default:
                return Word(rng, 1, 4);
        }
    }

    // lo..hi syllables: consonant + vowel, and a final consonant half of the time.
    private static string Word(Random rng, int lo, int hi)
    {
        var s = new System.Text.StringBuilder();
        for (int i = RandInt(rng, lo, hi); i > 0; i--) s.Append(Choice(rng, Consonants)).Append(Choice(rng, Vowels));
        if (rng.NextDouble() < 0.5) s.Append(Choice(rng, Consonants));
        return s.ToString();
    }

    private static string Digits(Random rng, int n)
    {
        var s = new System.Text.StringBuilder(n);
        for (int i = 0; i < n; i++) s.Append((char)('0' + rng.Next(10)));
        return s.ToString();
    }

    private static int RandInt(Random rng, int lo, int hi) => rng.Next(lo, hi + 1);   // Python's randint: both ends included
    private static char Choice(Random rng, string characters) => characters[rng.Next(characters.Length)];
    private static string Choice(Random rng, string[] options) => options[rng.Next(options.Length)];
}
