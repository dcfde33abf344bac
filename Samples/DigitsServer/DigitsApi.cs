using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Digits;

namespace DigitsServer;

/// <summary>What <c>GET /</c> answers: the network behind the API and how to call it.</summary>
public sealed record ServerInfo(string Network, int[] InputShape, int[] OutputShape, long Parameters, long MultiplyAccumulates,
    string[] Accepts, int MaxRequestBytes, int InstancesCreated);

[JsonSerializable(typeof(DigitRequest))]
[JsonSerializable(typeof(Classification))]
[JsonSerializable(typeof(ServerInfo))]
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
public sealed partial class DigitsJsonContext : JsonSerializerContext;

/// <summary>
/// The HTTP API: <c>POST /classify</c> with a digit (see <see cref="DigitInput"/> for the formats) answers
/// <c>{"class": 7, "logits": [10 floats]}</c>; <c>GET /</c> describes the network. Bad input gets an RFC 9457
/// problem response: 400 for a body that is not a digit, 413 over the size limit, 415 for another content type.
/// </summary>
public static class DigitsApi
{
    /// <summary>The largest request body: a JSON digit is about 10 KB, a 28x28 PNG well under 1 KB.</summary>
    public const int MaxRequestBytes = 64 * 1024;

    public static WebApplication Build(string[] args, DigitClassifier classifier, LogLevel minimumLogLevel = LogLevel.Information)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(args);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = MaxRequestBytes);
        builder.Logging.SetMinimumLevel(minimumLogLevel).AddFilter("Microsoft.AspNetCore", LogLevel.Warning);   // not a line per request
        builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.TypeInfoResolverChain.Insert(0, DigitsJsonContext.Default));
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton(classifier);

        WebApplication app = builder.Build();
        app.MapGet("/", (DigitClassifier classifier) => TypedResults.Ok(new ServerInfo("LeNet-5 (Samples/Digits)",
            LeNet5.InputShape.ToArray(), LeNet5.OutputShape.ToArray(), LeNet5.ParameterCount, LeNet5.MultiplyAccumulates,
            [DigitInput.Json, DigitInput.Png, DigitInput.Pgm], MaxRequestBytes, classifier.InstancesCreated)));
        app.MapPost("/classify", ClassifyAsync);
        return app;
    }

    private static async Task<IResult> ClassifyAsync(HttpRequest request, DigitClassifier classifier, CancellationToken cancellation)
    {
        string? mediaType = MediaTypeHeaderValue.TryParse(request.ContentType, out MediaTypeHeaderValue? parsed) ? parsed.MediaType : null;
        if (mediaType is not (DigitInput.Json or DigitInput.Png or DigitInput.Pgm))
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported content type",
                $"Content-Type '{request.ContentType}': send {DigitInput.Json} ({{\"input\": [784 floats]}}), {DigitInput.Png} or {DigitInput.Pgm} (a 28x28 digit)");

        byte[] body;
        try { body = await ReadBodyAsync(request, cancellation); }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Request body too large", $"the body is limited to {MaxRequestBytes:N0} bytes");
        }

        float[] input = new float[LeNet5.InputLength];
        try
        {
            switch (mediaType)
            {
                case DigitInput.Json: DigitInput.FromJson(body, input); break;
                case DigitInput.Png: DigitInput.FromPng(body, input); break;
                default: DigitInput.FromPgm(body, input); break;
            }
        }
        catch (InvalidDigitException e)
        {
            return Problem(StatusCodes.Status400BadRequest, "Not a digit the network takes", e.Message);
        }
        return TypedResults.Ok(classifier.Classify(input));
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellation)
    {
        // Kestrel enforces MaxRequestBodySize while reading (Content-Length or chunked) and throws 413 past it.
        using var buffer = new MemoryStream(request.ContentLength is > 0 and <= MaxRequestBytes ? (int)request.ContentLength : 4096);
        await request.Body.CopyToAsync(buffer, cancellation);
        return buffer.ToArray();
    }

    private static IResult Problem(int status, string title, string detail) => TypedResults.Problem(detail, statusCode: status, title: title);
}
