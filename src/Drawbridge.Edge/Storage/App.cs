namespace Drawbridge.Edge.Storage;

/// <summary>
/// An application: a hostname that is guarded by policies (DESIGN.md "Identity and access").
/// It is keyed by the same lowercase name as a <see cref="Route"/> but does not need one: an
/// app may be set up before its tunnel exists, and outlives the route being removed.
/// </summary>
/// <param name="Hostname">Lowercase ASCII, the rule of <see cref="RouteHostname"/>.</param>
/// <param name="SessionDuration">How long a sign-in to this app lasts: 1 minute to 30 days, whole milliseconds.</param>
internal sealed record App(string Hostname, TimeSpan SessionDuration, DateTimeOffset CreatedAt);
