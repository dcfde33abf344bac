using System.Runtime.Intrinsics;

namespace ConvGen.Runtime.Simd;

/// <summary>Which vector width the kernels run at on this machine, as chosen by the dispatchers.</summary>
public static class Isa
{
    /// <summary>
    /// Lanes of the widest accelerated vector (16, 8, 4) or 1 for the scalar path. The dispatchers test the same
    /// <c>IsHardwareAccelerated</c> properties in the same order, so this is the width they pick. Set
    /// <c>DOTNET_EnableAVX512=0</c>, <c>DOTNET_EnableAVX2=0</c> or <c>DOTNET_EnableHWIntrinsic=0</c> to force a narrower one.
    /// </summary>
    public static int ActiveWidth =>
        Vector512.IsHardwareAccelerated ? Vector512<float>.Count :
        Vector256.IsHardwareAccelerated ? Vector256<float>.Count :
        Vector128.IsHardwareAccelerated ? Vector128<float>.Count : 1;
}
