using ConvGen.Reference;
using ConvGen.Runtime.Kernels;

namespace ConvGen.IsaCheck.Checks;

/// <summary>
/// <see cref="ChannelShuffle"/> and <see cref="Softmax"/> through their public entry points, against
/// <see cref="ElementwiseReference"/> (the element-wise layers are checked in BlockedChecks, in both layouts).
/// </summary>
internal static class ElementwiseChecks
{
    [IsaCheck("elementwise.shuffle")]
    public static void Shuffle(CheckContext context)
    {
        var random = new Random(305);
        foreach ((int channels, int groups) in new[] { (1, 1), (4, 2), (6, 3), (8, 4), (12, 2), (24, 8), (9, 9), (58, 2) })
            foreach (int spatial in new[] { 1, 3, 16, 17, 49 })
            {
                float[] x = ConvReference.RandomValues(random, channels * spatial);
                var y = new float[x.Length];
                ChannelShuffle.Forward(x, y, channels, groups, spatial);
                context.ExpectEqual($"{channels} channels, {groups} groups, spatial {spatial}", y,
                    ElementwiseReference.ChannelShuffle(x, channels, groups, spatial));
            }
    }

    [IsaCheck("softmax")]
    public static void SoftmaxAndLog(CheckContext context)
    {
        var random = new Random(306);
        foreach (int inner in new[] { 1, 2, 3, 17, 33 })
            foreach (int axis in new[] { 1, 2, 5, 10, 16, 17, 33, 100 })
                foreach (float scale in new[] { 3f, 1000f })
                {
                    int outer = 1 + (axis + inner) % 3;
                    float[] x = ConvReference.RandomValues(random, outer * axis * inner, scale);
                    string shape = $"[{outer}, {axis}, {inner}] x{scale}";
                    foreach (bool log in new[] { false, true })
                    {
                        var y = new float[x.Length];
                        if (log) Softmax.LogForward(x, y, outer, axis, inner);
                        else Softmax.Forward(x, y, outer, axis, inner);
                        float[] expected = ElementwiseReference.Softmax(x, outer, axis, inner, log);
                        string label = $"{(log ? "log_softmax" : "softmax")} {shape}";
                        context.ExpectWithin(label, y, expected, 2e-6);
                        float[] z = (float[])x.Clone();
                        if (log) Softmax.LogForward(z, z, outer, axis, inner);
                        else Softmax.Forward(z, z, outer, axis, inner);
                        context.ExpectWithin(label + " in place", z, expected, 2e-6);
                    }
                }
    }

    [IsaCheck("elementwise.arguments")]
    public static void Arguments(CheckContext context)
    {
        context.ExpectArgumentException("shuffle groups", () => ChannelShuffle.Forward(new float[6], new float[6], 3, 2, 2));
        context.ExpectArgumentException("softmax length", () => Softmax.Forward(new float[6], new float[5], 1, 3, 2));
    }
}
