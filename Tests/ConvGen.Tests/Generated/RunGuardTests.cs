using System.Diagnostics;
using System.Reflection;
using ConvGen.Networks;
using LeNet5 = ConvGen.Tests.Generated.TrainedLeNetTests.LeNet5;

namespace ConvGen.Tests.Generated;

/// <summary>
/// Misuse of Run is an exception, never a wrong answer: a batch whose outputs overlap its inputs anywhere is refused
/// before anything is written, and a second thread entering an instance that is running throws
/// InvalidOperationException naming Clone() before it touches the scratch.
/// </summary>
public class RunGuardTests
{
    private static readonly string Data = Path.Combine(AppContext.BaseDirectory, "Golden", "data");

    private static float[] Values(int n, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => random.NextSingle() * 2 - 1).ToArray();
    }

    [Fact]
    public void BatchWhoseOutputsOverlapALaterSamplesInputWritesNothing()
    {
        PeerDSCNN net = PeerDSCNN.Load(Path.Combine(Data, "peer_dscnn.safetensors"));
        const int batch = 4;
        // Outputs start inside sample 2's input: sample 0 and 1 do not overlap their own outputs, but writing them
        // would change what sample 2 reads.
        float[] buffer = Values(batch * PeerDSCNN.InputLength, 5);
        float[] before = (float[])buffer.Clone();
        var ex = Assert.Throws<ArgumentException>(() =>
            net.Run(buffer.AsSpan(0, batch * PeerDSCNN.InputLength), buffer.AsSpan(2 * PeerDSCNN.InputLength, batch * PeerDSCNN.OutputLength), batch));
        Assert.Equal("outputs", ex.ParamName);
        Assert.Contains("must not overlap", ex.Message);
        Assert.Equal(before, buffer);
    }

    [Fact]
    public void BatchWithAWrongLengthWritesNothing()
    {
        PeerDSCNN net = PeerDSCNN.Load(Path.Combine(Data, "peer_dscnn.safetensors"));
        float[] outputs = Enumerable.Repeat(7f, 3 * PeerDSCNN.OutputLength).ToArray();
        Assert.Throws<ArgumentException>(() => net.Run(new float[3 * PeerDSCNN.InputLength - 1], outputs, 3));
        Assert.All(outputs, v => Assert.Equal(7f, v));
    }

    [Fact]
    public void EnteringARunningInstanceThrowsAndNamesClone()
    {
        LeNet5 net = LeNet5.Load(Path.Combine(AppContext.BaseDirectory, "Digits", "lenet5.safetensors"));
        float[] x = Values(LeNet5.InputLength, 1), y = new float[LeNet5.OutputLength], reference = new float[LeNet5.OutputLength];
        net.Run(x, reference);

        // Another thread holds the instance, exactly as inside its Run: the flag the generated Run sets on entry.
        FieldInfo running = typeof(LeNet5).GetField("_running", BindingFlags.Instance | BindingFlags.NonPublic)!;
        running.SetValue(net, 1);
        var ex = Assert.Throws<InvalidOperationException>(() => Task.Run(() => net.Run(x, y)).GetAwaiter().GetResult());
        Assert.Contains("Clone()", ex.Message);
        Assert.Contains("another thread", ex.Message);
        Assert.Throws<InvalidOperationException>(() => net.Run(new float[2 * LeNet5.InputLength], new float[2 * LeNet5.OutputLength], 2));
        Assert.All(y, v => Assert.Equal(0f, v)); // nothing was written

        running.SetValue(net, 0);
        net.Run(x, y);
        Assert.Equal(reference, y);
        net.Clone().Run(x, y); // a clone has its own flag
        Assert.Equal(reference, y);
    }

    /// <summary>
    /// Two threads share one ResNet-8 instance until one of them is refused. Whatever the timing, every Run that
    /// completes gives exactly the single-threaded output (the property that matters; it cannot flake). That a
    /// refusal comes at all needs the runs to overlap once: about 200 µs each, in a loop, for up to 60 s.
    /// </summary>
    [Fact]
    public void TwoThreadsOnOneInstanceAreRefusedNeverWrong()
    {
        PeerResNet8 net = PeerResNet8.Load(Path.Combine(Data, "peer_resnet8.safetensors"));
        float[][] inputs = { Values(PeerResNet8.InputLength, 2), Values(PeerResNet8.InputLength, 3) };
        float[][] expected = inputs.Select(x => { var y = new float[PeerResNet8.OutputLength]; net.Clone().Run(x, y); return y; }).ToArray();

        int refused = 0, completed = 0, wrong = 0;
        var deadline = Stopwatch.StartNew();
        using var start = new Barrier(2);
        void Loop(int t)
        {
            var y = new float[PeerResNet8.OutputLength];
            start.SignalAndWait();
            while (Volatile.Read(ref refused) == 0 && deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
                try
                {
                    Array.Clear(y);
                    net.Run(inputs[t], y);
                    Interlocked.Increment(ref completed);
                    if (!y.AsSpan().SequenceEqual(expected[t])) Interlocked.Increment(ref wrong);
                }
                catch (InvalidOperationException ex) when (ex.Message.Contains("Clone()"))
                {
                    Interlocked.Increment(ref refused);
                }
            }
        }
        var threads = new[] { new Thread(() => Loop(0)), new Thread(() => Loop(1)) };
        foreach (Thread thread in threads) thread.Start();
        foreach (Thread thread in threads) thread.Join();

        Assert.Equal(0, wrong);
        Assert.True(refused > 0, $"no overlap in {deadline.Elapsed.TotalSeconds:F0} s and {completed} runs");
        // The refused thread left the instance as it was: it still runs correctly.
        var after = new float[PeerResNet8.OutputLength];
        net.Run(inputs[0], after);
        Assert.Equal(expected[0], after);
    }
}
