using System.IO.Pipelines;
using Drawbridge.Protocol.Framing;
using Drawbridge.Protocol.Transport;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Drawbridge.Edge.Hosting;

/// <summary>
/// Accepts a link's WebSocket (SPEC.md §2, §8) and frames it ourselves (<see cref="ServerWebSocketStream"/>)
/// on the connection's own pipes: the BCL's WebSocket on Kestrel's upgrade stream copies every
/// byte of every link once more each way (its send buffer; the stream's copy out of the pipe).
/// Over HTTP/1.1 the RFC 6455 upgrade, over HTTP/2 the RFC 8441 extended CONNECT;
/// <c>UseWebSockets</c> has checked the request's version and key.
/// </summary>
internal static class EdgeWebSockets
{
    /// <summary>The largest mux frame with its header, in one WebSocket frame (at most 14 bytes of
    /// header), fits one read.</summary>
    private const int ReadBufferSize = MuxLimits.MaxPayload + MuxLimits.HeaderSize + 14;

    public static async Task<ServerWebSocketStream> AcceptAsync(HttpContext context, string subProtocol)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            throw new InvalidOperationException("not a WebSocket request");
        }

        IHeaderDictionary headers = context.Response.Headers;
        headers[HeaderNames.SecWebSocketProtocol] = subProtocol;
        Stream opaque;
        if (context.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true } connect)
        {
            opaque = await connect.AcceptAsync(); // 200 and the stream's headers, no Sec-WebSocket-Accept (RFC 8441 §5)
        }
        else
        {
            headers[HeaderNames.Connection] = "Upgrade";
            headers[HeaderNames.Upgrade] = "websocket";
            headers[HeaderNames.SecWebSocketAccept] = WebSocketHandshake.AcceptKey(context.Request.Headers[HeaderNames.SecWebSocketKey].ToString());
            opaque = await context.Features.GetRequiredFeature<IHttpUpgradeFeature>().UpgradeAsync(); // 101
        }

        // HTTP/1.1: the connection is ours after the 101 (Kestrel reads an upgraded request only when
        // the app reads its stream, and writes nothing more until the request ends), so frames are
        // read from and written to the connection's own pipes after TLS: no copy into the upgrade
        // stream's buffers. (Kestrel refuses Response.BodyWriter after an upgrade, and its request
        // body reader is an empty one.) HTTP/2 streams share a connection: they go through the stream.
        if (!HttpProtocol.IsHttp2(context.Request.Protocol) && context.Features.Get<IConnectionTransportFeature>() is { } connection)
        {
            return new ServerWebSocketStream(connection.Transport.Input, connection.Transport.Output);
        }

        PipeReader input = PipeReader.Create(opaque, new StreamPipeReaderOptions(bufferSize: ReadBufferSize, minimumReadSize: 4096, leaveOpen: true));
        return new ServerWebSocketStream(input, PipeWriter.Create(opaque, new StreamPipeWriterOptions(leaveOpen: true)));
    }
}
