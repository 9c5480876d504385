using Drawbridge.Edge.Identity;
using Microsoft.Extensions.Time.Testing;

namespace Drawbridge.Tests.Edge.Identity;

public sealed class DeviceAuthorizationsTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-26T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void ApprovedGrant_IsHandedOutOnceAfterPending()
    {
        var devices = new DeviceAuthorizations(_time);
        var (deviceCode, grant) = devices.Start("db.test")!.Value;
        var session = Guid.NewGuid();

        Assert.Matches("^[BCDFGHJKLMNPQRSTVWXZ]{8}$", grant.UserCode);
        Assert.Equal(DevicePollOutcome.Pending, devices.Poll(deviceCode).Outcome);
        Assert.True(devices.Approve(DeviceAuthorizations.Display(grant.UserCode).ToLowerInvariant(), session));
        _time.Advance(grant.Interval);
        var (outcome, approved) = devices.Poll(deviceCode);

        Assert.Equal(DevicePollOutcome.Approved, outcome);
        Assert.Equal(session, approved!.ApprovedSession);
        Assert.Equal("db.test", approved.App);
        _time.Advance(grant.Interval);
        Assert.Equal(DevicePollOutcome.Expired, devices.Poll(deviceCode).Outcome);
    }

    [Fact]
    public void PollingFasterThanTheInterval_GetsSlowDownAndALongerInterval()
    {
        var devices = new DeviceAuthorizations(_time);
        var (deviceCode, grant) = devices.Start("db.test")!.Value;

        Assert.Equal(DevicePollOutcome.Pending, devices.Poll(deviceCode).Outcome);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(DevicePollOutcome.SlowDown, devices.Poll(deviceCode).Outcome);
        Assert.Equal(TimeSpan.FromSeconds(10), grant.Interval);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(DevicePollOutcome.Pending, devices.Poll(deviceCode).Outcome);
    }

    [Fact]
    public void DeniedGrant_ReportsAccessDenied()
    {
        var devices = new DeviceAuthorizations(_time);
        var (deviceCode, grant) = devices.Start("db.test")!.Value;

        Assert.True(devices.Deny(grant.UserCode));

        Assert.Equal(DevicePollOutcome.Denied, devices.Poll(deviceCode).Outcome);
        Assert.Null(devices.FindByUserCode(grant.UserCode));
    }

    [Fact]
    public void Grant_ExpiresAfterTenMinutes()
    {
        var devices = new DeviceAuthorizations(_time);
        var (deviceCode, grant) = devices.Start("db.test")!.Value;

        _time.Advance(DeviceAuthorizations.Lifetime);

        Assert.Equal(DevicePollOutcome.Expired, devices.Poll(deviceCode).Outcome);
        Assert.False(devices.Approve(grant.UserCode, Guid.NewGuid()));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("AAAA-AAAA")]
    [InlineData("BCDF-GHJ")]
    [InlineData("BCDFGHJKLMNPQRSTVWXZBCDF")]
    public void UnknownOrMalformedUserCodes_FindNothing(string? typed) =>
        Assert.Null(new DeviceAuthorizations(_time).FindByUserCode(typed));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-a-device-code")]
    public void UnknownDeviceCodes_AreExpired(string? deviceCode) =>
        Assert.Equal(DevicePollOutcome.Expired, new DeviceAuthorizations(_time).Poll(deviceCode).Outcome);

    [Fact]
    public void Poll_WithA10KbCode_IsRefusedQuietly() =>
        Assert.Equal(DevicePollOutcome.Expired, new DeviceAuthorizations(_time).Poll(new string('x', 10_000)).Outcome);
}
