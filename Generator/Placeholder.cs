namespace ConvGen.Generator;
internal static class Placeholder { }
