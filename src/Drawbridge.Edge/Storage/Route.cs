namespace Drawbridge.Edge.Storage;

/// <summary>A public hostname served by a tunnel. <paramref name="Hostname"/> is lowercase ASCII (see <see cref="RouteHostname"/>).</summary>
internal sealed record Route(string Hostname, Guid TunnelId, DateTimeOffset CreatedAt);
