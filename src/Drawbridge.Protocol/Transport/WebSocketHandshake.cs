using System.Security.Cryptography;
using System.Text;

namespace Drawbridge.Protocol.Transport;

/// <summary>RFC 6455 §4.2.2: the server's half of the opening handshake that is arithmetic.</summary>
public static class WebSocketHandshake
{
    private const string KeyGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /// <summary>The <c>Sec-WebSocket-Accept</c> value for a client's <c>Sec-WebSocket-Key</c>.</summary>
#pragma warning disable CA5350 // RFC 6455 fixes SHA-1 here; it proves the server read the key, it protects nothing
    public static string AcceptKey(string clientKey) =>
        Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(clientKey.Trim() + KeyGuid)));
#pragma warning restore CA5350
}
