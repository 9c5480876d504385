using Drawbridge.Protocol.Multiplexing;
using Microsoft.Extensions.Time.Testing;

namespace Drawbridge.Protocol.Tests.Multiplexing;

/// <summary>The window arithmetic of SPEC.md §6 on a fake clock.</summary>
public sealed class ReceiveWindowTests
{
    private const int KiB = 1024;
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Receive_BeyondTheGrantedWindow_IsRefused()
    {
        var window = NewWindow(256 * KiB);

        Assert.True(window.TryReceive(256 * KiB));
        Assert.False(window.TryReceive(1));
    }

    [Fact]
    public void Credit_IsReturnedOnceHalfTheWindowIsConsumed_NotBefore()
    {
        var window = NewWindow(256 * KiB);
        window.TryReceive(256 * KiB);
        _time.Advance(TimeSpan.FromSeconds(1)); // a slow reader: no growth

        Assert.Equal(0, Consume(window, 128 * KiB - 1));
        Assert.Equal(128 * KiB, Consume(window, 1));
        Assert.Equal(256 * KiB, window.Size);
        Assert.True(window.TryReceive(128 * KiB));
        Assert.False(window.TryReceive(1));
    }

    [Fact]
    public void Window_DoublesWhenHalfIsConsumedWithinTwoRoundTrips()
    {
        var window = NewWindow(256 * KiB);
        window.TryReceive(256 * KiB);
        _time.Advance(TimeSpan.FromMilliseconds(150));

        int increment = Consume(window, 128 * KiB, rtt: TimeSpan.FromMilliseconds(100));

        Assert.Equal(512 * KiB, window.Size);
        Assert.Equal(128 * KiB + 256 * KiB, increment); // the growth rides in the same update
        Assert.True(window.TryReceive(128 * KiB + 256 * KiB));
        Assert.False(window.TryReceive(1));
    }

    [Fact]
    public void Window_StaysWhenHalfTakesLongerThanTwoRoundTrips()
    {
        var window = NewWindow(256 * KiB);
        window.TryReceive(256 * KiB);
        _time.Advance(TimeSpan.FromMilliseconds(250));

        Assert.Equal(128 * KiB, Consume(window, 128 * KiB, rtt: TimeSpan.FromMilliseconds(100)));
        Assert.Equal(256 * KiB, window.Size);
    }

    [Fact]
    public void Window_CountsAnRttBelowOneMillisecondAsOne()
    {
        var window = NewWindow(256 * KiB);
        window.TryReceive(256 * KiB);
        _time.Advance(TimeSpan.FromMilliseconds(1.5));

        Consume(window, 128 * KiB, rtt: TimeSpan.Zero);

        Assert.Equal(512 * KiB, window.Size);
    }

    [Fact]
    public void Window_NeverGrowsPastItsMaximum()
    {
        var window = new ReceiveWindow(256 * KiB, 384 * KiB, _time.GetTimestamp());
        window.TryReceive(256 * KiB);

        Assert.Equal(128 * KiB + 128 * KiB, Consume(window, 128 * KiB));
        Assert.Equal(384 * KiB, window.Size);
        window.TryReceive(192 * KiB);
        Consume(window, 192 * KiB);
        Assert.Equal(384 * KiB, window.Size);
    }

    [Fact]
    public void GrowTo_RaisesTheWindowOnce_AndNeverShrinksIt()
    {
        var window = new ReceiveWindow(4_096 * KiB, 65_536 * KiB, _time.GetTimestamp());

        Assert.Equal(4_096 * KiB, window.GrowTo(8_192 * KiB, _time.GetTimestamp()));
        Assert.Equal(0, window.GrowTo(8_192 * KiB, _time.GetTimestamp()));
        Assert.Equal(0, window.GrowTo(1_024 * KiB, _time.GetTimestamp()));
        Assert.Equal(8_192 * KiB, window.Size);
        Assert.True(window.TryReceive(8_192 * KiB));
    }

    [Fact]
    public void GrowTo_StopsAtTheMaximum()
    {
        var window = new ReceiveWindow(4_096 * KiB, 65_536 * KiB, _time.GetTimestamp());

        Assert.Equal(61_440 * KiB, window.GrowTo(int.MaxValue, _time.GetTimestamp()));
        Assert.Equal(65_536 * KiB, window.Size);
    }

    private ReceiveWindow NewWindow(int size) => new(size, 16 * 1024 * KiB, _time.GetTimestamp());

    private int Consume(ReceiveWindow window, int count, TimeSpan rtt = default) =>
        window.OnConsumed(count, _time.GetTimestamp(), rtt, _time);
}
