using Microsoft.CodeAnalysis;

namespace ConvGen.Tests.Generator;

/// <summary>CG0013, one test per limit: the span, the true size and the limit in the message.</summary>
public class LimitsDiagnosticTests
{
    private static void Expect(string markup, params string[] messageParts) =>
        DiagnosticTests.Expect(markup, "CG0013", DiagnosticSeverity.Error, messageParts);

    [Fact]
    public void InputPastTheTensorLimit() => Expect("""
        [[|Network(3, 100000, 100000)|]]
        [Conv2d(64, 3)]
        public partial class Net;
        """, "the input 3×100000×100000 has 30,000,000,000 floats", "at most 1,073,741,824 (2^30)");

    [Fact]
    public void InputOfProductPastLong() => Expect("""
        [[|Network(int.MaxValue, int.MaxValue, int.MaxValue)|]]
        [ReLU]
        public partial class Net;
        """, "the input 2147483647×2147483647×2147483647 has more than 9,223,372,036,854,775,806 floats");

    [Fact]
    public void OutputPastTheTensorLimit() => Expect("""
        [Network(1, 8, 8)]
        [[|Conv2d(int.MaxValue, 3)|]]
        public partial class Net;
        """, "Conv2d #0: its output would be 2147483647×6×6, 77,309,411,292 floats", "Use fewer output channels");

    [Fact]
    public void ConcatChannelsPastInt() => Expect("""
        [Network(1 << 30, 1, 1)]
        [Concat([|"input", "input", "input"|])]
        public partial class Net;
        """, "Concat #0: its output would be 3221225472×1×1, 3,221,225,472 floats");

    [Fact]
    public void UpsamplePastDouble() => Expect("""
        [Network(1, 8, 8)]
        [[|Upsample(ScaleFactor = 1e300)|]]
        public partial class Net;
        """, "its output would be 1×8e+300×8e+300, more than 1.8e+308 floats");

    [Fact]
    public void PaddedExtentPastTheLimit() => Expect("""
        [Network(1, 8, 8)]
        [Conv2d(8, 3, [|Padding = int.MaxValue|])]
        public partial class Net;
        """, "Conv2d #0: the 8×8 input with its padding spans 4294967302 positions along one axis", "at most 1,073,741,824 (2^30)", "Use less padding");

    [Fact]
    public void TransposedExtentPastTheLimit() => Expect("""
        [Network(1, 8, 8)]
        [ConvTranspose2d(8, 3, [|Stride = int.MaxValue|])]
        public partial class Net;
        """, "its output before the padding is cropped spans 15032385532 positions");

    [Fact]
    public void ParametersPastTheLimitReportedOnTheLargestLayer() => Expect("""
        [Network(1, 8, 8)]
        [Flatten, Linear(16), [|Linear(1 << 25)|]]
        public partial class Net;
        """, "Network 'Net' has 570,426,384 parameters (2.1 GiB)", "at most 536,870,912 (2^29)", "Linear #2 has 570,425,344 of them");

    [Fact]
    public void ParameterCountPastLong() => Expect("""
        [[|Network(1 << 30, 1, 1)|]]
        [[|Conv2d(1, (1 << 29) + 1, Padding = 1 << 28)|]]
        public partial class Net;
        """, "has more than 9,223,372,036,854,775,806 parameters", "needs more than 9,223,372,036,854,775,806 floats of scratch");

    [Fact]
    public void ScratchPastTheLimitReportedOnTheNetwork() => Expect("""
        [[|Network(3, 8192, 8192)|]]
        [Conv2d(16, 3, Padding = 1), ReLU, Conv2d(3, 3, Padding = 1)]
        public partial class Net;
        """, "Network 'Net' needs 2,147,483,648 floats (8.0 GiB) of scratch per instance", "at most 1,073,741,824 (2^30, 4 GiB) per instance");
}
