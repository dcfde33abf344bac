// Runs every [IsaCheck] method in this assembly against the naive references, through the public dispatching
// entry points, so the vector width this process picked (see DOTNET_EnableAVX512 / DOTNET_EnableAVX2 /
// DOTNET_EnableHWIntrinsic) is the one tested. Prints "width=N", one line per check, and exits 1 on any failure.
// Usage: dotnet ConvGen.IsaCheck.dll [name-substring ...]
using ConvGen.IsaCheck;
using ConvGen.Runtime.Simd;

Console.WriteLine($"width={Isa.ActiveWidth}");
int failed = 0, run = 0;
foreach (RegisteredCheck check in CheckRegistry.Discover(typeof(CheckRegistry).Assembly))
{
    if (args.Length > 0 && !args.Any(a => check.Name.Contains(a, StringComparison.OrdinalIgnoreCase))) continue;
    run++;
    CheckResult result = check.Run();
    if (!result.Passed) failed++;
    Console.WriteLine(result.ToString());
}

Console.WriteLine($"{run - failed} of {run} checks passed");
return failed == 0 && run > 0 ? 0 : 1;
