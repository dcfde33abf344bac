using System.Runtime.Intrinsics;
using ConvGen.Reference;
using ConvGen.Runtime.Kernels;
using ConvGen.Runtime.Simd;
using static ConvGen.Tests.Runtime.PoolingTestSupport;

namespace ConvGen.Tests.Runtime;

public class ConvTransposeKernelTests
{
    // ---- Width-forcing entry point ----

    /// <summary>
    /// Packs, then runs the given width. The output starts stale and the workspace full of NaN, so a kernel that
    /// leaves an output unwritten or reads columns it did not write fails.
    /// </summary>
    private static float[] Run(int width, float[] x, float[] weights, float[]? bias, ConvTranspose2dGeometry g, Epilogue epilogue)
    {
        float[] packed = ConvTranspose2d.PackWeights(weights, g);
        var y = new float[g.OutputLength];
        Array.Fill(y, 12345f);
        var workspace = new float[ConvTranspose2d.WorkspaceLength(g)];
        Array.Fill(workspace, float.NaN);
        switch (width)
        {
            case 16: ConvTranspose2d.Forward<Vec512, Vector512<float>>(x, y, packed, bias, g, epilogue, workspace); break;
            case 8: ConvTranspose2d.Forward<Vec256, Vector256<float>>(x, y, packed, bias, g, epilogue, workspace); break;
            case 4: ConvTranspose2d.Forward<Vec128, Vector128<float>>(x, y, packed, bias, g, epilogue, workspace); break;
            default: ConvTranspose2d.Forward<Scalar, float>(x, y, packed, bias, g, epilogue, workspace); break;
        }
        return y;
    }

    /// <summary>A geometry with PyTorch's output size, or null when that output would be empty.</summary>
    private static ConvTranspose2dGeometry? Geometry(int inC, int inH, int inW, int outC, int kh, int kw, int sh, int sw,
        int ph, int pw, int dh, int dw, int oph, int opw, int groups)
    {
        int outH = ConvTransposeReference.OutputSize(inH, kh, sh, ph, dh, oph);
        int outW = ConvTransposeReference.OutputSize(inW, kw, sw, pw, dw, opw);
        return outH < 1 || outW < 1 ? null : new ConvTranspose2dGeometry(inC, inH, inW, outC, outH, outW, kh, kw, sh, sw, ph, pw, dh, dw, groups);
    }

    /// <summary>
    /// Random PyTorch-legal geometries: groups 1, 2, 4 or depthwise (groups = in, out = in or 2 * in), kernel 1..5
    /// per axis, stride 1..3, padding 0..k-1, dilation 1..2, output_padding below max(stride, dilation); input maps
    /// up to 8x20 (height 1 when <paramref name="oneDimensional"/>), now and then 17..24 input channels per group.
    /// </summary>
    private static IEnumerable<ConvTranspose2dGeometry> RandomGeometries(int seed, int count, bool oneDimensional)
    {
        var rng = new Random(seed);
        int produced = 0;
        while (produced < count)
        {
            int kind = rng.Next(4);
            bool depthwise = kind == 3;
            int groups = depthwise ? rng.Next(1, 7) : 1 << kind;
            int inPer = depthwise ? 1 : rng.Next(8) == 0 ? rng.Next(17, 25) : rng.Next(1, 6);
            int outPer = depthwise ? rng.Next(1, 3) : rng.Next(1, 8);
            int kh = oneDimensional ? 1 : rng.Next(1, 6), kw = rng.Next(1, 6);
            int sh = oneDimensional ? 1 : rng.Next(1, 4), sw = rng.Next(1, 4);
            int dh = oneDimensional ? 1 : rng.Next(1, 3), dw = rng.Next(1, 3);
            int ph = rng.Next(0, kh), pw = rng.Next(0, kw);
            int oph = rng.Next(0, Math.Max(sh, dh)), opw = rng.Next(0, Math.Max(sw, dw));
            int inH = oneDimensional ? 1 : rng.Next(1, 9), inW = rng.Next(1, 21);
            var g = Geometry(groups * inPer, inH, inW, groups * outPer, kh, kw, sh, sw, ph, pw, dh, dw, oph, opw, groups);
            if (g is null) continue;
            produced++;
            yield return g.Value;
        }
    }

    private static readonly ActivationKind[] Activations = Enum.GetValues<ActivationKind>();

    private static Epilogue EpilogueOf(ActivationKind kind) => new(kind, kind == ActivationKind.LeakyReLU ? 0.1f : 0f);

