using System.Runtime.CompilerServices;
using System.Diagnostics;
using System.Text.Json;
using Consumer;
using ConvGen.Samples;
using Digits;

// A new user's program against the packed ConvGen package (Tests/Consumer/run.sh builds it with the JIT and as a
// NativeAOT binary and runs both). Every check prints one line and the exit code is non-zero if any fails; the last
// line is the LeNet-5 latency that run.sh compares between the two builds.
string dir = AppContext.BaseDirectory;
bool ok = true;

void Check(string what, bool passed, string detail)
{
    Console.WriteLine($"{(passed ? "ok    " : "FAILED")} {what}: {detail}");
    ok &= passed;
}

// 1. The README's LeNet-5 declaration (LeNet5.cs is copied from the README verbatim) with the Digits sample's
//    weights trained in PyTorch: logits of the first held-out digits against PyTorch's, then every prediction.
LeNet5 lenet = LeNet5.Load(Path.Combine(dir, "lenet5.safetensors"));
MnistDigits digits = MnistDigits.Read(Path.Combine(dir, "test-digits.bin.gz"));
using JsonDocument expected = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "test-digits.expected.json")));
float[] inputs = new float[digits.Count * LeNet5.InputLength];
for (int i = 0; i < digits.Count; i++) digits.Normalize(i, inputs.AsSpan(i * LeNet5.InputLength, LeNet5.InputLength));
ReadOnlySpan<float> Digit(int i) => inputs.AsSpan(i * LeNet5.InputLength, LeNet5.InputLength);

float[] logits = new float[LeNet5.OutputLength];
double worstError = 0, worstTolerance = double.PositiveInfinity;
int compared = 0;
foreach (JsonElement reference in expected.RootElement.GetProperty("first").EnumerateArray())
{
    float[] pytorch = reference.GetProperty("logits").EnumerateArray().Select(v => v.GetSingle()).ToArray();
    Array.Fill(logits, float.NaN);
    lenet.Run(Digit(reference.GetProperty("index").GetInt32()), logits);
    worstError = Math.Max(worstError, Parity.MaxAbsError(logits, pytorch));
    worstTolerance = Math.Min(worstTolerance, Parity.Tolerance(pytorch));
    compared++;
}
Check("LeNet-5 logits vs PyTorch", compared > 0 && worstError <= worstTolerance,
    $"max |error| {worstError:0.0e+00} over {compared} digits (tolerance {worstTolerance:0.0e+00})");

string pytorchPredictions = expected.RootElement.GetProperty("predicted_all").GetString()!;
int agree = 0;
for (int i = 0; i < digits.Count; i++)
{
    lenet.Run(Digit(i), logits);
    if (ArgMax(logits) == pytorchPredictions[i] - '0') agree++;
}
Check("LeNet-5 predictions vs PyTorch", agree == digits.Count && digits.Count == pytorchPredictions.Length,
    $"{agree} of {digits.Count} held-out digits classified as PyTorch does");

// 2. Embedded weights through the package's buildTransitive targets: a manifest resource, Load() with no file.
string[] resources = typeof(ResNet8).Assembly.GetManifestResourceNames();
Check("ResNet-8 weights embedded as a resource", resources.Contains("ConvGen.Weights.resnet8.safetensors"),
    $"resources: {string.Join(", ", resources)}");
ResNet8 resnet = ResNet8.Load();
Dictionary<string, SafeTensors.Tensor> io = SafeTensors.Read(Path.Combine(dir, "resnet8.io.safetensors"));
float[] probabilities = new float[ResNet8.OutputLength];
Array.Fill(probabilities, float.NaN);
resnet.Run(io["input"].Data, probabilities);
double resnetError = Parity.MaxAbsError(probabilities, io["output"].Data), resnetTolerance = Parity.Tolerance(io["output"].Data);
Check("ResNet-8 (embedded weights) vs PyTorch", resnetError <= resnetTolerance,
    $"max |error| {resnetError:0.0e+00} (tolerance {resnetTolerance:0.0e+00})");

// 3. Run allocates nothing, JIT or NativeAOT.
long before = GC.GetAllocatedBytesForCurrentThread();
for (int i = 0; i < 1000; i++) lenet.Run(Digit(i % digits.Count), logits);
long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
Check("Run allocates nothing", allocated == 0, $"{allocated} bytes over 1,000 runs");

// 4. Latency per digit, batch 1, once the JIT has settled: rounds of 300 digits until the best round has not
//    improved for 2 s (on a busy core the background tier-1 compiler can starve for seconds; at most 30 s), then
//    21 timed rounds. NativeAOT has nothing to settle. run.sh compares the two builds' fastest rounds.
const int PerRound = 300;
int roundsRun = 0;
double Round()
{
    long start = Stopwatch.GetTimestamp();
    for (int i = 0; i < PerRound; i++) lenet.Run(Digit((roundsRun * PerRound + i) % digits.Count), logits);
    roundsRun++;
    return Stopwatch.GetElapsedTime(start).TotalMicroseconds / PerRound;
}
Stopwatch settling = Stopwatch.StartNew();
double bestSoFar = double.MaxValue;
long improvedAt = 0;
while (settling.ElapsedMilliseconds < 30_000 && settling.ElapsedMilliseconds - improvedAt < 2_000)
{
    double t = Round();
    if (t < 0.98 * bestSoFar) (bestSoFar, improvedAt) = (t, settling.ElapsedMilliseconds);
}
double settledSeconds = settling.Elapsed.TotalSeconds;
double[] rounds = new double[21];
for (int round = 0; round < rounds.Length; round++) rounds[round] = Round();
Array.Sort(rounds);
string engine = RuntimeFeature.IsDynamicCodeCompiled ? "JIT" : "NativeAOT";
Console.WriteLine($"{engine}, vector width {ConvGen.Runtime.Simd.Isa.ActiveWidth} floats: LeNet-5 {rounds[rounds.Length / 2]:F2} us per digit " +
    $"(median of {rounds.Length} rounds of {PerRound}, fastest {rounds[0]:F2}; settled after {settledSeconds:F1} s)");
Console.WriteLine($"latency_us={rounds[rounds.Length / 2]:F3} fastest_us={rounds[0]:F3}");
return ok ? 0 : 1;

static int ArgMax(ReadOnlySpan<float> values)
{
    int best = 0;
    for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
    return best;
}
