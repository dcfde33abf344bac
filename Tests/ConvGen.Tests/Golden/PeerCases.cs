using ConvGen.Networks;

namespace ConvGen.Tests.Golden;

/// <summary>The MLPerf Tiny reference networks of ../shared/peers, with their PyTorch weights and outputs (Tests/Golden/import_peers.py).</summary>
internal static class PeerCases
{
    public static readonly GoldenCase[] All =
    [
        GoldenCase.Of<PeerResNet8>("peer_resnet8", PeerResNet8.InputLength, PeerResNet8.OutputLength, static path => PeerResNet8.Load(path), static (net, x, y) => net.Run(x, y)),
        GoldenCase.Of<PeerDSCNN>("peer_dscnn", PeerDSCNN.InputLength, PeerDSCNN.OutputLength, static path => PeerDSCNN.Load(path), static (net, x, y) => net.Run(x, y)),
    ];
}