    /// <summary>Runs one case at one width against the reference, with a tolerance that grows with the reduction length.</summary>
    private static void Check(int width, Random rng, ConvTranspose2dGeometry g, bool withBias, ActivationKind activation, string what)
    {
        float[] x = RandomValues(rng, g.InputLength, 1f);
        float[] w = RandomValues(rng, g.WeightsLength, 0.5f);
        float[]? bias = withBias ? RandomValues(rng, g.OutChannels, 1f) : null;
        float[] expected = ConvTransposeReference.Forward(x, w, bias, g, activation, EpilogueOf(activation).Alpha);
        float[] actual = Run(width, x, w, bias, g, EpilogueOf(activation));
        AssertClose(expected, actual, Tolerance(g), $"{what}: width {width}, {g}, bias {withBias}, {activation}");
    }

    private static double Tolerance(ConvTranspose2dGeometry g) => 2e-6 * Math.Sqrt(ConvTransposeReference.ReductionLength(g));

    // ---- Against the naive reference ----

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void RandomGeometries_EveryEpilogue_MatchReference(int width)
    {
        var rng = new Random(31);
        int i = 0;
        foreach (var g in RandomGeometries(1, 300, oneDimensional: false))
        {
            Check(width, rng, g, withBias: i % 3 != 0, Activations[i % Activations.Length], $"case {i}");
            i++;
        }
    }

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void OneDimensional_HeightOne_MatchReference(int width)
    {
        var rng = new Random(32);
        int i = 0;
        foreach (var g in RandomGeometries(2, 200, oneDimensional: true))
        {
            Check(width, rng, g, withBias: i % 2 == 0, Activations[i % Activations.Length], $"case {i}");
            i++;
        }
    }

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void DepthwiseTransposed_EveryMapWidth_MatchReference(int width)
    {
        // groups = in = out: no GEMM, col2im scales the input plane. Map widths 1..(3*16+1) cover vector loops and tails.
        var rng = new Random(33);
        foreach (var (k, s, p, op) in new[] { (3, 1, 1, 0), (4, 2, 1, 0), (3, 2, 1, 1), (2, 2, 0, 0), (5, 3, 2, 2) })
            for (int inW = 1; inW <= 3 * 16 + 1; inW += 4)
            {
                var g = Geometry(3, 1 + inW % 4, inW, 3, k, k, s, s, p, p, 1, 1, op, op, 3);
                if (g is null) continue;
                Check(width, rng, g.Value, withBias: true, ActivationKind.ReLU, $"k{k} s{s} p{p} op{op}");
            }
    }

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void InputPositions_AroundEveryVectorWidth_MatchReference(int width)
    {
        // n = InHeight * InWidth from 1 (a 1x1 latent: columns along rows) past 3*16 (full 3-vector tiles, one-vector
        // tiles, the overlapped last vector); m = out * 9 from 9 (one partial tile) to 90 (several panels, a partial one).
        var rng = new Random(34);
        foreach (var (inC, outC) in new[] { (2, 1), (3, 2), (7, 10), (20, 5) })
            for (int n = 1; n <= 3 * 16 + 5; n++)
            {
                int inH = n % 3 == 0 ? 3 : 1, inW = n % 3 == 0 ? n / 3 : n;
                var g = Geometry(inC, inH, inW, outC, 3, 3, 2, 2, 1, 1, 1, 1, n % 2, n % 2, 1)!.Value;
                Check(width, rng, g, withBias: n % 2 == 0, ActivationKind.None, $"n {n}");
            }
    }

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void Decoder64To32_4x4Stride2_MatchReference(int width)
    {
        // A DCGAN/U-Net decoder step: 64x16x16 -> 32x32x32, kernel 4, stride 2, padding 1.
        var g = new ConvTranspose2dGeometry(64, 16, 16, 32, 32, 32, 4, 4, 2, 2, 1, 1, 1, 1, 1);
        Check(width, new Random(35), g, withBias: true, ActivationKind.ReLU, "decoder");
    }

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void LongRows_PastThePhaseSplitBuffer_MatchReference(int width)
    {
        // Output rows longer than 4096 floats are not accumulated phase-split but scattered with the stride.
        var rng = new Random(39);
        foreach (var (inW, s, k, p, op) in new[] { (2100, 2, 3, 1, 1), (1400, 3, 5, 2, 2), (2047, 2, 4, 1, 0) })
        {
            var g = Geometry(3, 1, inW, 2, 1, k, 1, s, 0, p, 1, 1, 0, op, 1)!.Value;
            Check(width, rng, g, withBias: true, ActivationKind.GELU, $"width {g.OutWidth}");
        }
    }

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void PaddingPastTheDilatedKernel_DropsTheOutsideTaps(int width)
    {
        // PyTorch accepts padding > dilation * (kernel - 1) while the output stays non-empty: whole taps and input
        // rows/columns then land outside the output.
        var rng = new Random(41);
        foreach (var (k, s, p, d) in new[] { (1, 2, 1, 1), (3, 2, 3, 1), (2, 3, 2, 2), (2, 1, 2, 1), (3, 3, 4, 1) })
        {
            var g = Geometry(4, 5, 19, 6, k, k, s, s, p, p, d, d, 0, 0, 2);
            Assert.NotNull(g);
            Check(width, rng, g.Value, withBias: true, ActivationKind.Hardswish, $"k{k} s{s} p{p} d{d}");
        }
    }

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void UnreachedOutputs_HoldTheActivatedBias(int width)
    {
        // Kernel 1, stride 3: only every third output column is reached; output_padding 2 adds two more unreached ones,
        // and stride 2 with output_padding 1 leaves the last row unreached.
        var g = new ConvTranspose2dGeometry(2, 3, 5, 3, 2 * 2 + 1 + 1, 4 * 3 + 1 + 2, 1, 1, 2, 3, 0, 0, 1, 1, 1);
        var rng = new Random(36);
        float[] x = RandomValues(rng, g.InputLength), w = RandomValues(rng, g.WeightsLength);
        float[] bias = [-0.75f, 0.5f, 2.5f];
        var epilogue = new Epilogue(ActivationKind.Sigmoid);
        float[] y = Run(width, x, w, bias, g, epilogue);
        int reached = 0;
        for (int c = 0; c < g.OutChannels; c++)
            for (int oh = 0; oh < g.OutHeight; oh++)
                for (int ow = 0; ow < g.OutWidth; ow++)
                {
                    float value = y[(c * g.OutHeight + oh) * g.OutWidth + ow];
                    if (oh % 2 == 0 && oh < 2 * g.InHeight && ow % 3 == 0 && ow < 3 * g.InWidth) { reached++; continue; }
                    double expected = 1 / (1 + Math.Exp(-bias[c]));
                    Assert.True(Math.Abs(value - expected) <= 1e-6, $"width {width}: channel {c} ({oh}, {ow}) is {value}, expected sigmoid(bias) = {expected}");
                }
        Assert.Equal(g.OutChannels * g.InHeight * g.InWidth, reached);
        AssertClose(ConvTransposeReference.Forward(x, w, bias, g, ActivationKind.Sigmoid), y, 1e-5, $"width {width}");
    }

