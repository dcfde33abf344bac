using System.Collections.Immutable;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Order;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace ConvGen.Benchmarks;

/// <summary>
/// Runs and lists the cases network by network (smallest first), ConvGen then ORT, widest job first, so that the two
/// engines on one network are timed minutes apart at most and each network's rows sit together.
/// </summary>
internal sealed class ByNetworkOrderer(string[] jobs) : IOrderer
{
    public bool SeparateLogicalGroups => true;

    private (int Network, int Job, int Method) Key(BenchmarkCase c) => (
        Array.IndexOf(PeerArtifacts.Models, MedianColumn.Model(c)),
        JobOrder(c.Job.ResolvedId),
        c.Descriptor.WorkloadMethod.Name == nameof(NetworkBenchmarks.ConvGen) ? 0 : 1);

    /// <summary>In the order of <paramref name="jobs"/> (Program's, widest vectors first); any other job after them.</summary>
    private int JobOrder(string id) => Array.IndexOf(jobs, id) is >= 0 and int i ? i : jobs.Length;

    public IEnumerable<BenchmarkCase> GetExecutionOrder(ImmutableArray<BenchmarkCase> benchmarksCase, IEnumerable<BenchmarkLogicalGroupRule>? order = null) =>
        benchmarksCase.OrderBy(c => Key(c));

    public IEnumerable<BenchmarkCase> GetSummaryOrder(ImmutableArray<BenchmarkCase> benchmarksCases, Summary summary) =>
        benchmarksCases.OrderBy(c => Key(c));

    public string? GetHighlightGroupKey(BenchmarkCase benchmarkCase) => null;

    public string GetLogicalGroupKey(ImmutableArray<BenchmarkCase> allBenchmarksCases, BenchmarkCase benchmarkCase) =>
        MedianColumn.Model(benchmarkCase);

    public IEnumerable<IGrouping<string, BenchmarkCase>> GetLogicalGroupOrder(IEnumerable<IGrouping<string, BenchmarkCase>> logicalGroups, IEnumerable<BenchmarkLogicalGroupRule>? order = null) =>
        logicalGroups.OrderBy(g => Array.IndexOf(PeerArtifacts.Models, g.Key));
}
