using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Xunit.Abstractions;

namespace ConvGen.Tests.Generator;

/// <summary>
/// Absurd but well-typed declarations: extreme kernels, strides, paddings, dilations, channels, features, input
/// sizes, scale factors, infinities and NaN, Concat channel sums, parameter counts and scratch. Each must end in
/// the expected error diagnostic (never a generator exception, CS8785) or compile, with no error, to code whose
/// output shape is PyTorch's (checked with torch 1.13 on the meta device: <c>Tests/Golden/absurd_shapes.py</c>).
/// Every message must print true numbers (no wrapped negative ones) and the generator must answer in well under a
/// second: the bound asserted is 1 s of the generator's own time after a warm-up (measured figures are printed;
/// they are milliseconds).
/// </summary>
public class AbsurdDeclarationTests(ITestOutputHelper output)
{
    private const string Max = "int.MaxValue";

    /// <summary>(declaration, expected): a diagnostic id, or the output shape as PyTorch gives it ("8×1×1").</summary>
    public static TheoryData<string, string> Cases => new()
    {
        // Input sizes.
        { "[Network(3, 100000, 100000)] [Conv2d(64, 3)]", "CG0013" },
        { $"[Network({Max}, {Max}, {Max})] [ReLU]", "CG0013" },
        { $"[Network(1, 1, {Max})] [ReLU]", "CG0013" },
        { $"[Network(1, {Max})] [Conv1d(8, 3)]", "CG0013" },
        { "[Network(1, 32768, 32768)] [ReLU]", "1×32768×32768" },
        { "[Network(1, 32768, 32769)] [ReLU]", "CG0013" },
        // Channels and features.
        { $"[Network(1, 8, 8)] [Conv2d({Max}, 3)]", "CG0013" },
        { $"[Network(1, 1, 1)] [Conv2d({Max}, 1)]", "CG0013" },
        { $"[Network(1, 8, 8)] [Flatten, Linear({Max})]", "CG0013" },
        { $"[Network(1, 1, 1)] [Flatten, Linear({Max}), Linear({Max}), Linear({Max})]", "CG0013" },
        { "[Network(1, 8, 8)] [Flatten, Linear(1 << 24)]", "CG0013" },
        { "[Network(1, 1, 1)] [Flatten, Linear(1 << 20), Linear(1 << 20)]", "CG0013" },
        { "[Network(1, 1, 1)] [Flatten, Linear(1 << 29, Bias = false)]", "536870912" },
        { "[Network(1 << 30, 1, 1)] [Conv2d(1 << 30, 1, Groups = 7)]", "CG0004" },
        { "[Network(1 << 30, 1, 1)] [ChannelShuffle(7)]", "CG0004" },
        { $"[Network(8, 4, 4)] [ChannelShuffle({Max})]", "CG0004" },
        { $"[Network(8, 4, 4)] [Conv2d(8, 1, Groups = {Max})]", "CG0004" },
        { "[Network(1 << 14, 1, 1)] [Conv2d(1 << 15, 1)]", "CG0013" },
        { "[Network(1 << 14, 1, 1)] [Conv2d(1 << 14, 1, Bias = false)]", "16384×1×1" },
        { $"[Network(8, 8, 8)] [BatchNorm2d({Max})]", "CG0004" },
        { $"[Network(1, 8, 8)] [Conv2d({Max}, 8, 3)]", "CG0004" },
        // Kernels.
        { $"[Network(1, 8, 8)] [Conv2d(8, {Max})]", "CG0001" },
        { $"[Network(1, 8, 8)] [Conv2d(8, new[] {{ 1, {Max} }})]", "CG0001" },
        { $"[Network(1, 16)] [Conv1d(8, {Max})]", "CG0001" },
        { $"[Network(1, 8, 8)] [MaxPool2d({Max})]", "CG0001" },
        { $"[Network(1, 8, 8)] [AvgPool2d({Max}, Padding = (1 << 30) - 1)]", "CG0013" },
        { $"[Network(1, 8, 8)] [ConvTranspose2d(8, {Max})]", "CG0013" },
        { "[Network(1, 32768, 32768)] [Conv2d(1, 32768)]", "CG0013" },
        { "[Network(1, 32768, 32768)] [MaxPool2d(32768)]", "1×1×1" },
        { "[Network(1, 16384, 16384)] [Conv2d(1, 16383, Stride = 2)]", "1×1×1" },
        // Strides.
        { $"[Network(1, 8, 8)] [Conv2d(8, 3, Stride = {Max})]", "8×1×1" },
        { "[Network(1, 8, 8)] [Conv2d(8, 3, Stride = 50000)]", "8×1×1" },
        { $"[Network(1, 8, 8)] [Conv2d(8, 3, Stride = new[] {{ {Max}, 1 }})]", "8×1×6" },
        { $"[Network(1, 16)] [Conv1d(8, 3, Stride = {Max})]", "8×1" },
        { $"[Network(1, 8, 8)] [MaxPool2d(2, Stride = {Max})]", "1×1×1" },
        { "[Network(1, 8, 8)] [MaxPool2d(3, Stride = 1 << 30, Padding = 1, CeilMode = true)]", "1×1×1" },
        { "[Network(1, 1 << 29)] [MaxPool1d(1 << 28, Stride = (1 << 28) - 1)]", "1×2" },
        { $"[Network(1, 8, 8)] [ConvTranspose2d(8, 3, Stride = {Max})]", "CG0013" },
        { "[Network(1, 1024)] [ConvTranspose1d(8, 1, Stride = 1 << 20)]", "CG0013" },
        // Padding.
        { $"[Network(1, 8, 8)] [Conv2d(8, 3, Padding = {Max})]", "CG0013" },
        { "[Network(1, 8, 8)] [Conv2d(8, 3, Padding = 1 << 20)]", "CG0013" },
        { "[Network(1, 8, 8)] [Conv2d(8, 3, Padding = 1000)]", "8×2006×2006" },
        { $"[Network(1, 8, 8)] [ZeroPad2d({Max})]", "CG0013" },
        { $"[Network(1, 8, 8)] [ReplicationPad2d(new[] {{ 0, 0, 0, {Max} }})]", "CG0013" },
        { "[Network(1, 8, 8)] [ZeroPad2d(1 << 13), Conv2d(1, 3)]", "1×16390×16390" },
        { $"[Network(1, 8, 8)] [Conv2d(8, 3, Padding = {Max}, PaddingMode = \"circular\")]", "CG0003" },
        { $"[Network(1, 8, 8)] [ConvTranspose2d(8, 3, Padding = {Max})]", "CG0001" },
        { $"[Network(1, 8, 8)] [MaxPool2d(3, Padding = {Max})]", "CG0003" },
        // Dilation.
        { $"[Network(1, 8, 8)] [Conv2d(8, 3, Dilation = {Max})]", "CG0001" },
        { $"[Network(1, 8, 8)] [MaxPool2d(3, Dilation = {Max})]", "CG0001" },
        { "[Network(1, 8, 8)] [Conv2d(8, 3, Dilation = 1 << 16, Padding = 1 << 16)]", "8×8×8" },
        { $"[Network(1, 8, 8)] [Conv2d(8, 3, Dilation = {Max}, Padding = \"same\")]", "CG0013" },
        { $"[Network(1, 8, 8)] [ConvTranspose2d(8, 3, Dilation = {Max})]", "CG0013" },
        // Scale factors and sizes.
        { "[Network(1, 8, 8)] [Upsample(ScaleFactor = double.PositiveInfinity)]", "CG0007" },
        { "[Network(1, 8, 8)] [Upsample(ScaleFactor = double.NegativeInfinity)]", "CG0007" },
        { "[Network(1, 8, 8)] [Upsample(ScaleFactor = double.NaN)]", "CG0007" },
        { "[Network(1, 8, 8)] [Upsample(ScaleFactor = 1e300)]", "CG0013" },
        { "[Network(1, 8, 8)] [Upsample(ScaleFactor = new[] { 1e300, 1.0 })]", "CG0013" },
        { "[Network(1, 8, 8)] [Upsample(ScaleFactor = 1e-300)]", "CG0001" },
        { $"[Network(1, 8, 8)] [Upsample(Size = {Max})]", "CG0013" },
        { "[Network(1, 8, 8)] [Upsample(ScaleFactor = 4096)]", "1×32768×32768" },
        { $"[Network(1, 8, 8)] [AdaptiveAvgPool2d({Max})]", "CG0013" },
        { "[Network(1, 1, 8)] [AdaptiveAvgPool2d(new[] { 1, 1 << 29 })]", "1×1×536870912" },
        // Infinities and NaN.
        { "[Network(1, 8, 8)] [BatchNorm2d(Eps = double.PositiveInfinity)]", "1×8×8" },
        { "[Network(1, 8, 8)] [Conv2d(8, 3), BatchNorm2d(8, Eps = double.PositiveInfinity)]", "8×6×6" },
        { "[Network(1, 8, 8)] [BatchNorm2d(Eps = double.NaN)]", "CG0007" },
        { "[Network(1, 8, 8)] [LeakyReLU(double.PositiveInfinity)]", "1×8×8" },
        { "[Network(1, 8, 8)] [LeakyReLU(double.NaN)]", "CG0007" },
        { "[Network(1, 8, 8)] [Dropout(double.PositiveInfinity)]", "CG0007" },
        { "[Network(1, 8, 8)] [Softmax(Dim = int.MinValue)]", "CG0007" },
        { $"[Network(1, 8, 8)] [Flatten(StartDim = {Max})]", "CG0007" },
        // Concat channel sums.
        { "[Network(1 << 30, 1, 1)] [Concat(\"input\", \"input\", \"input\")]", "CG0013" },
        { "[Network(1 << 29, 1, 1)] [Concat(\"input\", \"input\")]", "1073741824×1×1" },
        // Scratch per instance.
        { "[Network(64, 4096, 4096)] [Conv2d(64, 3, Padding = 1), ReLU, Conv2d(64, 3, Padding = 1)]", "CG0013" },
        { "[Network(3, 8192, 8192)] [Conv2d(16, 3, Padding = 1), ReLU, Conv2d(3, 3, Padding = 1)]", "CG0013" },
    };

