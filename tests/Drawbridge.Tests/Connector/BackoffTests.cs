using Drawbridge.Connector.Supervision;

namespace Drawbridge.Tests.Connector;

public sealed class BackoffTests
{
    private static readonly TimeSpan Base = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Cap = TimeSpan.FromSeconds(10);

    /// <summary>A "random" source that always draws the same fraction, so the ceiling itself shows.</summary>
    private sealed class FixedRandom(double fraction) : Random
    {
        public override double NextDouble() => fraction;
    }

    private static TimeSpan Ceiling(int attempt) =>
        TimeSpan.FromMilliseconds(Math.Min(Cap.TotalMilliseconds, Base.TotalMilliseconds * Math.Pow(2, attempt)));

    [Fact]
    public void Next_StaysWithinZeroAndTheDoublingCeiling()
    {
        var backoff = new Backoff(Base, Cap, new Random(20250601));

        for (int attempt = 0; attempt < 200; attempt++)
        {
            TimeSpan delay = backoff.Next();
            Assert.InRange(delay, TimeSpan.Zero, Ceiling(attempt));
        }
    }

    [Fact]
    public void Next_DoublesTheCeilingEachAttemptUntilTheCap()
    {
        var backoff = new Backoff(Base, Cap, new FixedRandom(0.5));

        double[] delays = [.. Enumerable.Range(0, 10).Select(_ => backoff.Next().TotalMilliseconds)];

        Assert.Equal([50, 100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000], delays);
    }

    [Fact]
    public void Next_NeverExceedsTheCap_EvenAfterManyThousandAttempts()
    {
        var backoff = new Backoff(Base, Cap, new FixedRandom(0.999_999));

        TimeSpan last = TimeSpan.Zero;
        for (int attempt = 0; attempt < 10_000; attempt++)
        {
            last = backoff.Next();
            Assert.InRange(last, TimeSpan.Zero, Cap);
        }

        Assert.True(last > Cap * 0.99, $"the last delay was {last}");
    }

    [Fact]
    public void Next_IsJittered_SoAFleetDoesNotReconnectInStep()
    {
        var backoff = new Backoff(Base, Cap, new Random(42));
        for (int attempt = 0; attempt < 20; attempt++)
        {
            backoff.Next();
        }

        double[] atCap = [.. Enumerable.Range(0, 1000).Select(_ => backoff.Next().TotalMilliseconds)];

        Assert.True(atCap.Distinct().Count() > 990, "delays at the cap should almost never repeat");
        Assert.InRange(atCap.Average(), Cap.TotalMilliseconds * 0.4, Cap.TotalMilliseconds * 0.6);
        Assert.InRange(atCap.Min(), 0, Cap.TotalMilliseconds * 0.1);
        Assert.InRange(atCap.Max(), Cap.TotalMilliseconds * 0.9, Cap.TotalMilliseconds);
    }

    [Fact]
    public void Reset_StartsAgainFromTheBaseDelay()
    {
        var backoff = new Backoff(Base, Cap, new FixedRandom(0.5));
        for (int attempt = 0; attempt < 12; attempt++)
        {
            backoff.Next();
        }

        backoff.Reset();

        Assert.Equal(TimeSpan.FromMilliseconds(50), backoff.Next());
        Assert.Equal(TimeSpan.FromMilliseconds(100), backoff.Next());
    }

    [Fact]
    public void SameSeed_GivesTheSameDelays()
    {
        var first = new Backoff(Base, Cap, new Random(9));
        var second = new Backoff(Base, Cap, new Random(9));

        Assert.Equal(Enumerable.Range(0, 20).Select(_ => first.Next()), Enumerable.Range(0, 20).Select(_ => second.Next()));
    }

    [Fact]
    public void Default_StartsUnderOneSecondAndNeverWaitsLongerThanThirty()
    {
        Backoff backoff = Backoff.Default();

        Assert.InRange(backoff.Next(), TimeSpan.Zero, TimeSpan.FromSeconds(1));
        for (int attempt = 1; attempt < 100; attempt++)
        {
            Assert.InRange(backoff.Next(), TimeSpan.Zero, TimeSpan.FromSeconds(30));
        }
    }
}
