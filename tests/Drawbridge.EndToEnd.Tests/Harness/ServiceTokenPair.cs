namespace Drawbridge.EndToEnd.Tests.Harness;

/// <summary>A service token as the user receives it: client id and secret.</summary>
internal sealed record ServiceTokenPair(Guid Id, string ClientId, string Secret);
