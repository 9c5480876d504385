namespace Drawbridge.Edge.Identity;

/// <summary>One device authorization (RFC 8628 §3.2): the secret device code the CLI polls with, the
/// short user code the person types, and the app it is for.</summary>
internal sealed class DeviceGrant(string deviceCodeHash, string userCode, string app, DateTimeOffset expiresAt, TimeSpan interval)
{
    public string DeviceCodeHash { get; } = deviceCodeHash;

    public string UserCode { get; } = userCode;

    public string App { get; } = app;

    public DateTimeOffset ExpiresAt { get; } = expiresAt;

    public TimeSpan Interval { get; set; } = interval;

    public DateTimeOffset? LastPoll { get; set; }

    public Guid? ApprovedSession { get; set; }

    public bool Denied { get; set; }

    public override string ToString() => $"DeviceGrant {{ UserCode = {UserCode}, App = {App} }}";
}
