using System.Runtime.Intrinsics;

namespace ConvGen.Runtime.Simd;

/// <summary>A kernel call waiting for its vector width: its arguments as fields, its body generic over the width.</summary>
internal interface IWidthKernel
{
    void Run<TOps, TVec>() where TOps : IVectorOps<TVec> where TVec : struct;
}

/// <summary>
/// The one width dispatch: runs a kernel at the widest accelerated vector width (512, 256, 128 bits, else scalar).
/// Each test is a JIT-time constant (never cached in a local), so a dispatch compiles to one direct call.
/// </summary>
internal static class WidthDispatch
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<TKernel>(scoped ref TKernel kernel) where TKernel : IWidthKernel, allows ref struct
    {
        if (Vec512.IsHardwareAccelerated) kernel.Run<Vec512, Vector512<float>>();
        else if (Vec256.IsHardwareAccelerated) kernel.Run<Vec256, Vector256<float>>();
        else if (Vec128.IsHardwareAccelerated) kernel.Run<Vec128, Vector128<float>>();
        else kernel.Run<Scalar, float>();
    }

    /// <summary>
    /// Runs <paramref name="kernel"/> at the width of <paramref name="lanes"/> (16, 8, 4 or 1; tests force each width),
    /// or at the widest accelerated one for 0.
    /// </summary>
    public static void Run<TKernel>(int lanes, scoped ref TKernel kernel) where TKernel : IWidthKernel, allows ref struct
    {
        switch (lanes)
        {
            case 0: Run(ref kernel); break;
            case 16: kernel.Run<Vec512, Vector512<float>>(); break;
            case 8: kernel.Run<Vec256, Vector256<float>>(); break;
            case 4: kernel.Run<Vec128, Vector128<float>>(); break;
            case 1: kernel.Run<Scalar, float>(); break;
            default: throw new ArgumentException($"No vector width of {lanes} lanes (16, 8, 4 or 1).", nameof(lanes));
        }
    }
}
