using ConvGen.Reference;
using ConvGen.Runtime.Kernels;
using static ConvGen.Tests.Runtime.ConvTestSupport;

namespace ConvGen.Tests.Runtime;

/// <summary>
/// The channel-blocked direct and pointwise convolutions at every vector width against the double-precision
/// reference: every named geometry the kernels accept, blocked and CHW inputs, several tiles per geometry, residual
/// and activation epilogues (including ones with f(0) != 0, which must keep padding lanes zero), guards around every
/// span.
/// </summary>
public class BlockedConvTests
{
    public static TheoryData<string, int> Shapes()
    {
        var data = new TheoryData<string, int>();
        foreach ((string name, _) in BlockedReference.ConvShapes())
            foreach (int width in AllWidths) data.Add(name, width);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Direct_NamedShapes_MatchReference(string name, int width)
    {
        Conv2dGeometry g = Shape(name);
        int index = name.GetHashCode() & 0xffff;
        var random = new Random(index);
        int checkedCases = 0;
        foreach (TensorLayout layout in new[] { TensorLayout.Blocked16, TensorLayout.Chw })
        {
            if (DirectConv2d.Rejects(g, layout) is not null) continue;
            foreach (ConvTile tile in Tiles(DirectConv2d.ChooseTile(g), Blocked16.Blocks(g.OutChannelsPerGroup), g.OutWidth))
            {
                ActivationCase act = BlockedReference.Activations[checkedCases % BlockedReference.Activations.Length];
                CheckDirect(g, layout, tile, act, withBias: checkedCases % 3 != 2, withResidual: checkedCases % 2 == 0, width, random,
                    $"{name} {layout} tile {tile} {act} width {width}");
                checkedCases++;
            }
        }

        if (g.Groups == 1) Assert.True(checkedCases > 0, "the direct kernel accepts every groups = 1 geometry");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Pointwise_NamedShapes_MatchReference(string name, int width)
    {
        Conv2dGeometry g = Shape(name);
        if (PointwiseConv2d.Rejects(g, TensorLayout.Blocked16) is not null) return;
        var random = new Random(name.Length * 31 + width);
        int index = 0;
        foreach (ConvTile tile in Tiles(PointwiseConv2d.ChooseTile(g), Blocked16.Blocks(g.OutChannelsPerGroup), g.OutHeight * g.OutWidth))
        {
            ActivationCase act = BlockedReference.Activations[(index + 3) % BlockedReference.Activations.Length];
            CheckPointwise(g, tile, act, withResidual: index % 2 == 1, width, random, $"{name} tile {tile} {act} width {width}");
            index++;
        }
    }

    // CHW inputs, short reductions (the 512-bit short-reduction form: at most 8 input channels) and longer ones; output
    // channels filling part of a block, one, or more; maps below, at and past whole tiles of 16 positions.
    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(ConvTestSupport))]
    public void Pointwise_ChwInput_MatchesReference(int width)
    {
        var random = new Random(83 + width);
        int index = 0;
        foreach (int cin in new[] { 1, 3, 8, 9, 13 })
            foreach (int cout in new[] { 5, 16, 20 })
                foreach ((int h, int w) in new[] { (3, 5), (4, 4), (7, 9) })
                {
                    var g = new Conv2dGeometry(cin, h, w, cout, h, w, 1, 1, 1, 1, 0, 0, 1, 1, 1);
                    ActivationCase act = BlockedReference.Activations[index % BlockedReference.Activations.Length];
                    ConvTile tile = PointwiseConv2d.ChooseTile(g);
                    CheckPointwise(g, tile, act, withResidual: index % 2 == 1, width, random, $"CHW {cin}->{cout} {h}x{w} tile {tile} {act} width {width}", TensorLayout.Chw);
                    index++;
                }
    }

