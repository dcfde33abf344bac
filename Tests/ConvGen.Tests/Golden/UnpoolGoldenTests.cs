#pragma warning disable CG0002 // segnet_odd pools an odd size on purpose (the unpool's OutputSize restores it)
using ConvGen;

namespace ConvGen.Tests.Golden.Unpool
{
    // The compiled twins of make_golden_models.py's max-unpooling cases, declared exactly as in
    // ModelGoldenDeclarations.cs (UnpoolGoldenTests checks that the two stay equal).

    [Network(2, 9, 7)]
    [Conv2d(4, 3, Padding = 1, Name = "enc"), ReLU, MaxPool2d(2, ReturnIndices = true, Name = "pool")]
    [Conv2d(4, 3, Padding = 1, Name = "mid"), ReLU, MaxUnpool2d(2, Indices = "pool", OutputSize = new[] { 9, 7 }), Conv2d(2, 3, Padding = 1, Name = "dec")]
    public partial class SegnetOdd;

    [Network(3, 8, 6)]
    [MaxPool2d(2, ReturnIndices = true, Name = "p"), MaxUnpool2d(2, Indices = "p")]
    public partial class UnpoolTies;

    [Network(2, 7, 8)]
    [MaxPool2d(3, Stride = 2, Padding = 1, ReturnIndices = true, Name = "p"), Conv2d(2, 3, Padding = 1, Name = "c")]
    [MaxUnpool2d(3, Stride = 2, Padding = 1, Indices = "p", OutputSize = new[] { 7, 8 })]
    public partial class UnpoolOverlapping;

    [Network(2, 9, 10)]
    [MaxPool2d(2, Stride = 2, Dilation = 2, CeilMode = true, ReturnIndices = true, Name = "p")]
    [MaxUnpool2d(3, Stride = 2, Indices = "p", OutputSize = new[] { 9, 10 })]
    public partial class UnpoolDilatedCeil;

    [Network(3, 12, 8)]
    [Conv2d(28, 3, Padding = 1, Name = "enc1"), ReLU, MaxPool2d(2, ReturnIndices = true, Name = "pool1")]
    [Conv2d(28, 3, Padding = 1, Name = "enc2"), ReLU, MaxPool2d(2, ReturnIndices = true, Name = "pool2")]
    [Conv2d(28, 3, Padding = 1, Name = "mid"), ReLU, MaxUnpool2d(2, Indices = "pool2")]
    [Conv2d(28, 3, Padding = 1, Name = "dec2"), ReLU, MaxUnpool2d(2, Indices = "pool1"), Conv2d(3, 3, Padding = 1, Name = "dec1")]
    public partial class UnpoolSegnetBlocked;

    [Network(3, 9, 8)]
    [MaxPool2d(new[] { 3, 2 }, Stride = new[] { 2, 1 }, Padding = new[] { 1, 0 }, ReturnIndices = true, Name = "p")]
    [MaxUnpool2d(new[] { 3, 2 }, Stride = new[] { 2, 1 }, Padding = new[] { 1, 0 }, Indices = "p")]
    public partial class UnpoolNonsquare;

    [Network(16, 6, 10)]
    [MaxPool2d(3, Stride = 3, ReturnIndices = true, Name = "p"), Conv2d(16, 1, Name = "c")]
    [MaxUnpool2d(3, Indices = "p", OutputSize = new[] { 6, 10 })]
    public partial class UnpoolBlockedFrom;
}

namespace ConvGen.Tests.Golden
{
    using ConvGen.Tests.Golden.Unpool;

    /// <summary>
    /// MaxPool2d(ReturnIndices) + MaxUnpool2d, generated and run against PyTorch's outputs (Tests/Golden/data, written by
    /// make_golden_models.py): ties, overlapping windows (two values on one position), dilation and ceil mode, non-square
    /// kernel/stride/padding, an odd size restored by OutputSize, and two SegNet levels in the channel-blocked layout.
    /// </summary>
    public sealed class UnpoolGoldenTests
    {
        private static readonly string DataDirectory = Path.Combine(AppContext.BaseDirectory, "Golden", "data");

