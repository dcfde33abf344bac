using Digits;
using Microsoft.Extensions.ObjectPool;

namespace DigitsServer;

/// <summary>The network's answer: the predicted digit and the ten logits it was chosen from.</summary>
public sealed record Classification(int Class, float[] Logits);

/// <summary>
/// Classifies digits with the LeNet-5 of the Digits sample, one network instance per concurrent request: a generated
/// network owns its scratch and runs one sample at a time, and <c>Clone()</c> gives another instance that shares the
/// (read-only) weights. The pool keeps the clones between requests, so a steady load makes no new ones.
/// </summary>
public sealed class DigitClassifier
{
    private readonly ObjectPool<LeNet5> pool;
    private int instancesCreated;

    public DigitClassifier(LeNet5 network, int maximumRetained)
    {
        pool = new DefaultObjectPool<LeNet5>(new ClonePolicy(network, this), maximumRetained);
    }

    /// <summary>Loads the weights once; every pooled instance is a clone sharing them.</summary>
    public static DigitClassifier Load(string weightsPath) => new(LeNet5.Load(weightsPath), 4 * Environment.ProcessorCount);

    /// <summary>How many instances the pool has cloned: at most the highest number of requests run at once.</summary>
    public int InstancesCreated => Volatile.Read(ref instancesCreated);

    /// <summary>Runs the network on one normalised digit (<see cref="LeNet5.InputLength"/> floats, CHW).</summary>
    public Classification Classify(ReadOnlySpan<float> input)
    {
        float[] logits = new float[LeNet5.OutputLength];
        LeNet5 network = pool.Get();
        try { network.Run(input, logits); }
        finally { pool.Return(network); }
        return new Classification(ArgMax(logits), logits);
    }

    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }

    private sealed class ClonePolicy(LeNet5 network, DigitClassifier owner) : PooledObjectPolicy<LeNet5>
    {
        public override LeNet5 Create()
        {
            Interlocked.Increment(ref owner.instancesCreated);
            return network.Clone();
        }

        public override bool Return(LeNet5 obj) => true;
    }
}