    [Fact]
    public void Pointwise_HoldsWeightsInRegisters_OnlyForShortChwReductions()
    {
        static Conv2dGeometry Pw(int cin, int cout, int groups = 1) => new(cin, 48, 48, cout, 48, 48, 1, 1, 1, 1, 0, 0, 1, 1, groups);
        Assert.True(PointwiseConv2d.HoldsWeightsInRegisters(Pw(8, 16), TensorLayout.Chw));
        Assert.True(PointwiseConv2d.HoldsWeightsInRegisters(Pw(1, 40), TensorLayout.Chw));
        Assert.False(PointwiseConv2d.HoldsWeightsInRegisters(Pw(9, 16), TensorLayout.Chw));
        Assert.False(PointwiseConv2d.HoldsWeightsInRegisters(Pw(8, 16), TensorLayout.Blocked16));
        Assert.False(PointwiseConv2d.HoldsWeightsInRegisters(Pw(8, 16, groups: 2), TensorLayout.Chw));
    }

    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(ConvTestSupport))]
    public void Direct_RandomGeometries_MatchReference(int width)
    {
        var random = new Random(61 + width);
        for (int i = 0; i < 60; i++)
        {
            Conv2dGeometry g = ConvCases.RandomGeometry(random);
            TensorLayout layout = g.Groups == 1 && i % 3 == 0 ? TensorLayout.Chw : TensorLayout.Blocked16;
            if (DirectConv2d.Rejects(g, layout) is not null) g = g with { Groups = 1, InChannels = g.InChannels, OutChannels = g.OutChannels };
            if (DirectConv2d.Rejects(g, layout) is not null) continue;
            ActivationCase act = BlockedReference.Activations[i % BlockedReference.Activations.Length];
            var tile = new ConvTile(1 + random.Next(Math.Min(4, Blocked16.Blocks(g.OutChannelsPerGroup))), 1 + random.Next(Math.Min(7, g.OutWidth)));
            CheckDirect(g, layout, tile, act, withBias: i % 4 != 0, withResidual: i % 3 == 1, width, random, $"random #{i} {ConvCases.Describe(g)} {layout} tile {tile} {act}");
        }
    }

    [Fact]
    public void Direct_ResidualMayBeTheOutput()
    {
        Conv2dGeometry g = ConvCases.Same(20, 9, 10, 40, 3, 3);
        var random = new Random(5);
        float[] x = ConvReference.RandomValues(random, g.InputLength);
        float[] w = ConvReference.RandomValues(random, g.WeightLength);
        float[] b = ConvReference.RandomValues(random, g.OutChannels);
        float[] residual = ConvReference.RandomValues(random, g.OutputLength);
        ActivationCase relu = BlockedReference.Activations[1];
        float[] expected = BlockedReference.Conv2d(x, w, b, residual, g, relu);
        foreach (int width in AllWidths)
        {
            float[] y = BlockedReference.ToBlocked(residual, g.OutChannels, g.OutputPlane);
            var workspace = new float[DirectConv2d.WorkspaceLength(g, TensorLayout.Blocked16)];
            DirectConv2d.Run(width, BlockedReference.ToBlocked(x, g.InChannels, g.InHeight * g.InWidth), y, DirectConv2d.Pack(w, b, g), y, g,
                TensorLayout.Blocked16, new ConvTile(2, 3), default(ReLU), workspace);
            AssertClose(BlockedReference.FromBlocked(y, g.OutChannels, g.OutputPlane), expected, g.ReductionLength, $"in place, width {width}");
        }
    }

    [Fact]
    public void Direct_RejectsBadArguments()
    {
        Conv2dGeometry g = ConvCases.Same(16, 6, 6, 32, 3, 3);
        float[] packed = DirectConv2d.Pack(new float[g.WeightLength], default, g);
        var x = new float[Blocked16.Length(16, 36)];
        var y = new float[Blocked16.Length(32, 36)];
        var ws = new float[DirectConv2d.WorkspaceLength(g, TensorLayout.Blocked16)];
        Assert.Throws<ArgumentException>(() => DirectConv2d.Run(x, y, packed, default, g, TensorLayout.Blocked16, new ConvTile(3, 2), default(ReLU), ws));
        Assert.Throws<ArgumentException>(() => DirectConv2d.Run(x, y, packed, default, g, TensorLayout.Blocked16, new ConvTile(1, 7), default(ReLU), ws));
        Assert.Throws<ArgumentException>(() => DirectConv2d.Run(x, y, packed, default, g, TensorLayout.Blocked16, new ConvTile(4, 8), default(ReLU), ws));
        Assert.Throws<ArgumentException>(() => DirectConv2d.Run(x, y, packed, default, g, TensorLayout.Blocked16, new ConvTile(2, 6), default(ReLU), ws.AsSpan(1)));
        Assert.Throws<ArgumentException>(() => DirectConv2d.Run(x, y, packed.AsSpan(1), default, g, TensorLayout.Blocked16, new ConvTile(2, 6), default(ReLU), ws));
        Assert.Throws<ArgumentException>(() => DirectConv2d.Run(x, y, packed, new float[3], g, TensorLayout.Blocked16, new ConvTile(2, 6), default(ReLU), ws));
        Assert.Throws<ArgumentException>(() => DirectConv2d.Run(x.AsSpan(0, 16 * 36 - 1), y, packed, default, g, TensorLayout.Chw, new ConvTile(2, 6), default(ReLU), ws));
        Conv2dGeometry grouped = ConvCases.Geometry(8, 5, 5, 8, 3, 3, groups: 2);
        Assert.NotNull(DirectConv2d.Rejects(grouped, TensorLayout.Blocked16));
        Assert.NotNull(PointwiseConv2d.Rejects(g, TensorLayout.Blocked16));
    }

    [Fact]
    public void Tile_Legal_OnlyWhenItsRegistersFit()
    {
        Assert.True(new ConvTile(2, 14).IsLegal); // 28 + 2 + 1 = 31 registers
        Assert.True(new ConvTile(3, 9).IsLegal);
        Assert.True(new ConvTile(4, 6).IsLegal);
        Assert.True(new ConvTile(1, 16).IsLegal);
        Assert.False(new ConvTile(4, 7).IsLegal); // 28 + 4 + 1 = 33: spills an accumulator every step
        Assert.False(new ConvTile(3, 10).IsLegal);
        Assert.NotNull(PointwiseConv2d.TileRejects(Shape("dscnn.pointwise"), new ConvTile(4, 7)));
        // A 7x7 map with many output blocks no longer takes 4x7.
        Assert.NotEqual(new ConvTile(4, 7), PointwiseConv2d.ChooseTile(new Conv2dGeometry(160, 7, 7, 960, 7, 7, 1, 1, 1, 1, 0, 0, 1, 1, 1)));
    }

    [Fact]
    public void ChooseTile_IsAlwaysAccepted()
    {
        foreach ((string name, Conv2dGeometry g) in BlockedReference.ConvShapes())
        {
            Assert.Null(DirectConv2d.TileRejects(g, DirectConv2d.ChooseTile(g)));
            if (g.IsPointwise) Assert.Null(PointwiseConv2d.TileRejects(g, PointwiseConv2d.ChooseTile(g)));
        }
    }

    internal static Conv2dGeometry Shape(string name)
    {
        foreach ((string n, Conv2dGeometry g) in BlockedReference.ConvShapes())
            if (n == name) return g;
        throw new ArgumentException(name);
    }

    // The chosen tile, plus the smallest and a few others that the geometry accepts.
    internal static IEnumerable<ConvTile> Tiles(ConvTile chosen, int blocks, int columns)
    {
        var tiles = new List<ConvTile> { chosen, new(1, 1) };
        foreach (ConvTile t in new ConvTile[] { new(4, 6), new(2, 13), new(1, 16), new(3, 5), new(2, 4) })
            if (t.Blocks <= blocks && t.Positions <= columns && !tiles.Contains(t)) tiles.Add(t);
        return tiles;
    }

    private static void CheckDirect(Conv2dGeometry g, TensorLayout layout, ConvTile tile, ActivationCase act, bool withBias, bool withResidual,
        int width, Random random, string label)
    {
        float[] x = ConvReference.RandomValues(random, g.InputLength);
        float[] w = ConvReference.RandomValues(random, g.WeightLength);
        float[]? b = withBias ? ConvReference.RandomValues(random, g.OutChannels) : null;
        float[]? residual = withResidual ? ConvReference.RandomValues(random, g.OutputLength) : null;
        float[] expected = BlockedReference.Conv2d(x, w, b, residual, g, act);
        float[] input = layout == TensorLayout.Blocked16 ? BlockedReference.ToBlocked(x, g.InChannels, g.InHeight * g.InWidth) : x;
        var guardedInput = Guarded.Input(input);
        int outLength = Blocked16.Length(g.OutChannels, g.OutputPlane);
        var output = Guarded.Output(outLength);
        float[] packed = DirectConv2d.Pack(w, b, g);
        float[] res = residual is null ? [] : BlockedReference.ToBlocked(residual, g.OutChannels, g.OutputPlane);
        var workspace = Guarded.Output(DirectConv2d.WorkspaceLength(g, layout));
        act.Accept(new DirectUser(width, guardedInput, output, packed, res, g, layout, tile, workspace));
        output.AssertGuardsIntact(label);
        workspace.AssertGuardsIntact(label + " (workspace)");
        Assert.Null(BlockedReference.PaddingLanesProblem(output.Span, g.OutChannels, g.OutputPlane));
        AssertClose(BlockedReference.FromBlocked(output.Span, g.OutChannels, g.OutputPlane), expected, g.ReductionLength, label);
    }

    private static void CheckPointwise(Conv2dGeometry g, ConvTile tile, ActivationCase act, bool withResidual, int width, Random random, string label,
        TensorLayout layout = TensorLayout.Blocked16)
    {
        float[] x = ConvReference.RandomValues(random, g.InputLength);
        float[] w = ConvReference.RandomValues(random, g.WeightLength);
        float[] b = ConvReference.RandomValues(random, g.OutChannels);
        float[]? residual = withResidual ? ConvReference.RandomValues(random, g.OutputLength) : null;
        float[] expected = BlockedReference.Conv2d(x, w, b, residual, g, act);
        var input = Guarded.Input(layout == TensorLayout.Blocked16 ? BlockedReference.ToBlocked(x, g.InChannels, g.InHeight * g.InWidth) : x);
        var output = Guarded.Output(Blocked16.Length(g.OutChannels, g.OutputPlane));
        float[] res = residual is null ? [] : BlockedReference.ToBlocked(residual, g.OutChannels, g.OutputPlane);
        act.Accept(new PointwiseUser(width, input, output, PointwiseConv2d.Pack(w, b, g), res, g, tile, layout));
        output.AssertGuardsIntact(label);
        Assert.Null(BlockedReference.PaddingLanesProblem(output.Span, g.OutChannels, g.OutputPlane));
        AssertClose(BlockedReference.FromBlocked(output.Span, g.OutChannels, g.OutputPlane), expected, g.ReductionLength, label);
    }

    private sealed class DirectUser(int width, Guarded input, Guarded output, float[] packed, float[] residual, Conv2dGeometry g,
        TensorLayout layout, ConvTile tile, Guarded workspace) : IActivationUser
    {
        public void Use<TAct>(TAct activation) where TAct : struct, IActivation =>
            DirectConv2d.Run(width, input.Span, output.Span, packed, residual, g, layout, tile, activation, workspace.Span);
    }

    private sealed class PointwiseUser(int width, Guarded input, Guarded output, float[] packed, float[] residual, Conv2dGeometry g,
        ConvTile tile, TensorLayout layout) : IActivationUser
    {
        public void Use<TAct>(TAct activation) where TAct : struct, IActivation =>
            PointwiseConv2d.Run(width, input.Span, output.Span, packed, residual, g, layout, tile, activation);
    }
}
