using System.Net;

namespace Drawbridge.Client.Config;

/// <summary>One <c>forwards:</c> item: listen on <see cref="Listen"/> and carry each connection to <see cref="Hostname"/>.</summary>
/// <param name="Where"><c>file:line</c> of the item, for errors found after loading (a port already taken).</param>
/// <param name="ListenText">The <c>listen:</c> value as written.</param>
/// <param name="ServiceTokenSecret">Inline, from <c>service-token-secret-file</c>, or from DRAWBRIDGE_SERVICE_TOKEN_SECRET.</param>
internal sealed record ForwardConfig(
    string Where,
    string Hostname,
    IPEndPoint Listen,
    string ListenText,
    string? ServiceTokenId,
    string? ServiceTokenSecret);
