using Drawbridge.Edge.Identity;
using Microsoft.Extensions.Time.Testing;

namespace Drawbridge.Tests.Edge.Identity;

public sealed class ExpiringCodesTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Take_ReturnsAnEntryOnce_SoAReplayedCodeFindsNothing()
    {
        var codes = new ExpiringCodes<string>(TimeSpan.FromMinutes(1), 10, _time);
        Assert.True(codes.TryAdd("code", "value"));

        Assert.Equal("value", codes.Take("code"));
        Assert.Null(codes.Take("code"));
    }

    [Fact]
    public void Take_AfterTheLifetime_FindsNothing()
    {
        var codes = new ExpiringCodes<string>(TimeSpan.FromMinutes(1), 10, _time);
        codes.TryAdd("code", "value");

        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.Null(codes.Take("code"));
    }

    [Fact]
    public void Capacity_IsBounded_AndExpiredEntriesMakeRoom()
    {
        var codes = new ExpiringCodes<string>(TimeSpan.FromMinutes(1), 2, _time);
        Assert.True(codes.TryAdd("a", "1"));
        Assert.True(codes.TryAdd("b", "2"));

        Assert.False(codes.TryAdd("c", "3"));
        _time.Advance(TimeSpan.FromMinutes(2));
        Assert.True(codes.TryAdd("c", "3"));
    }

    [Fact]
    public void Take_OfNullOrUnknown_FindsNothing()
    {
        var codes = new ExpiringCodes<string>(TimeSpan.FromMinutes(1), 2, _time);
        Assert.Null(codes.Take(null));
        Assert.Null(codes.Take("unknown"));
    }
}
