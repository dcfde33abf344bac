using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace ConvGen.Benchmarks;

/// <summary>
/// Columns computed from the medians of one BenchmarkDotNet run: ConvGen/ORT, GFLOP/s and % of the single-core peak
/// (2 x the peers' MACs per time), and each case against the same case in the first (widest) job.
/// </summary>
internal abstract class MedianColumn(string name, string legend) : IColumn
{
    public string Id => GetType().Name;
    public string ColumnName => name;
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => legend;
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => Value(summary, benchmarkCase) is { } v && double.IsFinite(v) ? Format(v) : "-";

    protected abstract double? Value(Summary summary, BenchmarkCase benchmarkCase);
    protected virtual string Format(double value) => value.ToString("F2");

    protected static double? MedianNanoseconds(Summary summary, BenchmarkCase? benchmarkCase) =>
        benchmarkCase is null ? null : summary[benchmarkCase]?.ResultStatistics?.Median;

    protected static string Method(BenchmarkCase c) => c.Descriptor.WorkloadMethod.Name;
    /// <summary>The case's network (its Model parameter), or "" for a benchmark without one.</summary>
    internal static string Model(BenchmarkCase c) => c.Parameters.Items.FirstOrDefault(p => p.Name == nameof(NetworkBenchmarks.Model))?.Value as string ?? "";

    /// <summary>The case of <paramref name="method"/> on the same parameters, in the same job if there is one, else in the first job.</summary>
    protected static BenchmarkCase? Sibling(Summary summary, BenchmarkCase c, string method, bool sameJob = true)
    {
        var candidates = summary.Reports.Select(r => r.BenchmarkCase).Where(o => Method(o) == method && o.Parameters.DisplayInfo == c.Parameters.DisplayInfo).ToList();
        return (sameJob ? candidates.FirstOrDefault(o => o.Job.DisplayInfo == c.Job.DisplayInfo) : null)
            ?? candidates.FirstOrDefault(o => o.Job.DisplayInfo == summary.Reports[0].BenchmarkCase.Job.DisplayInfo);
    }
}

internal sealed class RatioToOrtColumn() : MedianColumn("ConvGen/ORT", "ConvGen's median over ORT's median, same network (same job, or ORT's in the first job)")
{
    protected override double? Value(Summary summary, BenchmarkCase c) =>
        Method(c) == nameof(NetworkBenchmarks.ConvGen) ? MedianNanoseconds(summary, c) / MedianNanoseconds(summary, Sibling(summary, c, nameof(NetworkBenchmarks.OnnxRuntime))) : null;
}

internal sealed class GflopsColumn() : MedianColumn("GFLOP/s", "2 x multiply-accumulates (the peers' meta.json) per median time")
{
    protected override double? Value(Summary summary, BenchmarkCase c) =>
        Model(c) is { Length: > 0 } model ? 2.0 * PeerArtifacts.MultiplyAccumulates(model) / MedianNanoseconds(summary, c) : null;

    protected override string Format(double value) => value.ToString("F1");
}

internal sealed class PercentOfPeakColumn() : MedianColumn("% of peak", $"GFLOP/s over the {Timing.PeakGflops} GFLOP/s single-core FP32 peak (AVX-512 FMA)")
{
    protected override double? Value(Summary summary, BenchmarkCase c) =>
        Model(c) is { Length: > 0 } model ? 100 * 2.0 * PeerArtifacts.MultiplyAccumulates(model) / MedianNanoseconds(summary, c) / Timing.PeakGflops : null;

    protected override string Format(double value) => value.ToString("F0") + "%";
}

internal sealed class VersusFirstJobColumn() : MedianColumn("vs first job", "median over the same engine and network's median in the first job (the widest vectors)")
{
    protected override double? Value(Summary summary, BenchmarkCase c) =>
        MedianNanoseconds(summary, c) / MedianNanoseconds(summary, Sibling(summary, c, Method(c), sameJob: false));
}