    [Fact]
    public void EveryWidth_SumsInTheSameOrder_BitwiseEqualResults()
    {
        // Each column is a fused multiply-add chain over the input channels in order and each output adds its taps in
        // (kh, kw) order at every width, so before a transcendental activation the widths agree to the bit.
        var rng = new Random(40);
        foreach (var g in RandomGeometries(4, 60, oneDimensional: false))
        {
            float[] x = RandomValues(rng, g.InputLength, 1f), w = RandomValues(rng, g.WeightsLength, 0.5f), bias = RandomValues(rng, g.OutChannels);
            float[] scalar = Run(1, x, w, bias, g, new Epilogue(ActivationKind.ReLU));
            foreach (int width in new[] { 4, 8, 16 })
                AssertEqual(scalar, Run(width, x, w, bias, g, new Epilogue(ActivationKind.ReLU)), $"width {width} vs scalar, {g}");
        }
    }

    [Fact]
    public void Forward_Dispatch_MatchesReference()
    {
        var rng = new Random(37);
        foreach (var g in RandomGeometries(3, 40, oneDimensional: false))
        {
            float[] x = RandomValues(rng, g.InputLength, 1f), w = RandomValues(rng, g.WeightsLength, 0.5f), bias = RandomValues(rng, g.OutChannels);
            var y = new float[g.OutputLength];
            ConvTranspose2d.Forward(x, y, ConvTranspose2d.PackWeights(w, g), bias, g, EpilogueOf(ActivationKind.SiLU), new float[ConvTranspose2d.WorkspaceLength(g)]);
            AssertClose(ConvTransposeReference.Forward(x, w, bias, g, ActivationKind.SiLU), y, Tolerance(g), $"{g}");
        }
    }

