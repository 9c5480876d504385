using System.Net.WebSockets;
using Drawbridge.Protocol.Multiplexing;
using Drawbridge.Protocol.Outcomes;

namespace Drawbridge.Protocol.Tests.Outcomes;

/// <summary>The tables of SPEC.md §5 and §7.</summary>
public sealed class ConnectionOutcomesTests
{
    public static TheoryData<MuxErrorCode, ConnectionOutcome> SpecTable => new()
    {
        { MuxErrorCode.NoError, ConnectionOutcome.Closed },
        { MuxErrorCode.ProtocolError, ConnectionOutcome.ProtocolError },
        { MuxErrorCode.InternalError, ConnectionOutcome.InternalError },
        { MuxErrorCode.FlowControlError, ConnectionOutcome.ProtocolError },
        { MuxErrorCode.FrameSizeError, ConnectionOutcome.ProtocolError },
        { MuxErrorCode.RefusedStream, ConnectionOutcome.GoingAway },
        { MuxErrorCode.Cancel, ConnectionOutcome.Reset },
        { MuxErrorCode.NoIngressRule, ConnectionOutcome.NoIngressRule },
        { MuxErrorCode.OriginUnreachable, ConnectionOutcome.OriginUnreachable },
        { MuxErrorCode.OriginRefused, ConnectionOutcome.OriginRefused },
        { MuxErrorCode.OriginTimeout, ConnectionOutcome.OriginTimeout },
        { MuxErrorCode.OriginReset, ConnectionOutcome.Reset },
        { MuxErrorCode.AccessRevoked, ConnectionOutcome.AccessRevoked },
        { MuxErrorCode.SessionExpired, ConnectionOutcome.SessionExpired },
        { MuxErrorCode.GoingAway, ConnectionOutcome.GoingAway },
        { MuxErrorCode.LinkLost, ConnectionOutcome.LinkLost },
        { MuxErrorCode.NoRoute, ConnectionOutcome.NoRoute },
        { MuxErrorCode.NoConnector, ConnectionOutcome.NoConnector },
    };

    public static TheoryData<MuxErrorCode> EveryCode => [.. Enum.GetValues<MuxErrorCode>()];

    public static TheoryData<ConnectionOutcome> EveryOutcome => [.. Enum.GetValues<ConnectionOutcome>()];

    [Theory]
    [MemberData(nameof(SpecTable))]
    public void MuxError_MapsToTheOutcomeOfTheSpecTable(MuxErrorCode code, ConnectionOutcome outcome)
    {
        Assert.Equal(outcome, ConnectionOutcomes.FromMuxError(code));
    }

    [Fact]
    public void SpecTable_CoversEveryMuxErrorCode()
    {
        Assert.Equal(Enum.GetValues<MuxErrorCode>().Order(), SpecTable.Select(row => (MuxErrorCode)row[0]).Order());
    }

    [Theory]
    [InlineData(18u)]
    [InlineData(999u)]
    [InlineData(uint.MaxValue)]
    public void UnknownMuxError_IsAnInternalError(uint code)
    {
        Assert.Equal(ConnectionOutcome.InternalError, ConnectionOutcomes.FromMuxError((MuxErrorCode)code));
    }

    [Theory]
    [MemberData(nameof(EveryCode))]
    public void CloseStatus_RoundTripsToTheSameOutcome(MuxErrorCode code)
    {
        WebSocketCloseStatus status = ConnectionOutcomes.CloseStatusFor(code);

        Assert.Equal(ConnectionOutcomes.FromMuxError(code), ConnectionOutcomes.FromCloseStatus(status));
        Assert.Equal(code == MuxErrorCode.NoError ? 1000 : 4000 + (int)code, (int)status);
    }

    [Theory]
    [InlineData(1000, ConnectionOutcome.Closed)]
    [InlineData(4009, ConnectionOutcome.OriginRefused)]
    [InlineData(4006, ConnectionOutcome.Reset)]
    [InlineData(4999, ConnectionOutcome.InternalError)]
    [InlineData(1001, ConnectionOutcome.InternalError)]
    [InlineData(1006, ConnectionOutcome.InternalError)]
    [InlineData(1011, ConnectionOutcome.InternalError)]
    [InlineData(3999, ConnectionOutcome.InternalError)]
    [InlineData(5000, ConnectionOutcome.InternalError)]
    public void CloseStatus_ReadsAsTheSpecSays(int status, ConnectionOutcome outcome)
    {
        Assert.Equal(outcome, ConnectionOutcomes.FromCloseStatus((WebSocketCloseStatus)status));
    }

    [Theory]
    [MemberData(nameof(EveryOutcome))]
    public void WireName_RoundTrips(ConnectionOutcome outcome)
    {
        string name = outcome.WireName();

        Assert.Equal(outcome, ConnectionOutcomes.FromWireName(name));
        Assert.Matches("^[a-z]+(_[a-z]+)*$", name);
    }

    [Fact]
    public void WireNames_AreTheOnesOfTheSpec()
    {
        string[] spec =
        [
            "closed", "unauthenticated", "denied", "no_route", "no_connector", "edge_draining", "no_ingress_rule",
            "origin_unreachable", "origin_refused", "origin_timeout", "reset", "access_revoked", "session_expired",
            "going_away", "link_lost", "protocol_error", "internal_error", "edge_unreachable",
        ];

        Assert.Equal(spec.Order(), Enum.GetValues<ConnectionOutcome>().Select(o => o.WireName()).Order());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Closed")]
    [InlineData("no-route")]
    public void FromWireName_UnknownName_IsNull(string? name)
    {
        Assert.Null(ConnectionOutcomes.FromWireName(name));
    }

    [Theory]
    [MemberData(nameof(EveryOutcome))]
    public void Advice_IsGivenForEveryOutcome(ConnectionOutcome outcome)
    {
        Assert.False(string.IsNullOrWhiteSpace(outcome.Advice("ssh.example.com")));
    }
}