        private static readonly (string Name, Type Class, int[] InputShape, int[] OutputShape, Func<string, GoldenRunner> Load)[] Cases =
        [
            Case("segnet_odd", SegnetOdd.InputShape.ToArray(), SegnetOdd.OutputShape.ToArray(), SegnetOdd.Load, (n, x, y) => n.Run(x, y)),
            Case("unpool_ties", UnpoolTies.InputShape.ToArray(), UnpoolTies.OutputShape.ToArray(), UnpoolTies.Load, (n, x, y) => n.Run(x, y)),
            Case("unpool_overlapping", UnpoolOverlapping.InputShape.ToArray(), UnpoolOverlapping.OutputShape.ToArray(), UnpoolOverlapping.Load, (n, x, y) => n.Run(x, y)),
            Case("unpool_dilated_ceil", UnpoolDilatedCeil.InputShape.ToArray(), UnpoolDilatedCeil.OutputShape.ToArray(), UnpoolDilatedCeil.Load, (n, x, y) => n.Run(x, y)),
            Case("unpool_segnet_blocked", UnpoolSegnetBlocked.InputShape.ToArray(), UnpoolSegnetBlocked.OutputShape.ToArray(), UnpoolSegnetBlocked.Load, (n, x, y) => n.Run(x, y)),
            Case("unpool_nonsquare", UnpoolNonsquare.InputShape.ToArray(), UnpoolNonsquare.OutputShape.ToArray(), UnpoolNonsquare.Load, (n, x, y) => n.Run(x, y)),
            Case("unpool_blocked_from", UnpoolBlockedFrom.InputShape.ToArray(), UnpoolBlockedFrom.OutputShape.ToArray(), UnpoolBlockedFrom.Load, (n, x, y) => n.Run(x, y)),
        ];

        private static (string, Type, int[], int[], Func<string, GoldenRunner>) Case<TNet>(string name, int[] inputShape, int[] outputShape,
            Func<string, TNet> load, GoldenRun<TNet> run) => (name, typeof(TNet), inputShape, outputShape, path =>
            {
                TNet network = load(path);
                return (x, y) => run(network, x, y);
            });

        public static TheoryData<string> CaseNames()
        {
            var names = new TheoryData<string>();
            foreach (var c in Cases) names.Add(c.Name);
            return names;
        }

        [Theory]
        [MemberData(nameof(CaseNames))]
        public void MatchesPyTorch(string name)
        {
            var c = Cases.Single(c => c.Name == name);
            byte[] io = File.ReadAllBytes(Path.Combine(DataDirectory, name + ".io.safetensors"));
            // The shapes the generator inferred must be PyTorch's (the reader checks them).
            float[] input = TinySafeTensors.ReadFloat32(io, "input", c.InputShape);
            float[] expected = TinySafeTensors.ReadFloat32(io, "output", c.OutputShape);

            GoldenRunner run = c.Load(Path.Combine(DataDirectory, name + ".safetensors"));
            float[] actual = new float[expected.Length];
            Array.Fill(actual, float.NaN);
            run(input, actual);
            GoldenTests.AssertClose(name, expected, actual, c.OutputShape);

            // The scratch arena holds the indices between pool and unpool: a second run over it gives the same bits.
            float[] again = new float[expected.Length];
            run(input, again);
            Assert.Equal(actual.Select(BitConverter.SingleToInt32Bits), again.Select(BitConverter.SingleToInt32Bits));

            long before = GC.GetAllocatedBytesForCurrentThread();
            run(input, again);
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        /// <summary>The compiled twins are the declarations the analysis tests read, attribute for attribute.</summary>
        [Fact]
        public void TwinsAreTheManifestDeclarations()
        {
            string source = File.ReadAllText(Path.Combine(SourceDirectory(), "Golden", "UnpoolGoldenTests.cs"));
            foreach (var c in Cases)
            {
                (_, string cls, string declaration) = ModelGoldenDeclarations.All.Single(d => d.Name == c.Name);
                Assert.Equal(cls, c.Class.Name);
                foreach (string line in declaration.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith('[')))
                    Assert.Contains("    " + line + "\n", source.Replace("\r\n", "\n"));
            }
        }

        private static string SourceDirectory([System.Runtime.CompilerServices.CallerFilePath] string path = "") =>
            Path.GetDirectoryName(Path.GetDirectoryName(path)!)!;
    }
}