    [Fact]
    public void Forward_AcceptsALongerWorkspaceAndLeavesItsTailAlone()
    {
        var g = new ConvTranspose2dGeometry(4, 5, 6, 6, 10, 12, 2, 2, 2, 2, 0, 0, 1, 1, 2);
        var rng = new Random(38);
        float[] x = RandomValues(rng, g.InputLength), w = RandomValues(rng, g.WeightsLength);
        var y = new float[g.OutputLength];
        var workspace = new float[ConvTranspose2d.WorkspaceLength(g) + 7];
        Array.Fill(workspace, -3f);
        ConvTranspose2d.Forward(x, y, ConvTranspose2d.PackWeights(w, g), default, g, Epilogue.None, workspace);
        AssertClose(ConvTransposeReference.Forward(x, w, null, g), y, 1e-5, "longer workspace");
        for (int i = ConvTranspose2d.WorkspaceLength(g); i < workspace.Length; i++) Assert.Equal(-3f, workspace[i]);
    }

    // ---- Sizes and argument checks ----

    [Theory]
    [InlineData(64, 16, 16, 32, 4, 4, 2, 1, 1)]
    [InlineData(8, 2, 50, 6, 2, 5, 3, 0, 2)]
    [InlineData(6, 3, 3, 6, 3, 3, 2, 1, 6)]
    [InlineData(100, 1, 1, 512, 4, 4, 1, 0, 1)]
    public void WorkspaceLength_IsTheGeneratorsFormula(int inC, int inH, int inW, int outC, int kh, int kw, int s, int p, int groups)
    {
        var g = Geometry(inC, inH, inW, outC, kh, kw, s, s, p, p, 1, 1, 0, 0, groups)!.Value;
        // The generator reserves exactly (out/groups) * kh * kw * inH * inW floats.
        Assert.Equal(outC / groups * kh * kw * inH * inW, ConvTranspose2d.WorkspaceLength(g));
    }

    [Fact]
    public void InvalidSpans_Throw()
    {
        var g = new ConvTranspose2dGeometry(4, 3, 3, 6, 6, 6, 3, 3, 2, 2, 1, 1, 1, 1, 2);   // output_padding 1
        float[] packed = ConvTranspose2d.PackWeights(new float[g.WeightsLength], g);
        int workspace = ConvTranspose2d.WorkspaceLength(g);
        void Forward(int input, int output, int weights, int bias, int scratch) => ConvTranspose2d.Forward(new float[input], new float[output],
            new float[weights], new float[bias], g, Epilogue.None, new float[scratch]);

        Forward(g.InputLength, g.OutputLength, packed.Length, g.OutChannels, workspace);   // valid
        Forward(g.InputLength, g.OutputLength, packed.Length, 0, workspace);               // valid: no bias
        AssertThrows("input", () => Forward(g.InputLength - 1, g.OutputLength, packed.Length, 0, workspace));
        AssertThrows("input", () => Forward(g.InputLength + 1, g.OutputLength, packed.Length, 0, workspace));
        AssertThrows("output", () => Forward(g.InputLength, g.OutputLength - 1, packed.Length, 0, workspace));
        AssertThrows("output", () => Forward(g.InputLength, g.OutputLength + 1, packed.Length, 0, workspace));
        AssertThrows("packedWeights", () => Forward(g.InputLength, g.OutputLength, g.WeightsLength, 0, workspace));
        AssertThrows("packedWeights", () => Forward(g.InputLength, g.OutputLength, packed.Length + 1, 0, workspace));
        AssertThrows("bias", () => Forward(g.InputLength, g.OutputLength, packed.Length, g.OutChannels - 1, workspace));
        AssertThrows("bias", () => Forward(g.InputLength, g.OutputLength, packed.Length, g.OutChannels + 1, workspace));
        AssertThrows("workspace", () => Forward(g.InputLength, g.OutputLength, packed.Length, 0, workspace - 1));
        AssertThrows("weights", () => ConvTranspose2d.PackWeights(new float[g.WeightsLength - 1], g));
        AssertThrows("weights", () => ConvTranspose2d.PackWeights(new float[g.WeightsLength + 1], g));
    }

    private static void AssertThrows(string parameter, Action action)
    {
        var e = Assert.Throws<ArgumentException>(action);
        Assert.Equal(parameter, e.ParamName);
    }

