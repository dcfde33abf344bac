using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

// dotnet run -c Release --project Tests/ConvGen.Benchmarks -- [--filter *] [--isa]
// --isa adds jobs that disable AVX-512 and AVX2, to compare vector widths on the same machine.
bool isa = args.Contains("--isa");
args = args.Where(a => a != "--isa").ToArray();
IConfig config = DefaultConfig.Instance;
Job baseJob = Job.Default.WithWarmupCount(5).WithIterationCount(20);
config = config.AddJob(baseJob.WithId("Vector512").AsBaseline());
if (isa)
{
    config = config.AddJob(baseJob.WithEnvironmentVariable("DOTNET_EnableAVX512", "0").WithId("Vector256"));
    config = config.AddJob(baseJob.WithEnvironmentVariable("DOTNET_EnableAVX2", "0").WithId("Vector128"));
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
