using Drawbridge.Edge.Hosting;
using Drawbridge.Edge.Metrics;
using Drawbridge.Edge.Snapshots;
using Microsoft.Extensions.Logging;

namespace Drawbridge.Edge.Identity;

/// <summary>Everything the sign-in endpoints share: the state of flows in progress and where identities come from.</summary>
internal sealed class SignInServices(
    EdgeState state,
    EdgeRuntime runtime,
    AppTokens tokens,
    IPinSender pins,
    IReadOnlyDictionary<string, OidcProvider> providers,
    EdgeMetrics metrics,
    TimeProvider time,
    ILogger<SignInServices> logger)
{
    /// <summary>A browser session lasts a day; each app's tokens last its own (shorter or equal) duration.</summary>
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(24);

    public EdgeState State => state;

    public EdgeRuntime Runtime => runtime;

    public AppTokens Tokens => tokens;

    public IPinSender PinSender => pins;

    public IReadOnlyDictionary<string, OidcProvider> Providers => providers;

    public TimeProvider Time => time;

    public EdgeMetrics Metrics => metrics;

    public ILogger Logger => logger;

    public PinChallenges Pins { get; } = new(time);

    public DeviceAuthorizations Devices { get; } = new(time);

    /// <summary>OpenID sign-ins in progress: 10 minutes to come back from the provider.</summary>
    public ExpiringCodes<PendingSignIn> PendingSignIns { get; } = new(TimeSpan.FromMinutes(10), 10_000, time);

    /// <summary>CLI codes live 60 s: the CLI redeems them at once (RFC 6749 §4.1.2 recommends ≤ 10 minutes).</summary>
    public ExpiringCodes<CliGrant> CliGrants { get; } = new(TimeSpan.FromSeconds(60), 10_000, time);

    /// <summary>The edge's own URL for redirects (the provider's callback, the device page).</summary>
    public string PublicUrl => runtime.Settings.PublicUrl;
}
