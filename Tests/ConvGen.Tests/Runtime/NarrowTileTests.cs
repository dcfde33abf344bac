using ConvGen.Runtime.Kernels;

namespace ConvGen.Tests.Runtime;

/// <summary>The positions of a narrow-path tile (<see cref="TileDriver.NarrowTilePositions"/>).</summary>
public class NarrowTileTests
{
    [Theory]
    [InlineData(6, 10, 5)]   // LeNet-5's second convolution: two tiles of 5, not two of 6 recomputing two positions
    [InlineData(6, 125, 6)]  // DS-CNN's flattened 25x5 map: 21 tiles of 6 (one recomputed) beat 25 of 5
    [InlineData(6, 12, 6)]   // a multiple of 6 keeps 6
    [InlineData(6, 16, 4)]   // 4 tiles of 4 (cost 20) against 3 of 6 (18 positions, cost 21) and 4 of 5 (cost 24)
    [InlineData(5, 5, 5)]    // a row as wide as the tile
    [InlineData(1, 7, 1)]    // never below one position
    public void NarrowTilePositions_TakesTheLeastWork(int most, int columns, int expected)
    {
        Assert.Equal(expected, TileDriver.NarrowTilePositions(most, columns));
    }
}
