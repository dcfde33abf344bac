using System.Net;
using System.Net.Http.Json;
using DigitsServer;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Xunit;
using Xunit.Abstractions;

namespace ConvGen.Server.Tests;

/// <summary>The Digits server on a free 127.0.0.1 port, reached with a real HttpClient over TCP.</summary>
public sealed class DigitsServerFixture : IAsyncLifetime
{
    public const int Concurrency = 8;
    public DigitClassifier Classifier { get; } = DigitClassifier.Load(Path.Combine(AppContext.BaseDirectory, "lenet5.safetensors"));
    public ExpectedAnswers Expected { get; } = ExpectedAnswers.Load(AppContext.BaseDirectory);
    public HttpClient Client { get; private set; } = null!;
    private WebApplication app = null!;

    public async Task InitializeAsync()
    {
        app = DigitsApi.Build(["--urls", "http://127.0.0.1:0"], Classifier, LogLevel.Warning);
        await app.StartAsync();
        Client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Concurrency })
        {
            BaseAddress = new Uri(app.Urls.Single()),
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

public sealed class DigitsServerTests(DigitsServerFixture server, ITestOutputHelper output) : IClassFixture<DigitsServerFixture>
{
    [Fact]
    public async Task LoadTestAnswersEveryRequestAsPyTorchDoesWithOneInstancePerConcurrentRequest()
    {
        // Warm-up (JIT) first, then a fixed number of requests within a bounded time.
        await LoadTest.RunAsync(server.Client, server.Expected, 600, DigitsServerFixture.Concurrency, TimeSpan.FromSeconds(60));
        LoadTestReport report = await LoadTest.RunAsync(server.Client, server.Expected, 3_000, DigitsServerFixture.Concurrency,
            TimeSpan.FromSeconds(90), () => server.Classifier.InstancesCreated);

        output.WriteLine($"DigitsServer load test: {report}");
        Assert.True(report.Passed, string.Join(Environment.NewLine, report.FailureExamples.Prepend(report.ToString())));
        Assert.Equal(3_000, report.Completed);
        Assert.True(report.P50Milliseconds > 0 && report.P99Milliseconds >= report.P50Milliseconds, report.ToString());
        // Clones are made for concurrency, not per request: never more than the requests in flight at once.
        Assert.InRange(server.Classifier.InstancesCreated, 1, DigitsServerFixture.Concurrency);
    }

    public static TheoryData<string> BadRequestNames() => [.. BadRequests.All(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "digits", "00.png"))).Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(BadRequestNames))]
    public async Task BadInputGetsAClearProblemResponse(string name)
    {
        BadRequests.Case bad = BadRequests.All(server.Expected.Pngs[0].Png).Single(c => c.Name == name);
        Assert.Null(await BadRequests.CheckAsync(server.Client, bad));
    }

    [Fact]
    public async Task EveryFormatOfOneDigitGetsTheSameAnswer()
    {
        // Digit 1 as JSON, as PGM, as an RGB PNG and as a greyscale PNG: one input to the network, one answer.
        var answers = new List<Classification>();
        for (int request = 3; request < 6; request++)   // 3: JSON, 4: PGM of digit 1; 5: the second PNG file, 01-rgb.png
        {
            (HttpContent content, int digit, string what) = LoadTest.Request(server.Expected, request);
            Assert.Equal(1, digit);
            answers.Add(await PostAsync(content));
        }
        answers.Add(await PostAsync(LoadTest.Bytes(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "digits", "01.png")), DigitInput.Png)));
        Assert.All(answers, a => Assert.Equal(server.Expected.Logits[1], a.Logits));
        Assert.All(answers, a => Assert.Equal(server.Expected.PyTorchPredictions[1] - '0', a.Class));
    }

    [Fact]
    public async Task PgmWithCommentsAndAnotherMaximumValueIsScaledToBytes()
    {
        // The same digit with maximum value 15 (4-bit grey) and a comment in the header: pixels scale back to 0..255.
        byte[] pixels = server.Expected.Digits.Image(0).ToArray();
        byte[] fourBit = pixels.Select(p => (byte)(p / 17)).ToArray();
        byte[] header = System.Text.Encoding.ASCII.GetBytes("P5\n# a 4-bit digit\n28 28\n15\n");
        Classification answer = await PostAsync(LoadTest.Bytes([.. header, .. fourBit], DigitInput.Pgm));
        byte[] rescaled = fourBit.Select(p => (byte)((p * 255 + 7) / 15)).ToArray();
        float[] input = new float[Digits.LeNet5.InputLength], logits = new float[Digits.LeNet5.OutputLength];
        Digits.MnistDigits.Normalize(rescaled, input);
        Digits.LeNet5.Load(Path.Combine(AppContext.BaseDirectory, "lenet5.safetensors")).Run(input, logits);
        Assert.Equal(logits, answer.Logits);
    }

    [Fact]
    public async Task RootDescribesTheNetworkAndItsFormats()
    {
        ServerInfo? info = await server.Client.GetFromJsonAsync("/", DigitsJsonContext.Default.ServerInfo);
        Assert.NotNull(info);
        Assert.Equal([1, 28, 28], info.InputShape);
        Assert.Equal([10], info.OutputShape);
        Assert.Equal(Digits.LeNet5.ParameterCount, info.Parameters);
        Assert.Equal([DigitInput.Json, DigitInput.Png, DigitInput.Pgm], info.Accepts);
    }

    private async Task<Classification> PostAsync(HttpContent content)
    {
        using HttpResponseMessage response = await server.Client.PostAsync("/classify", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync(DigitsJsonContext.Default.Classification))!;
    }
}