    [Fact]
    public void InvalidGeometries_Throw()
    {
        var valid = new ConvTranspose2dGeometry(4, 3, 3, 6, 6, 6, 3, 3, 2, 2, 1, 1, 1, 1, 2);
        valid.Validate();
        ConvTranspose2dGeometry[] invalid =
        [
            valid with { Groups = 3 },                      // does not divide 4 input channels
            valid with { OutChannels = 5 },                 // groups 2 does not divide 5
            valid with { Groups = 0 },
            valid with { InChannels = 0, Groups = 1 },
            valid with { OutHeight = 7 },                   // output_padding 2, not below stride 2
            valid with { OutWidth = 4 },                    // output_padding -1
            valid with { StrideHeight = 0 },
            valid with { DilationWidth = 0 },
            valid with { KernelWidth = 0 },
            valid with { PadTop = -1 },
            valid with { InHeight = 0 },
            // stride 1, dilation 1: output_padding must be 0.
            new ConvTranspose2dGeometry(2, 4, 4, 2, 7, 6, 3, 3, 1, 1, 0, 0, 1, 1, 1),
        ];
        foreach (var g in invalid)
        {
            Assert.Throws<ArgumentException>(() => g.Validate());
            Assert.Throws<ArgumentException>(() => ConvTranspose2d.WorkspaceLength(g));
            Assert.Throws<ArgumentException>(() => ConvTranspose2d.Forward(new float[100], new float[100], new float[100], default, g, Epilogue.None, new float[1000]));
        }
        // stride 1, dilation 2: output_padding 1 is legal (smaller than the dilation).
        new ConvTranspose2dGeometry(2, 4, 4, 2, 9, 9, 3, 3, 1, 1, 0, 0, 2, 2, 1).Validate();
    }

    // ---- Against PyTorch 1.13 ----
    // The inputs are formulas evaluated in double and rounded to float, in both languages:
    // x[i] = sin(0.37 i + 0.1), weight[i] = 0.5 cos(0.23 i + 0.2) (PyTorch's flat layout), bias[i] = 0.1 i - 0.2.
    // Expected outputs printed by this Python (torch 1.13, numpy 1.24), one block per case below:
    //
    //   import numpy as np, torch
    //   def seq(n, f): return torch.tensor(f(np.arange(n, dtype=np.float64)).astype(np.float32))
    //   def X(n): return seq(n, lambda i: np.sin(0.37 * i + 0.1))
    //   def W(n): return seq(n, lambda i: 0.5 * np.cos(0.23 * i + 0.2))
    //   def B(n): return seq(n, lambda i: 0.1 * i - 0.2)
    //   def load(m, bias=True):
    //       with torch.no_grad():
    //           m.weight.copy_(W(m.weight.numel()).reshape(m.weight.shape))
    //           if bias: m.bias.copy_(B(m.bias.numel()))
    //       return m
    //   print(', '.join('%.9gf' % v for v in y.detach().numpy().ravel()))

