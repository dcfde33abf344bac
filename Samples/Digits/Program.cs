using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Digits;

// Classifies held-out MNIST digits with the LeNet-5 of LeNet5.cs, compiled by ConvGen, using weights trained in
// PyTorch (train_lenet5.py). Prints accuracy, agreement with PyTorch, per-sample latency and a few digits.
Console.OutputEncoding = Encoding.UTF8;
string dir = AppContext.BaseDirectory;
LeNet5 network = LeNet5.Load(Path.Combine(dir, "lenet5.safetensors"));
MnistDigits digits = MnistDigits.Read(Path.Combine(dir, "test-digits.bin.gz"));
string pytorchPredictions = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "test-digits.expected.json")))
    .RootElement.GetProperty("predicted_all").GetString()!;

Console.WriteLine($"LeNet-5: {LeNet5.ParameterCount:N0} parameters, {LeNet5.MultiplyAccumulates:N0} multiply-accumulates per digit, {LeNet5.ScratchBytes:N0} bytes of scratch");

// Normalise every digit once, so the timing below measures the network only.
float[] inputs = new float[digits.Count * LeNet5.InputLength];
for (int i = 0; i < digits.Count; i++) digits.Normalize(i, inputs.AsSpan(i * LeNet5.InputLength, LeNet5.InputLength));

float[] logits = new float[LeNet5.OutputLength];
int[] predicted = new int[digits.Count];
int correct = 0, agree = 0;
for (int i = 0; i < digits.Count; i++)
{
    network.Run(inputs.AsSpan(i * LeNet5.InputLength, LeNet5.InputLength), logits);
    predicted[i] = ArgMax(logits);
    if (predicted[i] == digits.Labels[i]) correct++;
    if (predicted[i] == pytorchPredictions[i] - '0') agree++;
}
double accuracy = (double)correct / digits.Count;
Console.WriteLine($"Accuracy on {digits.Count:N0} held-out digits: {accuracy:P2} ({correct:N0} correct); same prediction as PyTorch on {agree:N0} of {digits.Count:N0}");

// Latency: one digit per Run, after warm-up; the median of 15 rounds over the whole test set.
for (int i = 0; i < 20_000; i++) network.Run(inputs.AsSpan(i % digits.Count * LeNet5.InputLength, LeNet5.InputLength), logits);
var rounds = new List<double>();
for (int round = 0; round < 15; round++)
{
    long start = Stopwatch.GetTimestamp();
    for (int i = 0; i < digits.Count; i++) network.Run(inputs.AsSpan(i * LeNet5.InputLength, LeNet5.InputLength), logits);
    rounds.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds / digits.Count);
}
rounds.Sort();
Console.WriteLine($"Latency: {rounds[rounds.Count / 2]:F2} µs per digit (median of {rounds.Count} rounds, min {rounds[0]:F2} µs), batch 1, one thread, vector width {ConvGen.Runtime.Simd.Isa.ActiveWidth} floats");
Console.WriteLine();

// A few digits as the network saw them: the first three, and the first it got wrong.
var shown = new List<int> { 0, 1, 2 };
for (int i = 0; i < digits.Count; i++) if (predicted[i] != digits.Labels[i]) { shown.Add(i); break; }
Console.WriteLine(Draw(digits, predicted, shown));
return accuracy >= 0.97 ? 0 : 1;

static int ArgMax(ReadOnlySpan<float> values)
{
    int best = 0;
    for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
    return best;
}

// Two pixel rows per text row with half blocks, digits side by side.
static string Draw(MnistDigits digits, int[] predicted, List<int> indices)
{
    var sb = new StringBuilder();
    foreach (int index in indices)
    {
        string verdict = predicted[index] == digits.Labels[index] ? "ok" : "WRONG";
        sb.Append($"#{index,-4} label {digits.Labels[index]} → {predicted[index]} {verdict}".PadRight(30));
    }
    sb.AppendLine();
    for (int row = 0; row < 28; row += 2)
    {
        foreach (int index in indices)
        {
            ReadOnlySpan<byte> image = digits.Image(index);
            sb.Append('│');
            for (int col = 0; col < 28; col++)
            {
                bool top = image[row * 28 + col] >= 96, bottom = image[(row + 1) * 28 + col] >= 96;
                sb.Append(top && bottom ? '█' : top ? '▀' : bottom ? '▄' : ' ');
            }
            sb.Append('│');
        }
        sb.AppendLine();
    }
    return sb.ToString();
}
