using System.Runtime.Intrinsics;
using ConvGen.Reference;
using ConvGen.Runtime.Kernels;
using ConvGen.Runtime.Simd;
using static ConvGen.Tests.Runtime.ConvTestSupport;

namespace ConvGen.Tests.Runtime;

/// <summary>
/// Conv2d kernels at every vector width (each instantiation called directly) against the double-precision direct
/// convolution of <see cref="ConvReference"/>. Inputs sit between NaN guards (a read past a span that reaches a
/// result shows up as NaN) and outputs between sentinels (a write past a span is caught).
/// </summary>
public class ConvKernelTests
{
    public static TheoryData<string, int> NamedShapes()
    {
        var data = new TheoryData<string, int>();
        foreach ((string name, _) in ConvCases.Named)
            foreach (int width in AllWidths) data.Add(name, width);
        return data;
    }

    public static TheoryData<string, int> NamedDepthwiseShapes()
    {
        var data = new TheoryData<string, int>();
        foreach ((string name, Conv2dGeometry g) in ConvCases.Named)
            if (g.IsDepthwise)
                foreach (int width in AllWidths) data.Add(name, width);
        return data;
    }

    [Theory]
    [MemberData(nameof(NamedShapes))]
    public void Im2ColGemm_NamedShapes_MatchReference(string name, int width)
    {
        int index = NamedIndex(name);
        Conv2dGeometry g = ConvCases.Named[index].Geometry;
        var random = new Random(1000 + index);
        CheckIm2ColGemm(g, width, ConvReference.Epilogues[index % ConvReference.Epilogues.Length], withBias: index % 3 != 1, random, name);
    }

    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(ConvTestSupport))]
    public void Im2ColGemm_RandomGeometries_MatchReference(int width)
    {
        var random = new Random(2024);
        for (int i = 0; i < 150; i++)
        {
            Conv2dGeometry g = ConvCases.RandomGeometry(random);
            CheckIm2ColGemm(g, width, ConvReference.Epilogues[i % ConvReference.Epilogues.Length], withBias: i % 4 != 0, random,
                $"random #{i} {ConvCases.Describe(g)}");
        }
    }

    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(ConvTestSupport))]
    public void ShiftedGemm_StrideTwoColumns_MatchReference(int width)
    {
        // Column stride 2 with rows at least 16 wide: at 512 bits the columns are gathered in registers
        // (Conv2d.GathersStrideTwoColumns); the other widths run the phase planes. The VWW and MobileNetV2 stems,
        // padding on each side, odd sizes, channel counts around the 8-channel panel, output rows not a multiple of
        // 16 (one, two and three vectors per tile, the last shifted back), groups, dilation and row strides 1 to 3.
        var random = new Random(4242);
        var shapes = new List<Conv2dGeometry>
        {
            ConvCases.Geometry(3, 96, 96, 8, 3, 3, 2, 2, padBottom: 1, padRight: 1),
            ConvCases.Geometry(3, 36, 40, 32, 3, 3, 2, 2, 1, 1, 1, 1),
            ConvCases.Geometry(1, 9, 33, 1, 3, 3, 2, 2, padTop: 1),
            ConvCases.Geometry(2, 7, 35, 5, 3, 3, 2, 2, padLeft: 1),
            ConvCases.Geometry(4, 8, 63, 9, 3, 3, 2, 2, padBottom: 2, padRight: 2),
            ConvCases.Geometry(3, 11, 97, 17, 3, 3, 2, 2, 1, 1, 1, 1),
            ConvCases.Geometry(5, 6, 131, 7, 2, 5, 1, 2, 0, 2, 1, 2),
            ConvCases.Geometry(2, 13, 70, 3, 4, 4, 3, 2, 1, 3, 0, 0),
            ConvCases.Geometry(3, 10, 50, 6, 3, 3, 2, 2, 2, 2, 0, 0, dilationHeight: 2, dilationWidth: 2),
            ConvCases.Geometry(4, 6, 45, 6, 3, 1, 2, 2, 1, 0, 1, 0, groups: 2),
            ConvCases.Geometry(6, 5, 40, 12, 3, 3, 2, 2, 1, 1, 1, 1, groups: 3),
            ConvCases.Geometry(1, 3, 31, 2, 1, 3, 1, 2),
            ConvCases.Geometry(2, 2, 64, 10, 2, 2, 2, 2),
        };
        for (int i = 0; i < 30; i++)
        {
            int k = random.Next(1, 6), pl = random.Next(0, k), pr = random.Next(0, k), w = random.Next(31 - pl - pr + k, 110);
            shapes.Add(ConvCases.Geometry(random.Next(1, 6), random.Next(5, 12), w, random.Next(1, 9), random.Next(1, 5), k,
                random.Next(1, 4), 2, random.Next(0, 2), pl, random.Next(0, 2), pr));
        }

        int gathered = 0;
        for (int i = 0; i < shapes.Count; i++)
        {
            Conv2dGeometry g = shapes[i];
            if (ConvWorkspace.GathersStrideTwoColumns(g)) gathered++;
            CheckIm2ColGemm(g, width, ConvReference.Epilogues[i % ConvReference.Epilogues.Length], withBias: i % 3 != 1, random,
                $"stride-2 columns #{i} {ConvCases.Describe(g)}", Conv2d.ConvAlgorithm.Shifted);
        }

        Assert.True(gathered >= 36, $"only {gathered} geometries take the stride-2 gathers");
    }

    [Fact]
    public void GathersStrideTwoColumns_Rule()
    {
        // Stride 2 only, at most 8 output channels per group, rows at least a 512-bit vector wide, kernels up to 16
        // taps reaching 32 columns, padding no wider than the input.
        Assert.True(ConvWorkspace.GathersStrideTwoColumns(8, 96, 48, 3, 2, 0, 1));
        Assert.False(ConvWorkspace.GathersStrideTwoColumns(8, 96, 94, 3, 1, 0, 1));
        Assert.False(ConvWorkspace.GathersStrideTwoColumns(8, 96, 32, 3, 3, 0, 1));
        Assert.False(ConvWorkspace.GathersStrideTwoColumns(8, 30, 15, 3, 2, 1, 1));
        Assert.True(ConvWorkspace.GathersStrideTwoColumns(8, 31, 16, 3, 2, 1, 1));
        Assert.True(ConvWorkspace.GathersStrideTwoColumns(8, 64, 16, 16, 2, 0, 2));
        Assert.False(ConvWorkspace.GathersStrideTwoColumns(8, 64, 16, 17, 2, 0, 1));
        Assert.False(ConvWorkspace.GathersStrideTwoColumns(8, 80, 16, 3, 2, 0, 17));
        Assert.False(ConvWorkspace.GathersStrideTwoColumns(8, 8, 16, 3, 2, 10, 1));
        Assert.False(ConvWorkspace.GathersStrideTwoColumns(8, 12, 16, 3, 2, 0, 1));
        // One tile of output channels per group: the MobileNetV2 stem (32) keeps the phase planes.
        Assert.True(ConvWorkspace.GathersStrideTwoColumns(1, 96, 48, 3, 2, 0, 1));
        Assert.False(ConvWorkspace.GathersStrideTwoColumns(9, 96, 48, 3, 2, 0, 1));
        Assert.False(ConvWorkspace.GathersStrideTwoColumns(32, 224, 112, 3, 2, 1, 1));
        // The input rows one output row reads live on the stack: at most MaxGatherRows of them (channels × kernel rows).
        Assert.True(ConvWorkspace.GathersStrideTwoColumns(ConvCases.Geometry(3, 96, 96, 8, 3, 3, 2, 2, 0, 0, 1, 1)));
        Assert.True(ConvWorkspace.GathersStrideTwoColumns(ConvCases.Geometry(1024, 40, 40, 8, 1, 3, 2, 2, 0, 0, 1, 1)));
        Assert.False(ConvWorkspace.GathersStrideTwoColumns(ConvCases.Geometry(1025, 40, 40, 8, 1, 3, 2, 2, 0, 0, 1, 1)));
        Assert.False(ConvWorkspace.GathersStrideTwoColumns(ConvCases.Geometry(400, 40, 40, 8, 3, 3, 2, 2, 0, 0, 1, 1)));
    }

    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(ConvTestSupport))]
    public void Pointwise_ShapesAndGroups_MatchReference(int width)
    {
        var random = new Random(77);
        int tested = 0;
        foreach ((string name, Conv2dGeometry g) in ConvCases.Named)
        {
            if (!g.IsPointwise) continue;
            CheckPointwise(g, width, new Epilogue(ActivationKind.ReLU), withBias: true, random, name);
            tested++;
        }

        for (int i = 0; i < 60; i++)
        {
            int groups = random.Next(1, 4);
            // Spatial sizes around the vector widths, and channel counts around the 8-row panels.
            int h = random.Next(1, 6), w = random.Next(1, 40);
            Conv2dGeometry g = ConvCases.Geometry(groups * random.Next(1, 20), h, w, groups * random.Next(1, 20), 1, 1, groups: groups);
            CheckPointwise(g, width, ConvReference.Epilogues[i % ConvReference.Epilogues.Length], withBias: i % 2 == 0, random, ConvCases.Describe(g));
            tested++;
        }

        Assert.True(tested > 60);
    }

    [Theory]
    [MemberData(nameof(NamedDepthwiseShapes))]
    public void Depthwise_NamedShapes_BothAlgorithms_MatchReference(string name, int width)
    {
        int index = NamedIndex(name);
        Conv2dGeometry g = ConvCases.Named[index].Geometry;
        var random = new Random(3000 + index);
        Epilogue epilogue = ConvReference.Epilogues[index % ConvReference.Epilogues.Length];
        CheckDepthwise(g, width, epilogue, withBias: index % 2 == 0, random, Conv2d.DepthwiseAlgorithm.Auto, name);
        CheckDepthwise(g, width, epilogue, withBias: index % 2 == 0, random, Conv2d.DepthwiseAlgorithm.Rows, name);
        if (PlaneApplies(g))
            CheckDepthwise(g, width, epilogue, withBias: index % 2 == 0, random, Conv2d.DepthwiseAlgorithm.Plane, name);
        CheckDepthwise(g, width, epilogue, withBias: index % 2 != 0, random, Conv2d.DepthwiseAlgorithm.Shifted, name);
    }

    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(ConvTestSupport))]
    public void Depthwise_RandomGeometries_BothAlgorithms_MatchReference(int width)
    {
        var random = new Random(555);
        int planes = 0;
        for (int i = 0; i < 200; i++)
        {
            Conv2dGeometry g = i % 2 == 0 ? ConvCases.RandomGeometry(random, depthwise: true) : RandomSamePadDepthwise(random);
            Epilogue epilogue = ConvReference.Epilogues[i % ConvReference.Epilogues.Length];
            string label = $"random #{i} {ConvCases.Describe(g)}";
            CheckDepthwise(g, width, epilogue, withBias: i % 3 != 0, random, Conv2d.DepthwiseAlgorithm.Rows, label);
            CheckDepthwise(g, width, epilogue, withBias: i % 3 == 0, random, Conv2d.DepthwiseAlgorithm.Shifted, label);
            if (PairsApply(g))
                CheckDepthwise(g, width, epilogue, withBias: i % 3 != 0, random, Conv2d.DepthwiseAlgorithm.Pairs, label);
            if (PlaneApplies(g))
            {
                CheckDepthwise(g, width, epilogue, withBias: i % 3 != 0, random, Conv2d.DepthwiseAlgorithm.Plane, label);
                planes++;
            }
        }

        Assert.True(planes > 50, $"only {planes} geometries exercised the plane algorithm");
    }

    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(ConvTestSupport))]
    public void EveryEpilogue_EveryKernel_MatchesReference(int width)
    {
        var random = new Random(31);
        Conv2dGeometry general = ConvCases.Geometry(3, 9, 11, 5, 3, 3, 2, 1, 1, 1, 1, 1);
        Conv2dGeometry pointwise = ConvCases.Geometry(7, 5, 9, 10, 1, 1);
        Conv2dGeometry depthwisePlane = ConvCases.Same(6, 7, 5, 12, 3, 3, groups: 6);
        Conv2dGeometry depthwiseRows = ConvCases.Geometry(4, 12, 21, 4, 3, 3, 2, 2, 1, 1, 1, 1, groups: 4);
        foreach (Epilogue epilogue in ConvReference.Epilogues)
        {
            string label = epilogue.Activation.ToString();
            CheckIm2ColGemm(general, width, epilogue, withBias: true, random, label);
            CheckPointwise(pointwise, width, epilogue, withBias: true, random, label);
            CheckDepthwise(depthwisePlane, width, epilogue, withBias: true, random, Conv2d.DepthwiseAlgorithm.Plane, label);
            CheckDepthwise(depthwiseRows, width, epilogue, withBias: false, random, Conv2d.DepthwiseAlgorithm.Rows, label);
            CheckDepthwise(depthwiseRows, width, epilogue, withBias: true, random, Conv2d.DepthwiseAlgorithm.Shifted, label);
        }
    }

    public static TheoryData<int, int> ShiftedDepthwiseCases()
    {
        var data = new TheoryData<int, int>();
        for (int i = 0; i < ShiftedGeometries.Length; i++)
            foreach (int width in AllWidths) data.Add(i, width);
        return data;
    }

    // The VWW MobileNetV1 stride-2 layers (ZeroPad2d(0, 1, 0, 1) folded into the implied bottom/right pad), planes
    // narrower than a vector, a channel multiplier, stride 3 and 2x3, dilation, pads beyond the kernel, a 5x5 kernel,
    // a plane too large for the stack and one past the shifted algorithm's scratch limit (Auto then picks rows).
    private static readonly Conv2dGeometry[] ShiftedGeometries =
    [
        new(16, 48, 48, 16, 24, 24, 3, 3, 2, 2, 0, 0, 1, 1, 16),
        new(32, 24, 24, 32, 12, 12, 3, 3, 2, 2, 0, 0, 1, 1, 32),
        new(64, 12, 12, 64, 6, 6, 3, 3, 2, 2, 0, 0, 1, 1, 64),
        new(128, 6, 6, 128, 3, 3, 3, 3, 2, 2, 0, 0, 1, 1, 128),
        ConvCases.Geometry(5, 4, 3, 5, 3, 3, 2, 2, 1, 1, 1, 1, groups: 5),
        ConvCases.Geometry(3, 2, 2, 3, 3, 3, 2, 2, 1, 1, 1, 1, groups: 3),
        ConvCases.Geometry(3, 9, 8, 6, 3, 3, 2, 2, 1, 1, 0, 0, groups: 3),
        ConvCases.Geometry(4, 13, 17, 4, 3, 3, 3, 3, 2, 0, 1, 3, groups: 4),
        ConvCases.Geometry(2, 11, 14, 4, 3, 4, 2, 3, 0, 1, 2, 2, dilationHeight: 2, dilationWidth: 2, groups: 2),
        ConvCases.Geometry(3, 10, 12, 3, 5, 5, 2, 2, 4, 5, 2, 0, groups: 3),
        ConvCases.Geometry(3, 7, 7, 3, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1, groups: 3),
        ConvCases.Geometry(2, 100, 100, 2, 3, 3, 2, 2, 1, 1, 1, 1, groups: 2),
        ConvCases.Geometry(1, 300, 300, 1, 3, 3, 2, 2, 0, 0, 1, 1, groups: 1),
        ConvCases.Geometry(3, 6, 8, 6, 3, 3, 2, 2, 0, 0, 0, 0, groups: 3),
        ConvCases.Geometry(2, 5, 10, 2, 5, 5, 2, 2, 0, 0, 4, 1, groups: 2),
        ConvCases.Geometry(2, 9, 4, 2, 2, 4, 2, 2, 0, 0, 1, 0, groups: 2),
        ConvCases.Geometry(3, 1, 2, 3, 1, 1, 2, 2, 0, 0, 0, 0, groups: 3),
        ConvCases.Geometry(4, 7, 14, 8, 3, 3, 2, 2, 0, 0, 1, 1, groups: 4),
    ];

    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(ConvTestSupport))]
    public void Depthwise_Pairs_RandomStride2Geometries_MatchReference(int width)
    {
        var random = new Random(909);
        int tested = 0;
        for (int i = 0; i < 150; i++)
        {
            int channels = random.Next(1, 6), multiplier = random.Next(1, 3);
            int h = random.Next(1, 20), w = 2 * random.Next(1, 13);
            int kh = random.Next(1, 6), kw = random.Next(1, Math.Min(5, w) + 1);
            int pb = random.Next(0, kh + 1), pr = random.Next(0, 2);
            if (h + pb < kh) continue;
            Conv2dGeometry g = ConvCases.Geometry(channels, h, w, channels * multiplier, kh, kw, 2, 2, 0, 0, pb, pr, groups: channels);
            if (!PairsApply(g)) continue;
            Epilogue epilogue = ConvReference.Epilogues[i % ConvReference.Epilogues.Length];
            string label = $"pairs #{i} {ConvCases.Describe(g)}";
            CheckDepthwise(g, width, epilogue, withBias: i % 2 == 0, random, Conv2d.DepthwiseAlgorithm.Pairs, label);
            CheckDepthwise(g, width, epilogue, withBias: i % 2 != 0, random, Conv2d.DepthwiseAlgorithm.Auto, label);
            tested++;
        }

        Assert.True(tested > 100, $"only {tested} geometries exercised the pairs algorithm");
    }

    [Theory]
    [MemberData(nameof(ShiftedDepthwiseCases))]
    public void Depthwise_Shifted_StridedAndNarrowPlanes_MatchReference(int index, int width)
    {
        Conv2dGeometry g = ShiftedGeometries[index];
        var random = new Random(700 + index);
        string label = $"shifted #{index} {ConvCases.Describe(g)}";
        foreach (Epilogue epilogue in ConvReference.Epilogues)
        {
            CheckDepthwise(g, width, epilogue, withBias: true, random, Conv2d.DepthwiseAlgorithm.Shifted, label);
            CheckDepthwise(g, width, epilogue, withBias: false, random, Conv2d.DepthwiseAlgorithm.Auto, label);
            if (PairsApply(g))
                CheckDepthwise(g, width, epilogue, withBias: true, random, Conv2d.DepthwiseAlgorithm.Pairs, label);
        }
    }

    [Fact]
    public void PublicEntries_RunTheDispatchedWidth_MatchReference()
    {
        var random = new Random(8);
        Conv2dGeometry g = ConvCases.Same(8, 10, 10, 8, 3, 3, groups: 8);
        (float[] x, float[] w, float[]? b) = Data(g, withBias: true, random);
        var y = new float[g.OutputLength];
        Conv2d.Depthwise(x, y, Conv2d.PackDepthwiseWeights(w, g), b, g, Epilogue.None);
        AssertClose(y, ConvReference.Conv2d(x, w, b, g, Epilogue.None), g.ReductionLength, "Depthwise");

        Array.Clear(y);
        Conv2d.Im2ColGemm(x, y, Conv2d.PackGemmWeights(w, g), b, g, Epilogue.None, new float[Conv2d.Im2ColWorkspaceLength(g)]);
        AssertClose(y, ConvReference.Conv2d(x, w, b, g, Epilogue.None), g.ReductionLength, "Im2ColGemm");

        Conv2dGeometry p = ConvCases.Geometry(6, 4, 5, 3, 1, 1);
        (x, w, b) = Data(p, withBias: false, random);
        y = new float[p.OutputLength];
        Conv2d.Pointwise(x, y, Conv2d.PackGemmWeights(w, p), b, p, new Epilogue(ActivationKind.ReLU));
        AssertClose(y, ConvReference.Conv2d(x, w, b, p, new Epilogue(ActivationKind.ReLU)), p.ReductionLength, "Pointwise");
    }

    [Fact]
    public void Im2ColGemm_WorkspaceLargerThanNeeded_IsAccepted()
    {
        var random = new Random(9);
        Conv2dGeometry g = ConvCases.Geometry(2, 6, 6, 3, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1);
        (float[] x, float[] w, float[]? b) = Data(g, withBias: true, random);
        var y = new float[g.OutputLength];
        Conv2d.Im2ColGemm(x, y, Conv2d.PackGemmWeights(w, g), b, g, Epilogue.None, new float[Conv2d.Im2ColWorkspaceLength(g) + 100]);
        AssertClose(y, ConvReference.Conv2d(x, w, b, g, Epilogue.None), g.ReductionLength, "larger workspace");
    }

    [Fact]
    public void WorkspaceLength_FitsTheChosenAlgorithm_AndIsZeroForPointwise()
    {
        static int Chosen(in Conv2dGeometry g) => Conv2d.WorkspaceLength(g, Conv2d.ChooseAlgorithm(g));
        // Many output channels on narrow rows: the column matrix (2 channels x 25 taps x 5 x 5 positions).
        Conv2dGeometry g = ConvCases.Geometry(2, 9, 9, 64, 5, 5, 2, 2, 2, 2, 2, 2);
        Assert.Equal(2 * 25 * 25, Chosen(g));
        // Stride 2 in height only, kernel 3x2: two stride phases of 3 channels, 6 x 11 each, plus 2 output channels'
        // rows computed 11 wide (5 rows, the last 10 wide).
        Conv2dGeometry phases = ConvCases.Geometry(6, 9, 10, 4, 3, 2, 2, 1, 1, 0, 1, 1, groups: 2);
        Assert.Equal(3 * 2 * 6 * 11 + 2 * (4 * 11 + 10), Chosen(phases));
        // A 1x1 stride-2 kernel unfolds into the subsampled input planes.
        Assert.Equal(6 * 5 * 5, Chosen(ConvCases.Geometry(6, 9, 10, 4, 1, 1, 2, 2)));
        Assert.Equal(6 * 5 * 5, Conv2d.WorkspaceLength(ConvCases.Geometry(6, 9, 10, 4, 1, 1, 2, 2), Conv2d.ConvAlgorithm.Shifted));
        // Stride 1, padded: the padded planes of one group plus its output rows computed padded-input wide.
        Conv2dGeometry s = ConvCases.Geometry(4, 8, 8, 6, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1, groups: 2);
        Assert.Equal(2 * 10 * 10 + 3 * (7 * 10 + 8), Chosen(s));
        // Output rows of whole 512-bit vectors within the padded rows (32 of 34) are computed row by row into the
        // output: only the padded planes.
        Assert.Equal(3 * 34 * 34, Chosen(ConvCases.Geometry(3, 32, 32, 16, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1)));
        // Stride 1 without padding: the input planes serve as they are; a 1-D kernel x 1 writes the output directly.
        Assert.Equal(3 * (5 * 8 + 6), Chosen(ConvCases.Geometry(4, 8, 8, 3, 3, 3)));
        Assert.Equal(0, Chosen(ConvCases.Geometry(4, 1, 30, 3, 1, 5)));
        Assert.Equal(0, Chosen(ConvCases.Geometry(6, 9, 10, 4, 1, 1, groups: 2)));
    }

    [Fact]
    public void PackGemmWeights_PutsEachGroupsOutputChannelsInPanelsOfEight()
    {
        // 2 groups of 9 output channels (two panels each, the second with one real row), reduction 2 x 1 x 1.
        Conv2dGeometry g = ConvCases.Geometry(4, 3, 3, 18, 1, 1, groups: 2);
        float[] weights = Enumerable.Range(0, g.WeightLength).Select(i => (float)(i + 1)).ToArray();
        float[] packed = Conv2d.PackGemmWeights(weights, g);
        Assert.Equal(Conv2d.PackedGemmWeightsLength(g), packed.Length);
        Assert.Equal(2 * 2 * Gemm.MR * 2, packed.Length);
        int k = g.ReductionLength;
        for (int group = 0; group < 2; group++)
        {
            for (int m = 0; m < 16; m++)
            {
                for (int p = 0; p < k; p++)
                {
                    int panel = m / Gemm.MR, r = m % Gemm.MR;
                    float actual = packed[group * 2 * Gemm.MR * k + panel * Gemm.MR * k + p * Gemm.MR + r];
                    float expected = m < 9 ? weights[(group * 9 + m) * k + p] : 0f;
                    Assert.Equal(expected, actual);
                }
            }
        }
    }

    [Fact]
    public void PackDepthwiseWeights_KeepsThePyTorchOrder()
    {
        Conv2dGeometry g = ConvCases.Geometry(3, 5, 5, 6, 3, 3, groups: 3);
        float[] weights = Enumerable.Range(0, g.WeightLength).Select(i => (float)i).ToArray();
        Assert.Equal(weights, Conv2d.PackDepthwiseWeights(weights, g));
    }

    [Fact]
    public void Validate_AcceptsEveryNamedShape()
    {
        foreach ((_, Conv2dGeometry g) in ConvCases.Named) g.Validate();
    }

    public static TheoryData<string, Conv2dGeometry> InvalidGeometries() => new()
    {
        { "zero channels", new Conv2dGeometry(0, 5, 5, 2, 5, 5, 1, 1, 1, 1, 0, 0, 1, 1, 1) },
        { "zero kernel", new Conv2dGeometry(1, 5, 5, 2, 5, 5, 0, 1, 1, 1, 0, 0, 1, 1, 1) },
        { "zero stride", new Conv2dGeometry(1, 5, 5, 2, 5, 5, 1, 1, 0, 1, 0, 0, 1, 1, 1) },
        { "zero dilation", new Conv2dGeometry(1, 5, 5, 2, 5, 5, 1, 1, 1, 1, 0, 0, 1, 0, 1) },
        { "zero groups", new Conv2dGeometry(2, 5, 5, 2, 5, 5, 1, 1, 1, 1, 0, 0, 1, 1, 0) },
        { "negative pad", new Conv2dGeometry(1, 5, 5, 2, 5, 5, 1, 1, 1, 1, -1, 0, 1, 1, 1) },
        { "input channels not divisible by groups", new Conv2dGeometry(3, 5, 5, 4, 5, 5, 1, 1, 1, 1, 0, 0, 1, 1, 2) },
        { "output channels not divisible by groups", new Conv2dGeometry(4, 5, 5, 3, 5, 5, 1, 1, 1, 1, 0, 0, 1, 1, 2) },
        // 5 - 3 + 1 = 3 rows, not 2: an output row was dropped.
        { "output height too small", new Conv2dGeometry(1, 5, 5, 1, 2, 3, 3, 3, 1, 1, 0, 0, 1, 1, 1) },
        // Stride 2: 7 rows give 3 outputs; 2 would drop one.
        { "output width too small for stride", new Conv2dGeometry(1, 7, 7, 1, 3, 2, 3, 3, 2, 2, 0, 0, 1, 1, 1) },
        { "zero output", new Conv2dGeometry(1, 5, 5, 1, 0, 3, 3, 3, 1, 1, 0, 0, 1, 1, 1) },
    };

    [Theory]
    [MemberData(nameof(InvalidGeometries))]
    public void Validate_RejectsInconsistentGeometry(string why, Conv2dGeometry g)
    {
        Assert.Throws<ArgumentException>(() => g.Validate());
        Assert.Throws<ArgumentException>(() => Conv2d.Im2ColWorkspaceLength(g));
        Assert.False(string.IsNullOrEmpty(why));
    }

    [Fact]
    public void Validate_AcceptsPyTorchEdgeShapes()
    {
        // Stride leaving the last two rows unread (implied end padding -2), "same" with the odd row at the end,
        // padding wider than the kernel, and an output larger than the input.
        var strided = new Conv2dGeometry(1, 8, 8, 1, 2, 2, 3, 3, 3, 3, 0, 0, 1, 1, 1);
        strided.Validate();
        Assert.Equal(-2, strided.ImpliedPadBottom);
        ConvCases.Same(2, 9, 9, 2, 4, 4).Validate();
        ConvCases.Geometry(1, 4, 4, 1, 3, 3, padTop: 5, padLeft: 5, padBottom: 5, padRight: 5).Validate();
    }

    [Fact]
    public void WrongSpanLengths_ThrowArgumentException()
    {
        Conv2dGeometry g = ConvCases.Geometry(4, 6, 6, 4, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1);
        float[] x = new float[g.InputLength], y = new float[g.OutputLength], w = new float[g.WeightLength];
        float[] packed = Conv2d.PackGemmWeights(w, g), ws = new float[Conv2d.Im2ColWorkspaceLength(g)], bias = new float[g.OutChannels];
        Assert.Throws<ArgumentException>(() => Conv2d.Im2ColGemm(new float[x.Length - 1], y, packed, bias, g, Epilogue.None, ws));
        Assert.Throws<ArgumentException>(() => Conv2d.Im2ColGemm(x, new float[y.Length + 1], packed, bias, g, Epilogue.None, ws));
        Assert.Throws<ArgumentException>(() => Conv2d.Im2ColGemm(x, y, new float[packed.Length - 1], bias, g, Epilogue.None, ws));
        Assert.Throws<ArgumentException>(() => Conv2d.Im2ColGemm(x, y, packed, new float[g.OutChannels - 1], g, Epilogue.None, ws));
        Assert.Throws<ArgumentException>(() => Conv2d.Im2ColGemm(x, y, packed, bias, g, Epilogue.None, new float[ws.Length - 1]));
        Assert.Throws<ArgumentException>(() => Conv2d.PackGemmWeights(new float[w.Length + 1], g));
        ArgumentException e = Assert.Throws<ArgumentException>(() => Conv2d.Im2ColGemm<Vec256, Vector256<float>>(new float[3], y, packed, bias, g, Epilogue.None, ws));
        Assert.Equal("input", e.ParamName);
        Assert.Contains("3", e.Message);
        Assert.Contains(g.InputLength.ToString(), e.Message);

        Conv2dGeometry p = ConvCases.Geometry(4, 6, 6, 4, 1, 1);
        float[] pp = Conv2d.PackGemmWeights(new float[p.WeightLength], p);
        Assert.Throws<ArgumentException>(() => Conv2d.Pointwise(new float[p.InputLength + 1], new float[p.OutputLength], pp, default, p, Epilogue.None));
        Assert.Throws<ArgumentException>(() => Conv2d.Pointwise(new float[p.InputLength], new float[p.OutputLength - 1], pp, default, p, Epilogue.None));

        Conv2dGeometry d = ConvCases.Geometry(4, 6, 6, 8, 3, 3, groups: 4);
        float[] dw = Conv2d.PackDepthwiseWeights(new float[d.WeightLength], d);
        Assert.Throws<ArgumentException>(() => Conv2d.Depthwise(new float[d.InputLength - 1], new float[d.OutputLength], dw, default, d, Epilogue.None));
        Assert.Throws<ArgumentException>(() => Conv2d.Depthwise(new float[d.InputLength], new float[d.OutputLength], dw, new float[3], d, Epilogue.None));
        Assert.Throws<ArgumentException>(() => Conv2d.Depthwise(new float[d.InputLength], new float[d.OutputLength], new float[dw.Length + 1], default, d, Epilogue.None));
        Assert.Throws<ArgumentException>(() => Conv2d.PackDepthwiseWeights(new float[d.WeightLength - 1], d));
    }

    [Fact]
    public void KernelsRejectGeometriesTheyDoNotHandle()
    {
        Conv2dGeometry general = ConvCases.Geometry(4, 6, 6, 4, 3, 3);
        float[] packed = Conv2d.PackGemmWeights(new float[general.WeightLength], general);
        Assert.Throws<ArgumentException>(() => Conv2d.Pointwise(new float[general.InputLength], new float[general.OutputLength], packed, default, general, Epilogue.None));
        Assert.Throws<ArgumentException>(() => Conv2d.PackDepthwiseWeights(new float[general.WeightLength], general));
        Assert.Throws<ArgumentException>(() => Conv2d.Depthwise(new float[general.InputLength], new float[general.OutputLength], new float[general.WeightLength], default, general, Epilogue.None));
        // The plane algorithm needs stride 1 and OutWidth == InWidth.
        Conv2dGeometry strided = ConvCases.Geometry(2, 8, 8, 2, 3, 3, 2, 2, 1, 1, 1, 1, groups: 2);
        Assert.Throws<ArgumentException>(() => Conv2d.Depthwise<Vec128, Vector128<float>>(new float[strided.InputLength], new float[strided.OutputLength],
            new float[strided.WeightLength], default, strided, Epilogue.None, Conv2d.DepthwiseAlgorithm.Plane));
    }

    [Fact]
    public void ReferenceComparison_CatchesAWrongTap()
    {
        // The tolerance is loose enough for float rounding but not for a kernel that drops one tap.
        var random = new Random(5);
        Conv2dGeometry g = ConvCases.Geometry(3, 6, 6, 2, 3, 3);
        (float[] x, float[] w, float[]? b) = Data(g, withBias: true, random);
        float[] expected = ConvReference.Conv2d(x, w, b, g, Epilogue.None);
        float[] dropped = (float[])w.Clone();
        dropped[4] = 0f;
        Assert.NotNull(ConvReference.Compare(ConvReference.Conv2d(x, dropped, b, g, Epilogue.None), expected, g.ReductionLength));
        Assert.Null(ConvReference.Compare(expected, expected, g.ReductionLength));
    }

    private static int NamedIndex(string name)
    {
        for (int i = 0; i < ConvCases.Named.Count; i++)
            if (ConvCases.Named[i].Name == name) return i;
        throw new ArgumentException($"No named case {name}.", nameof(name));
    }

    private static bool PairsApply(in Conv2dGeometry g) => g.StrideHeight == 2 && g.StrideWidth == 2 && g.DilationHeight == 1
        && g.DilationWidth == 1 && g.PadTop == 0 && g.PadLeft == 0 && g.InWidth % 2 == 0 && g.OutWidth <= g.InWidth / 2 && g.KernelWidth <= g.InWidth;

    private static bool PlaneApplies(in Conv2dGeometry g) => g.StrideHeight == 1 && g.StrideWidth == 1 && g.OutWidth == g.InWidth;

    // Stride 1 with OutWidth == InWidth (so the plane algorithm applies): "same" padding split any way.
    private static Conv2dGeometry RandomSamePadDepthwise(Random random)
    {
        int channels = random.Next(1, 6), multiplier = random.Next(1, 3);
        int h = random.Next(1, 14), w = random.Next(1, 14);
        int kh = random.Next(1, 6), kw = random.Next(1, 6), dh = random.Next(1, 3), dw = random.Next(1, 3);
        int padW = dw * (kw - 1), left = random.Next(0, padW + 1);
        int pt = random.Next(0, dh * (kh - 1) + 2), pb = random.Next(0, dh * (kh - 1) + 2);
        if (h + pt + pb - dh * (kh - 1) - 1 < 0) pb = dh * (kh - 1);
        return ConvCases.Geometry(channels, h, w, channels * multiplier, kh, kw, 1, 1, pt, left, pb, padW - left, dh, dw, channels);
    }

    // Every algorithm (Auto, Im2Col, Shifted), each with exactly its workspace.
    private static void CheckIm2ColGemm(in Conv2dGeometry g, int width, Epilogue epilogue, bool withBias, Random random, string label)
    {
        CheckIm2ColGemm(g, width, epilogue, withBias, random, label, Conv2d.ConvAlgorithm.Auto);
        CheckIm2ColGemm(g, width, epilogue, withBias, random, label, Conv2d.ConvAlgorithm.Im2Col);
        CheckIm2ColGemm(g, width, epilogue, withBias, random, label, Conv2d.ConvAlgorithm.Shifted);
    }

    private static void CheckIm2ColGemm(in Conv2dGeometry g, int width, Epilogue epilogue, bool withBias, Random random, string label,
        Conv2d.ConvAlgorithm algorithm)
    {
        (float[] x, float[] w, float[]? b) = Data(g, withBias, random);
        float[] packed = Conv2d.PackGemmWeights(w, g);
        Guarded input = Guarded.Input(x), output = Guarded.Output(g.OutputLength);
        int workspaceLength = Conv2d.WorkspaceLength(g, algorithm == Conv2d.ConvAlgorithm.Auto ? Conv2d.ChooseAlgorithm(g) : algorithm);
        Guarded workspace = Guarded.Output(workspaceLength);
        switch (width)
        {
            case 16: Conv2d.Im2ColGemm<Vec512, Vector512<float>>(input.Span, output.Span, packed, b, g, epilogue, workspace.Span, algorithm); break;
            case 8: Conv2d.Im2ColGemm<Vec256, Vector256<float>>(input.Span, output.Span, packed, b, g, epilogue, workspace.Span, algorithm); break;
            case 4: Conv2d.Im2ColGemm<Vec128, Vector128<float>>(input.Span, output.Span, packed, b, g, epilogue, workspace.Span, algorithm); break;
            default: Conv2d.Im2ColGemm<Scalar, float>(input.Span, output.Span, packed, b, g, epilogue, workspace.Span, algorithm); break;
        }

        label = $"Im2ColGemm {algorithm} width {width} {label} {epilogue.Activation}";
        output.AssertGuardsIntact(label);
        workspace.AssertGuardsIntact(label + " (workspace)");
        AssertClose(output.Span, ConvReference.Conv2d(x, w, b, g, epilogue), g.ReductionLength, label);
    }

    private static void CheckPointwise(in Conv2dGeometry g, int width, Epilogue epilogue, bool withBias, Random random, string label)
    {
        (float[] x, float[] w, float[]? b) = Data(g, withBias, random);
        float[] packed = Conv2d.PackGemmWeights(w, g);
        Guarded input = Guarded.Input(x), output = Guarded.Output(g.OutputLength);
        switch (width)
        {
            case 16: Conv2d.Pointwise<Vec512, Vector512<float>>(input.Span, output.Span, packed, b, g, epilogue); break;
            case 8: Conv2d.Pointwise<Vec256, Vector256<float>>(input.Span, output.Span, packed, b, g, epilogue); break;
            case 4: Conv2d.Pointwise<Vec128, Vector128<float>>(input.Span, output.Span, packed, b, g, epilogue); break;
            default: Conv2d.Pointwise<Scalar, float>(input.Span, output.Span, packed, b, g, epilogue); break;
        }

        output.AssertGuardsIntact(label);
        AssertClose(output.Span, ConvReference.Conv2d(x, w, b, g, epilogue), g.ReductionLength, $"Pointwise width {width} {label} {epilogue.Activation}");
    }

    private static void CheckDepthwise(in Conv2dGeometry g, int width, Epilogue epilogue, bool withBias, Random random,
        Conv2d.DepthwiseAlgorithm algorithm, string label)
    {
        (float[] x, float[] w, float[]? b) = Data(g, withBias, random);
        float[] packed = Conv2d.PackDepthwiseWeights(w, g);
        Guarded input = Guarded.Input(x), output = Guarded.Output(g.OutputLength);
        switch (width)
        {
            case 16: Conv2d.Depthwise<Vec512, Vector512<float>>(input.Span, output.Span, packed, b, g, epilogue, algorithm); break;
            case 8: Conv2d.Depthwise<Vec256, Vector256<float>>(input.Span, output.Span, packed, b, g, epilogue, algorithm); break;
            case 4: Conv2d.Depthwise<Vec128, Vector128<float>>(input.Span, output.Span, packed, b, g, epilogue, algorithm); break;
            default: Conv2d.Depthwise<Scalar, float>(input.Span, output.Span, packed, b, g, epilogue, algorithm); break;
        }

        output.AssertGuardsIntact(label);
        AssertClose(output.Span, ConvReference.Conv2d(x, w, b, g, epilogue), g.ReductionLength,
            $"Depthwise {algorithm} width {width} {label} {epilogue.Activation}");
    }

    private static (float[] Input, float[] Weights, float[]? Bias) Data(in Conv2dGeometry g, bool withBias, Random random) =>
        (ConvReference.RandomValues(random, g.InputLength),
         ConvReference.RandomValues(random, g.WeightLength),
         withBias ? ConvReference.RandomValues(random, g.OutChannels) : null);
}

