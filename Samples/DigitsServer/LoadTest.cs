using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Digits;

namespace DigitsServer;

/// <summary>
/// What every answer must be: the held-out digits with PyTorch's predictions (test-digits.expected.json), the
/// in-process logits of each (the server runs the same compiled network, so its logits are bit-identical), and the
/// PNG files of <c>digits/</c> (made by Pillow, make_pngs.py) with the digit each shows.
/// </summary>
public sealed class ExpectedAnswers
{
    public required MnistDigits Digits { get; init; }
    public required string PyTorchPredictions { get; init; }
    public required float[][] Logits { get; init; }
    public required (int Digit, string Name, byte[] Png)[] Pngs { get; init; }

    public static ExpectedAnswers Load(string directory)
    {
        MnistDigits digits = MnistDigits.Read(Path.Combine(directory, "test-digits.bin.gz"));
        using JsonDocument expected = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, "test-digits.expected.json")));
        string predictions = expected.RootElement.GetProperty("predicted_all").GetString()!;
        LeNet5 network = LeNet5.Load(Path.Combine(directory, "lenet5.safetensors"));
        float[] input = new float[LeNet5.InputLength];
        float[][] logits = new float[digits.Count][];
        for (int i = 0; i < digits.Count; i++)
        {
            digits.Normalize(i, input);
            network.Run(input, logits[i] = new float[LeNet5.OutputLength]);
        }
        // "07.png", "01-rgb.png": the number before the first '-' is the digit's index in test-digits.bin.gz.
        var pngs = Directory.GetFiles(Path.Combine(directory, "digits"), "*.png").Order(StringComparer.Ordinal)
            .Select(path => (int.Parse(Path.GetFileNameWithoutExtension(path).Split('-')[0]), Path.GetFileName(path), File.ReadAllBytes(path)))
            .ToArray();
        if (pngs.Length == 0) throw new FileNotFoundException($"no PNG digits in {Path.Combine(directory, "digits")}");
        return new ExpectedAnswers { Digits = digits, PyTorchPredictions = predictions, Logits = logits, Pngs = pngs };
    }
}

/// <summary>The outcome of a load test: counts, failures (with the first few described), throughput and latency.</summary>
public sealed record LoadTestReport(int Requests, int Completed, int Failures, IReadOnlyList<string> FailureExamples,
    double Seconds, double P50Milliseconds, double P99Milliseconds, int Concurrency, int InstancesCreated)
{
    public bool Passed => Failures == 0 && Completed == Requests;
    public double RequestsPerSecond => Completed / Seconds;

    public override string ToString() =>
        $"{Completed:N0} of {Requests:N0} requests answered ({Failures} wrong or failed) in {Seconds:F2} s by {Concurrency} concurrent clients: " +
        $"{RequestsPerSecond:N0} requests/s, latency p50 {P50Milliseconds:F3} ms, p99 {P99Milliseconds:F3} ms; {InstancesCreated} network instances cloned";
}

/// <summary>
/// A bounded load test against a running server: a fixed number of requests from a fixed number of concurrent
/// clients over real HTTP, rotating through the three formats (JSON, PGM, PNG) and through the digits; every answer
/// is checked against PyTorch's prediction and the expected logits. It stops at the deadline whatever is left.
/// </summary>
public static class LoadTest
{
    public static async Task<LoadTestReport> RunAsync(HttpClient client, ExpectedAnswers expected, int requests, int concurrency,
        TimeSpan deadline, Func<int>? instancesCreated = null)
    {
        using var timeout = new CancellationTokenSource(deadline);
        double[] latencies = new double[requests];
        int next = -1, completed = 0, failures = 0;
        var examples = new List<string>();
        void Fail(string message)
        {
            Interlocked.Increment(ref failures);
            lock (examples) if (examples.Count < 5) examples.Add(message);
        }

        Stopwatch wall = Stopwatch.StartNew();
        async Task Client()
        {
            int request;
            while ((request = Interlocked.Increment(ref next)) < requests && !timeout.IsCancellationRequested)
            {
                (HttpContent content, int digit, string what) = Request(expected, request);
                long start = Stopwatch.GetTimestamp();
                try
                {
                    using HttpResponseMessage response = await client.PostAsync("/classify", content, timeout.Token);
                    Classification? answer = response.StatusCode == HttpStatusCode.OK
                        ? await response.Content.ReadFromJsonAsync(DigitsJsonContext.Default.Classification, timeout.Token) : null;
                    latencies[request] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    Interlocked.Increment(ref completed);
                    if (Check(expected, digit, response.StatusCode, answer) is { } problem) Fail($"request {request} ({what}): {problem}");
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested) { return; }
                catch (HttpRequestException e) { Interlocked.Increment(ref completed); Fail($"request {request} ({what}): {e.Message}"); }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(Client)));
        wall.Stop();

        double[] answered = latencies.Where(l => l > 0).Order().ToArray();
        if (completed < requests) examples.Insert(0, $"deadline of {deadline.TotalSeconds:F0} s reached after {completed} requests");
        return new LoadTestReport(requests, completed, failures, examples, wall.Elapsed.TotalSeconds,
            Percentile(answered, 0.50), Percentile(answered, 0.99), concurrency, instancesCreated?.Invoke() ?? 0);
    }

    /// <summary>Request number <paramref name="request"/>: JSON, PGM and PNG in turn, each cycling through its digits.</summary>
    public static (HttpContent Content, int Digit, string What) Request(ExpectedAnswers expected, int request)
    {
        int round = request / 3;
        switch (request % 3)
        {
            case 0:
            {
                int digit = round % expected.Digits.Count;
                float[] input = new float[LeNet5.InputLength];
                expected.Digits.Normalize(digit, input);
                return (JsonContent.Create(new DigitRequest(input), DigitsJsonContext.Default.DigitRequest), digit, $"JSON digit {digit}");
            }
            case 1:
            {
                int digit = round % expected.Digits.Count;
                return (Bytes(DigitInput.ToPgm(expected.Digits.Image(digit)), DigitInput.Pgm), digit, $"PGM digit {digit}");
            }
            default:
            {
                var (digit, name, png) = expected.Pngs[round % expected.Pngs.Length];
                return (Bytes(png, DigitInput.Png), digit, $"PNG {name}");
            }
        }
    }

    /// <summary>Null if the answer is right: HTTP 200, PyTorch's class, the expected logits bit for bit.</summary>
    public static string? Check(ExpectedAnswers expected, int digit, HttpStatusCode status, Classification? answer)
    {
        if (status != HttpStatusCode.OK || answer is null) return $"HTTP {(int)status}";
        int pytorch = expected.PyTorchPredictions[digit] - '0';
        if (answer.Class != pytorch) return $"class {answer.Class}, PyTorch says {pytorch}";
        if (!answer.Logits.AsSpan().SequenceEqual(expected.Logits[digit])) return $"logits [{string.Join(", ", answer.Logits)}] differ from [{string.Join(", ", expected.Logits[digit])}]";
        return null;
    }

    public static ByteArrayContent Bytes(byte[] body, string mediaType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
