using System.Net;
using System.Text;
using System.Text.Json;

namespace DigitsServer;

/// <summary>
/// Requests the server must refuse with a clear 4xx problem response, each with the status and a fragment of the
/// detail it must give. The self-check and the tests send every one.
/// </summary>
public static class BadRequests
{
    public sealed record Case(string Name, string? ContentType, byte[] Body, HttpStatusCode Status, string DetailFragment)
    {
        public override string ToString() => Name;
    }

    public static IReadOnlyList<Case> All(byte[] validPng)
    {
        static byte[] Text(string s) => Encoding.UTF8.GetBytes(s);
        string Floats(int count, string value = "0.5") => "{\"input\":[" + string.Join(",", Enumerable.Repeat(value, count)) + "]}";
        byte[] pgm30 = [.. Text("P5\n30 28\n255\n"), .. new byte[30 * 28]];
        byte[] truncatedPng = validPng[..(validPng.Length / 2)];
        byte[] widePng = (byte[])validPng.Clone();
        widePng[16 + 3] = 29;   // IHDR width, big-endian at bytes 16..19: 28 -> 29
        return
        [
            new("JSON with 783 numbers", DigitInput.Json, Text(Floats(783)), HttpStatusCode.BadRequest, "783 numbers; the network takes 784"),
            new("JSON that does not parse", DigitInput.Json, Text("{\"input\":[1,2,"), HttpStatusCode.BadRequest, "not valid JSON"),
            new("JSON without an input array", DigitInput.Json, Text("{\"pixels\":[1,2,3]}"), HttpStatusCode.BadRequest, "no \"input\" array"),
            new("JSON with a value beyond float32", DigitInput.Json, Text(Floats(784, "1e39")), HttpStatusCode.BadRequest, "finite float32"),
            new("PNG that is 29x28", DigitInput.Png, widePng, HttpStatusCode.BadRequest, "29x28"),
            new("PNG cut in half", DigitInput.Png, truncatedPng, HttpStatusCode.BadRequest, "PNG"),
            new("text sent as a PNG", DigitInput.Png, Text("hello"), HttpStatusCode.BadRequest, "no PNG signature"),
            new("PGM that is 30x28", DigitInput.Pgm, pgm30, HttpStatusCode.BadRequest, "30x28"),
            new("PGM in ASCII (P2)", DigitInput.Pgm, Text("P2\n28 28\n255\n0 0 0"), HttpStatusCode.BadRequest, "P5"),
            new("PGM with missing pixels", DigitInput.Pgm, [.. Text("P5\n28 28\n255\n"), .. new byte[700]], HttpStatusCode.BadRequest, "700 bytes of pixels"),
            new("a JPEG content type", "image/jpeg", validPng, HttpStatusCode.UnsupportedMediaType, "image/png"),
            new("no content type", null, Text(Floats(784)), HttpStatusCode.UnsupportedMediaType, "application/json"),
            new("a body over the limit", DigitInput.Json, Text(Floats(20_000)), HttpStatusCode.RequestEntityTooLarge, $"{DigitsApi.MaxRequestBytes:N0} bytes"),
        ];
    }

    /// <summary>Sends one case; null if the server answered as it must, else what it did instead.</summary>
    public static async Task<string?> CheckAsync(HttpClient client, Case bad, CancellationToken cancellation = default)
    {
        using var content = new ByteArrayContent(bad.Body);
        if (bad.ContentType is not null) content.Headers.ContentType = new(bad.ContentType);
        using HttpResponseMessage response = await client.PostAsync("/classify", content, cancellation);
        string body = await response.Content.ReadAsStringAsync(cancellation);
        if (response.StatusCode != bad.Status) return $"HTTP {(int)response.StatusCode} instead of {(int)bad.Status}: {body}";
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json") return $"content type {response.Content.Headers.ContentType} instead of application/problem+json";
        string? detail;
        try { detail = JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString(); }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException) { return $"not a problem response: {body}"; }
        if (detail is null || !detail.Contains(bad.DetailFragment, StringComparison.Ordinal)) return $"the detail does not say \"{bad.DetailFragment}\": {body}";
        return null;
    }
}
