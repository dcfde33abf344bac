using System.Text.Json;
using ConvGen;
using ConvGen.Samples;

namespace TextCnnSample;

// A character-level TextCNN (Kim 2014) over a one-hot string: 46 characters (channels) by 32 positions. Two
// parallel Conv1d read the input, widths 3 and 5; each is ReLU'd and max-pooled over all positions
// (AdaptiveMaxPool1d(1): "is this pattern anywhere in the string?"); Concat joins the two 32-feature vectors, and a
// Linear layer and Softmax give the probabilities of the six classes. Names are train_textcnn.py's keys.
[Network(46, 32)]
[Conv1d(32, 3, Name = "conv3"), ReLU, AdaptiveMaxPool1d(1, Name = "p3")]
[Conv1d(32, 5, From = "input", Name = "conv5"), ReLU, AdaptiveMaxPool1d(1, Name = "p5")]
[Concat("p3", "p5"), Flatten, Linear(6, Name = "fc"), Softmax]
public partial class TextCnn;

/// <summary>The encoding, the data files and the checks of the sample (also run by the test suite).</summary>
public static class TextCnnData
{
    public const string WeightsFile = "textcnn.safetensors";
    public const string ReferenceFile = "textcnn.reference.json";

    /// <summary>The characters, one input channel each, as train_textcnn.py's ALPHABET.</summary>
    public const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789@.-/:+()_ ";

    /// <summary>Positions: longer strings are cut, shorter ones padded with all-zero columns.</summary>
    public const int Length = 32;

    /// <summary>
    /// One-hot encodes a string into <paramref name="input"/> ([46, 32], channels first): lower-cased, first 32
    /// characters; a character outside the alphabet, and every position past the end, is all zeros.
    /// </summary>
    public static void Encode(string text, Span<float> input)
    {
        if (input.Length != Alphabet.Length * Length) throw new ArgumentException($"the input holds {Alphabet.Length * Length} floats, not {input.Length}", nameof(input));
        input.Clear();
        string lower = text.ToLowerInvariant();
        for (int i = 0; i < Math.Min(lower.Length, Length); i++)
        {
            int k = Alphabet.IndexOf(lower[i]);
            if (k >= 0) input[k * Length + i] = 1f;
        }
    }

    /// <summary>
    /// Classifies the demo strings of textcnn.reference.json and compares the probabilities with PyTorch's. Also
    /// checks that the JSON's alphabet, length and classes are the ones this program encodes with.
    /// </summary>
    public static (ParityResult Parity, string[] Strings, float[][] Probabilities, double HeldOutAccuracy) CheckAgainstPyTorch(string directory)
    {
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, ReferenceFile)));
        JsonElement root = json.RootElement;
        string[] classes = root.GetProperty("classes").EnumerateArray().Select(c => c.GetString()!).ToArray();
        if (root.GetProperty("alphabet").GetString() != Alphabet || root.GetProperty("length").GetInt32() != Length || !classes.SequenceEqual(SyntheticStrings.Classes))
            throw new InvalidDataException($"{ReferenceFile}: the alphabet, length or classes differ from the ones this program encodes with");
        string[] strings = root.GetProperty("strings").EnumerateArray().Select(s => s.GetString()!).ToArray();
        float[][] expected = root.GetProperty("probabilities").EnumerateArray().Select(r => r.EnumerateArray().Select(p => p.GetSingle()).ToArray()).ToArray();

        TextCnn net = TextCnn.Load(Path.Combine(directory, WeightsFile));
        float[] input = new float[TextCnn.InputLength];
        var probabilities = new float[strings.Length][];
        double maxError = 0, tolerance = double.PositiveInfinity;
        for (int i = 0; i < strings.Length; i++)
        {
            Encode(strings[i], input);
            probabilities[i] = new float[TextCnn.OutputLength];
            net.Run(input, probabilities[i]);
            maxError = Math.Max(maxError, Parity.MaxAbsError(probabilities[i], expected[i]));
            tolerance = Math.Min(tolerance, Parity.Tolerance(expected[i]));
        }
        return (new ParityResult(strings.Length, maxError, tolerance), strings, probabilities, root.GetProperty("held_out_accuracy").GetDouble());
    }

    /// <summary>Accuracy on <paramref name="count"/> fresh strings of the six classes in turn, and the first few mistakes.</summary>
    public static (double Accuracy, List<(string Text, string Truth, string Predicted)> Mistakes) MeasureAccuracy(TextCnn net, int count, int seed)
    {
        var rng = new Random(seed);
        float[] input = new float[TextCnn.InputLength], probabilities = new float[TextCnn.OutputLength];
        var mistakes = new List<(string, string, string)>();
        int correct = 0;
        for (int n = 0; n < count; n++)
        {
            int label = n % SyntheticStrings.Classes.Length;
            string text = SyntheticStrings.Generate(rng, label);
            Encode(text, input);
            net.Run(input, probabilities);
            int predicted = ArgMax(probabilities);
            if (predicted == label) correct++;
            else if (mistakes.Count < 5) mistakes.Add((text, SyntheticStrings.Classes[label], SyntheticStrings.Classes[predicted]));
        }
        return ((double)correct / count, mistakes);
    }

    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }
}
