using DigitsServer;

// The Digits network (Samples/Digits: LeNet-5 trained in PyTorch) served over HTTP by ASP.NET Core.
//   dotnet run --project Samples/DigitsServer -c Release              starts the server on a free loopback port, sends
//       every kind of bad request and a bounded load test to it over real HTTP, prints throughput and latency, exits
//       (non-zero if an answer is wrong);
//   dotnet run --project Samples/DigitsServer -c Release -- --serve   keeps serving (http://127.0.0.1:5000, or --urls).
string directory = AppContext.BaseDirectory;
DigitClassifier classifier = DigitClassifier.Load(Path.Combine(directory, "lenet5.safetensors"));

if (args.Contains("--serve"))
{
    string[] serveArgs = args.Where(a => a != "--serve").ToArray();
    if (!serveArgs.Any(a => a.StartsWith("--urls", StringComparison.Ordinal)) && Environment.GetEnvironmentVariable("ASPNETCORE_URLS") is null)
        serveArgs = [.. serveArgs, "--urls", "http://127.0.0.1:5000"];
    WebApplication server = DigitsApi.Build(serveArgs, classifier);
    await server.RunAsync();
    return 0;
}

await using WebApplication app = DigitsApi.Build(["--urls", "http://127.0.0.1:0"], classifier, LogLevel.Warning);
await app.StartAsync();
string address = app.Urls.Single();
Console.WriteLine($"DigitsServer listening on {address} (self-check; `-- --serve` keeps it running)");
ExpectedAnswers expected = ExpectedAnswers.Load(directory);

const int Concurrency = 8, Requests = 6_000;
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Concurrency }) { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) };
bool ok = true;

foreach (BadRequests.Case bad in BadRequests.All(expected.Pngs[0].Png))
{
    string? problem = await BadRequests.CheckAsync(http, bad);
    Console.WriteLine($"{(problem is null ? "ok    " : "FAILED")} {bad.Name}: {problem ?? $"HTTP {(int)bad.Status}"}");
    ok &= problem is null;
}

// A short warm-up (JIT), then the measured run.
await LoadTest.RunAsync(http, expected, 1_500, Concurrency, TimeSpan.FromSeconds(60));
LoadTestReport report = await LoadTest.RunAsync(http, expected, Requests, Concurrency, TimeSpan.FromSeconds(120), () => classifier.InstancesCreated);
Console.WriteLine($"{(report.Passed ? "ok    " : "FAILED")} load test: {report}");
foreach (string example in report.FailureExamples) Console.WriteLine($"       {example}");
ok &= report.Passed;

await app.StopAsync();
return ok ? 0 : 1;