    private static float[] Sequence(int length, Func<double, double> f)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (float)f(i);
        return values;
    }

    private static float[] PyX(int n) => Sequence(n, i => Math.Sin(0.37 * i + 0.1));
    private static float[] PyW(int n) => Sequence(n, i => 0.5 * Math.Cos(0.23 * i + 0.2));
    private static float[] PyB(int n) => Sequence(n, i => 0.1 * i - 0.2);

    private static void CheckPyTorch(int width, ConvTranspose2dGeometry g, bool withBias, Epilogue epilogue, float[] expected, string what)
    {
        float[] y = Run(width, PyX(g.InputLength), PyW(g.WeightsLength), withBias ? PyB(g.OutChannels) : null, g, epilogue);
        AssertClose(expected, y, 1e-5, $"{what}: width {width}");
        // The contract's bound, stated once more: |y - torch| <= 1e-4 * max(1, max|torch|).
        AssertClose(expected, y, 1e-4, what);
    }

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void PyTorch_Stride2_OutputPadding1_Bias_LeakyReLU(int width)
    {
        // m = load(torch.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1, output_padding=1))
        // y = torch.nn.functional.leaky_relu(m(X(2*3*4).reshape(1, 2, 3, 4)), 0.1)      # [1, 3, 6, 8]
        var g = new ConvTranspose2dGeometry(2, 3, 4, 3, 6, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1);
        CheckPyTorch(width, g, withBias: true, new Epilogue(ActivationKind.LeakyReLU, 0.1f), Case1, "stride 2, output_padding 1");
    }

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void PyTorch_Groups2_NonSquare_Dilation_OutputPaddingBelowDilation(int width)
    {
        // m = load(torch.nn.ConvTranspose2d(4, 6, (2, 3), stride=(2, 1), padding=(0, 1), output_padding=(1, 1), groups=2, dilation=(1, 2)))
        // y = m(X(4*3*3).reshape(1, 4, 3, 3))                                             # [1, 6, 7, 6]
        var g = new ConvTranspose2dGeometry(4, 3, 3, 6, 7, 6, 2, 3, 2, 1, 0, 1, 1, 2, 2);
        CheckPyTorch(width, g, withBias: true, Epilogue.None, Case2, "groups 2");
    }

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void PyTorch_ConvTranspose1d_Depthwise_Stride3_OutputPadding2_NoBias(int width)
    {
        // m = load(torch.nn.ConvTranspose1d(4, 4, 5, stride=3, padding=2, output_padding=2, groups=4, bias=False), bias=False)
        // y = m(X(4*6).reshape(1, 4, 6))                                                  # [1, 4, 18]
        var g = new ConvTranspose2dGeometry(4, 1, 6, 4, 1, 18, 1, 5, 1, 3, 0, 2, 1, 1, 4);
        CheckPyTorch(width, g, withBias: false, Epilogue.None, Case3, "1-D depthwise");
    }

    [Theory, MemberData(nameof(Widths), MemberType = typeof(PoolingTestSupport))]
    public void PyTorch_Latent1x1_Kernel4_Tanh(int width)
    {
        // m = load(torch.nn.ConvTranspose2d(5, 3, 4, stride=1, padding=0))
        // y = torch.tanh(m(X(5).reshape(1, 5, 1, 1)))                                     # [1, 3, 4, 4]
        var g = new ConvTranspose2dGeometry(5, 1, 1, 3, 4, 4, 4, 4, 1, 1, 0, 0, 1, 1, 1);
        CheckPyTorch(width, g, withBias: true, new Epilogue(ActivationKind.Tanh), Case4, "1x1 latent");
    }

    private static readonly float[] Case1 =
    [
        -0.0424709916f, -0.0524889193f, -0.0346639827f, -0.0346727483f, -0.0248722751f, -0.0148706855f, -0.0144211231f, -0.0183276255f,
        0.20215492f, 0.728773773f, 0.299513996f, 0.854120076f, 0.329266131f, 0.836796105f, 0.287384629f, 0.186892852f,
        -0.00472505251f, 0.200645968f, 0.0290363133f, 0.304694891f, 0.0743241459f, 0.340435743f, 0.0824834853f, -0.00436704746f,
        0.179537848f, 0.402509093f, 0.020322457f, 0.044324562f, -0.0168712586f, -0.0346928239f, -0.0361982249f, -0.0478538051f,
        0.0524099916f, 0.197543606f, -0.00118259795f, 0.0382504612f, -0.0101530449f, -0.0153288813f, -0.0204562284f, -0.0188374463f,
        -0.0287160557f, -0.0366068706f, -0.0248923432f, -0.0296111759f, -0.020406479f, -0.0213146564f, -0.015865596f, -0.0146690486f,
        0.342579424f, 0.585980713f, 0.163940817f, 0.204042405f, -0.00504209474f, -0.0219046716f, -0.0271493029f, -0.0260145348f,
        -0.00516707962f, -0.0246791746f, -0.0294103958f, -0.0707600042f, -0.0510265939f, -0.108617246f, -0.0670900494f, -0.0711455718f,
        -0.0469354317f, -0.0961805359f, -0.0617225282f, -0.118094601f, -0.0695092157f, -0.125378549f, -0.0692416206f, -0.0676524416f,
        -0.0754266307f, -0.140972272f, -0.0749080181f, -0.131090984f, -0.0656044111f, -0.104820572f, -0.0487750098f, -0.0387277044f,
        -0.060955938f, -0.094226338f, -0.0457736179f, -0.0600064658f, -0.025749499f, -0.0190184508f, -0.00359376147f, -0.0044403472f,
        -0.049913682f, -0.0745481402f, -0.0388167128f, -0.0484843664f, -0.0238195341f, -0.0172119178f, -0.00695194397f, -0.00848467927f,
        -0.019903915f, -0.0331905223f, -0.0106071122f, -0.0144378869f, 0.00125311315f, 0.0626885071f, 0.108407781f, 0.136607885f,
        -0.0448427796f, -0.0788227543f, -0.0313668512f, -0.047237169f, -0.0136455689f, -0.00925825257f, 0.0592258051f, 0.198547378f,
        0.200889945f, 0.42449218f, 0.266182601f, 0.530260146f, 0.295448691f, 0.564259827f, 0.284727186f, 0.395665526f,
        0.24689135f, 0.65148896f, 0.401141346f, 0.915064692f, 0.501098692f, 1.05479074f, 0.533234715f, 0.553592443f,
        0.235469192f, 0.408884048f, 0.154341549f, 0.240537971f, 0.0523244888f, 0.0396362096f, -0.00567744253f, -0.00648566056f,
        0.46931529f, 0.784086764f, 0.324829906f, 0.464581519f, 0.136380285f, 0.0821972787f, -0.0070527764f, -0.00678180158f,
    ];

    private static readonly float[] Case2 =
    [
        0.133239076f, 0.38626492f, 0.0492429286f, 0.226188555f, -0.0478801578f, 0.0566606373f, -0.153014943f, -0.151689649f,
        -0.260624319f, -0.349589705f, -0.365040779f, -0.418902576f, 0.468392909f, 0.903738558f, 0.324036896f, 0.608487666f,
        0.152081296f, 0.130046412f, -0.0384173989f, -0.0919638872f, -0.237426221f, -0.460273683f, -0.434463859f, -0.394057214f,
        0.0611781627f, 0.195315197f, 0.0167951733f, 0.0928180963f, -0.0390058309f, -0.163142756f, -0.103285916f, -0.152231365f,
        -0.17265968f, -0.281877667f, -0.243473366f, -0.153676987f, -0.200000003f, -0.200000003f, -0.200000003f, -0.200000003f,
        -0.200000003f, -0.200000003f, -0.36076498f, -0.61174655f, -0.442755431f, -0.756929517f, -0.506693959f, -0.694316149f,
        -0.549212992f, -0.937675357f, -0.568073213f, -0.963718832f, -0.56228143f, -0.797825396f, -0.519152999f, -1.03709376f,
        -0.68176651f, -1.30995774f, -0.813740015f, -0.729378223f, -0.908122778f, -1.65349567f, -0.95994401f, -1.7060765f,
        -0.966474414f, -0.876753628f, -0.211997449f, -0.421632439f, -0.274622917f, -0.519113779f, -0.328051507f, -0.0654043481f,
        -0.369469255f, -0.643884182f, -0.396694779f, -0.664602041f, -0.408294261f, -0.0929595083f, -0.100000001f, -0.100000001f,
        -0.100000001f, -0.100000001f, -0.100000001f, -0.100000001f, -0.432142437f, -0.780360937f, -0.379243791f, -0.675349891f,
        -0.306371421f, -0.482073903f, -0.217363313f, -0.366025239f, -0.116907269f, -0.178002954f, -0.0102940649f, -0.0457697511f,
        -0.827369928f, -1.45916104f, -0.744690299f, -1.26740241f, -0.6227898f, -0.56875807f, -0.468088776f, -0.697248578f,
        -0.288734794f, -0.348881662f, -0.094173938f, -0.100551143f, -0.303656697f, -0.51730454f, -0.283026427f, -0.451780289f,
        -0.247489944f, -0.0237357467f, -0.198918834f, -0.254053921f, -0.139871225f, -0.132265493f, -0.0734569877f, -0.0436526909f,
        0f, 0f, 0f, 0f, 0f, 0f, -0.548848808f, -1.13684618f,
        -0.595710874f, -1.19949555f, -0.605931878f, -0.744488835f, -0.578973293f, -1.11977684f, -0.5162552f, -0.981607318f,
        -0.421080619f, -0.536190033f, -0.590552688f, -1.25343239f, -0.652813911f, -1.32488739f, -0.675426543f, -0.477154583f,
        -0.657199621f, -1.24285185f, -0.59909308f, -1.09368205f, -0.504167259f, -0.361369222f, 0.134724349f, 0.13320753f,
        0.126216128f, 0.132310271f, 0.116327167f, 0.431211978f, 0.105578296f, 0.125547677f, 0.0945356339f, 0.120038398f,
        0.0837807655f, 0.325883746f, 0.100000001f, 0.100000001f, 0.100000001f, 0.100000001f, 0.100000001f, 0.100000001f,
        -0.198462144f, -0.444649875f, -0.0548578352f, -0.168875173f, 0.102169171f, 0.0631708056f, 0.264348626f, 0.425409555f,
        0.423139036f, 0.712620318f, 0.570177376f, 0.625132084f, -0.277421653f, -0.51790601f, -0.125531539f, -0.216357633f,
        0.0435033888f, 0.065496251f, 0.220780566f, 0.435487688f, 0.396963298f, 0.751453757f, 0.562772512f, 0.453898251f,
        0.173880115f, 0.206199512f, 0.165355131f, 0.198598757f, 0.158654794f, 0.217211932f, 0.154131994f, 0.184015065f,
        0.15202494f, 0.177800208f, 0.152444586f, 0.000665485859f, 0.200000003f, 0.200000003f, 0.200000003f, 0.200000003f,
        0.200000003f, 0.200000003f, 0.797719479f, 1.29234231f, 0.89904803f, 1.45958805f, 0.968826473f, 1.092592f,
        1.00337958f, 1.60527062f, 1.00088775f, 1.57603478f, 0.961482108f, 1.09743476f, 0.809475482f, 1.38114381f,
        0.929345846f, 1.56697059f, 1.01607037f, 0.826139808f, 1.06508136f, 1.73216796f, 1.0737977f, 1.70283842f,
        1.04176021f, 0.857668161f, 0.255368859f, 0.26914385f, 0.260643721f, 0.26715824f, 0.267991364f, -0.0246838033f,
        0.277024835f, 0.268389583f, 0.287268311f, 0.271541685f, 0.298182368f, -0.00148767233f, 0.300000012f, 0.300000012f,
        0.300000012f, 0.300000012f, 0.300000012f, 0.300000012f,
    ];

    private static readonly float[] Case3 =
    [
        0.0394338109f, 0.253347546f, 0.227576897f, 0.178888321f, 0.507425964f, 0.437084854f, 0.29413113f, 0.692826688f,
        0.587435424f, 0.369564682f, 0.784456491f, 0.658279359f, 0.394979358f, 0.769913912f, 0.640028298f, 0.366935462f,
        0.292349219f, 0.202365726f, -0.0867434442f, -0.117761642f, -0.237643361f, -0.0516978092f, -0.0897398666f, -0.140810102f,
        -0.00965511333f, -0.0495722294f, -0.0249188729f, 0.0336943567f, -0.00269522518f, 0.0943450183f, 0.0724834502f, 0.0445465669f,
        0.200839743f, 0.101462252f, 0.193639457f, 0.275618196f, 0.484489381f, 0.884787858f, 0.922945738f, 0.482207835f,
        0.827452064f, 0.85777545f, 0.414661735f, 0.658124566f, 0.676509321f, 0.290993094f, 0.399722964f, 0.403680801f,
        0.127939895f, 0.0872207284f, 0.0762159899f, -0.052429352f, -0.0532434024f, -0.0512532704f, -0.130023837f, -0.410702586f,
        -0.3095873f, -0.212245792f, -0.545971751f, -0.400002003f, -0.265741259f, -0.607346177f, -0.436278343f, -0.283269942f,
        -0.586519182f, -0.413506418f, -0.262459308f, -0.486309558f, -0.334768355f, -0.206126064f, -0.132360756f, -0.0516243502f,
    ];

    private static readonly float[] Case4 =
    [
        -0.140541747f, -0.210628763f, -0.277943373f, -0.338656366f, -0.38988173f, -0.429757744f, -0.457279444f, -0.472011656f,
        -0.473814964f, -0.462676913f, -0.438690543f, -0.402184248f, -0.353974044f, -0.29565829f, -0.229833484f, -0.16009143f,
        0.00902359281f, 0.0736526027f, 0.128678471f, 0.171220496f, 0.199371099f, 0.21205461f, 0.208840623f, 0.189834893f,
        0.155708447f, 0.107849158f, 0.0485478677f, -0.0189214777f, -0.0904556587f, -0.161545351f, -0.227855101f, -0.285748541f,
        -0.240892649f, -0.277130336f, -0.299010754f, -0.30593136f, -0.297725976f, -0.274592936f, -0.23717986f, -0.186789796f,
        -0.125612348f, -0.0568377152f, 0.0154766897f, 0.0868206024f, 0.152811021f, 0.209724709f, 0.254798144f, 0.286243439f,
    ];
}
