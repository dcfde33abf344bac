using System.Text;
using ConvGen.Samples;
using TextCnnSample;

// A character-level TextCNN trained in PyTorch (train_textcnn.py) tells emails, URLs, phone numbers, dates,
// numbers and words apart: classifies a few strings with their probabilities (checked against PyTorch's), then
// measures the accuracy on fresh strings generated here (SyntheticStrings.cs).
Console.OutputEncoding = Encoding.UTF8;
string dir = AppContext.BaseDirectory;
TextCnn net = TextCnn.Load(Path.Combine(dir, TextCnnData.WeightsFile));
Console.WriteLine($"TextCNN over one-hot characters, {LayerTable.Format(TextCnn.InputShape)} (alphabet × positions) → {TextCnn.OutputLength} classes: " +
    $"{TextCnn.ParameterCount:N0} parameters, {TextCnn.MultiplyAccumulates:N0} multiply-accumulates");
Console.WriteLine();

(ParityResult parity, string[] strings, float[][] probabilities, double pytorchAccuracy) = TextCnnData.CheckAgainstPyTorch(dir);
string[] classes = SyntheticStrings.Classes;
Console.WriteLine($"  {"string",-36}  {"→ class",-9} {"p",5}   {string.Join(" ", classes.Select(c => c.PadLeft(6)))}");
for (int i = 0; i < strings.Length; i++)
{
    int best = TextCnnData.ArgMax(probabilities[i]);
    Console.WriteLine($"  {strings[i],-36}  → {classes[best],-7} {probabilities[i][best],5:F3}   {string.Join(" ", probabilities[i].Select(p => p.ToString("F3").PadLeft(6)))}");
}
Console.WriteLine(parity);
Console.WriteLine();

const int Count = 3000;
(double accuracy, var mistakes) = TextCnnData.MeasureAccuracy(net, Count, seed: 7);
Console.WriteLine($"Accuracy on {Count:N0} fresh synthetic strings (500 per class): {100 * accuracy:F2}% (PyTorch, 2,000 held-out strings: {100 * pytorchAccuracy:F2}%)");
foreach ((string text, string truth, string predicted) in mistakes) Console.WriteLine($"  wrong: \"{text}\" is {truth}, predicted {predicted}");

float[] input = new float[TextCnn.InputLength], output = new float[TextCnn.OutputLength];
TextCnnData.Encode("alice@example.com", input);
double micros = Timing.MedianMicroseconds(() => net.Run(input, output));
Console.WriteLine($"Run: {micros:F1} µs median per string (batch 1, one thread)");
return parity.Passed && accuracy > 0.95 ? 0 : 1;
