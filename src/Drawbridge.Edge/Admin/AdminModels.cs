namespace Drawbridge.Edge.Admin;

// The admin API's bodies (JSON, camelCase). Requests are validated by the handlers and the store;
// a request parameter without a default is required (see AdminModels.Access.cs).

internal sealed record CreateTunnelRequest(string? Name);

internal sealed record CreatedTunnel(Guid Id, string Name, string Credential, string Token);

internal sealed record TunnelView(Guid Id, string Name, DateTimeOffset CreatedAt, IReadOnlyList<string> Routes, IReadOnlyList<LinkView> Links);

internal sealed record LinkView(Guid ConnectorId, int LinkIndex, string RemoteAddress, DateTimeOffset Since, int OpenStreams, double RttMs, string Version);

internal sealed record RouteRequest(string? Hostname, string? Tunnel);

internal sealed record RouteView(string Hostname, Guid TunnelId, DateTimeOffset CreatedAt);

internal sealed record CreateServiceTokenRequest(string? Name);

internal sealed record CreatedServiceToken(Guid Id, string Name, string ClientId, string ClientSecret);

internal sealed record ServiceTokenView(Guid Id, string Name, string ClientId, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

internal sealed record ErrorBody(string Error);
