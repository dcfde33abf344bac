// Portable: compiled into the runtime and linked into the generator (netstandard2.0, CONVGEN_GENERATOR), so that the
// plan records the broadcast kernels' operand forms and strides as the very types the kernels take.

#if CONVGEN_GENERATOR
namespace ConvGen.Generator.Planning;
#else
namespace ConvGen.Runtime.Kernels;
#endif

/// <summary>The arithmetic of Add, Subtract and Multiply.</summary>
public enum BinaryOperation { Add, Subtract, Multiply }

/// <summary>How an operand of a channel-wise broadcast lines up with the output.</summary>
public enum OperandForm
{
    /// <summary>The output's shape and layout.</summary>
    Full,
    /// <summary>One value per channel (C×1×1, a squeeze-excitation gate): <c>channels</c> consecutive floats, in CHW or padded blocked order alike.</summary>
    Channel,
    /// <summary>One value for everything (a number, or a tensor of ones): element 0.</summary>
    Single,
}

/// <summary>Sizes or strides of a tensor of up to four dimensions, leading ones first (a C×H×W tensor is (1, C, H, W)).</summary>
public readonly record struct Dims4(int D0, int D1, int D2, int D3);
