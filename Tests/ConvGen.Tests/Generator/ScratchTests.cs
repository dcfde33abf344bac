namespace ConvGen.Tests.Generator;

public class ScratchTests
{
    [Fact]
    public void Dump()
    {
        var r = GeneratorHarness.Run("""
using ConvGen;
namespace Demo;
[Network(1, 28, 28)]
[Conv2d(6, 5, Padding = 2), ReLU, MaxPool2d(2)]
[Conv2d(16, 5), ReLU, MaxPool2d(2)]
[Flatten, Linear(120), ReLU, Linear(84), ReLU, Linear(10)]
public partial class LeNet5;
""");
        File.WriteAllText("/tmp/lenet5.g.cs", r.GeneratedText ?? "<none>");
        File.WriteAllText("/tmp/lenet5.diags.txt", string.Join("\n", r.GeneratorDiagnostics.Concat(r.CompilationDiagnostics)));
    }
}