    private static readonly Lazy<bool> WarmUp = new(() =>
    {
        GeneratorHarness.Run("using ConvGen;\n[Network(1, 8, 8)] [Conv2d(8, 3), ReLU, Flatten, Linear(10)] public partial class Net;");
        return true;
    });

    [Theory]
    [MemberData(nameof(Cases))]
    public void EndsInADiagnosticOrCompilesWithPyTorchsShape(string declaration, string expected)
    {
        _ = WarmUp.Value;
        GeneratorHarness.Result result = GeneratorHarness.Run("using ConvGen;\n" + declaration + " public partial class Net;");
        TimeSpan elapsed = result.GeneratorTime;
        var reported = result.Reported().ToList();
        var errors = result.CompilationDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        string? shape = result.GeneratedText is { } text ? Regex.Match(text, @"OutputShape => new int\[\] \{ ([^}]*) \}").Groups[1].Value.Replace(", ", "×") : null;
        string outcome = result.GeneratorDiagnostics.Any(d => d.Id is "CS8784" or "CS8785") ? "crash"
            : errors.Any(d => d.Id.StartsWith("CG", StringComparison.Ordinal)) ? "diagnostic " + string.Join(",", errors.Select(d => d.Id).Distinct())
            : errors.Count > 0 ? "uncompilable " + shape
            : "compiles " + shape;
        output.WriteLine($"{elapsed.TotalMilliseconds:F1} ms | {outcome} | expected {expected} | {declaration}");
        foreach (Diagnostic d in reported) output.WriteLine("  " + d);

        Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id is "CS8784" or "CS8785");
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"the generator took {elapsed.TotalMilliseconds:F0} ms");
        // True numbers: the only negative ones a message may print are -1 (the last dimension) and int.MinValue where it was written.
        foreach (Diagnostic d in reported)
            foreach (Match m in Regex.Matches(d.GetMessage(), @"(?<![\w.])-\d+"))
                Assert.True(m.Value == "-1" || (m.Value == "-2147483648" && declaration.Contains("int.MinValue")),
                    $"a message prints {m.Value}: {d.GetMessage()}");

        if (expected.StartsWith("CG", StringComparison.Ordinal))
        {
            Assert.True(reported.Any(d => d.Id == expected && d.Severity == DiagnosticSeverity.Error),
                $"expected error {expected}; got: {string.Join("\n", reported)}");
            Assert.Null(result.GeneratedText);
            return;
        }
        Assert.True(errors.Count == 0, $"expected code with output {expected}; got: {string.Join("\n", errors.Take(5))}");
        Assert.NotNull(result.GeneratedText);
        string dims = string.Join(", ", expected.Split('×'));
        Assert.Contains($"OutputShape => new int[] {{ {dims} }};", result.GeneratedText);
    }
}