/// <summary>Shared by the convolution, GEMM and linear kernel tests.</summary>
internal static class ConvTestSupport
{
    /// <summary>The widths the tests force: Vec512, Vec256, Vec128 and Scalar.</summary>
    public static readonly int[] AllWidths = [16, 8, 4, 1];

    public static TheoryData<int> Widths()
    {
        var data = new TheoryData<int>();
        foreach (int width in AllWidths) data.Add(width);
        return data;
    }

    /// <summary>Fails with <paramref name="label"/> unless <see cref="ConvReference.Compare"/> accepts the result.</summary>
    public static void AssertClose(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, int reductionLength, string label)
    {
        string? problem = ConvReference.Compare(actual, expected, reductionLength);
        Assert.True(problem is null, $"{label}: {problem}");
    }

    /// <summary>
    /// A span in the middle of a larger array: inputs are surrounded by NaN (so a read past the span that reaches a
    /// result makes it NaN), outputs by a sentinel that must survive (so a write past the span is caught).
    /// </summary>
    public sealed class Guarded
    {
        private const int GuardLength = 37;
        private const float Sentinel = 12345.5f;
        private readonly float[] _buffer;
        private readonly int _length;

        private Guarded(float[] buffer, int length)
        {
            _buffer = buffer;
            _length = length;
        }

        public Span<float> Span => _buffer.AsSpan(GuardLength, _length);

        public static Guarded Input(float[] values)
        {
            var buffer = new float[values.Length + 2 * GuardLength];
            Array.Fill(buffer, float.NaN);
            values.CopyTo(buffer, GuardLength);
            return new Guarded(buffer, values.Length);
        }

        public static Guarded Output(int length)
        {
            var buffer = new float[length + 2 * GuardLength];
            Array.Fill(buffer, Sentinel);
            return new Guarded(buffer, length);
        }

        public void AssertGuardsIntact(string label)
        {
            for (int i = 0; i < GuardLength; i++)
            {
                Assert.True(_buffer[i] == Sentinel, $"{label}: wrote {GuardLength - i} floats before the span");
                Assert.True(_buffer[GuardLength + _length + i] == Sentinel, $"{label}: wrote {i + 1} floats past the span");
            }
        }
    }
}
