using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Drawbridge.Bench.TlsRelay;

/// <summary>
/// One hop of a TLS relay chain, as one stunnel of stunnel-2tls is, with nothing but .NET's
/// sockets and <see cref="SslStream"/> in between:
/// <c>tlsrelay client CERT ACCEPT=CONNECT...</c> takes plain text on each ACCEPT address and
/// speaks TLS to its CONNECT address, trusting only the certificate in CERT;
/// <c>tlsrelay server CERT KEY ACCEPT=CONNECT...</c> ends TLS on ACCEPT and speaks plain text
/// onward. Each connection is copied both ways in reads of up to 64 KiB until both ends have
/// finished; an end that finishes sending is passed on as a half-close. The copy loop and the
/// half-close are written here rather than taken from Drawbridge's relay (DuplexPump, HalfClose)
/// on purpose: the column measures the runtime with none of the product's code in it.
/// </summary>
internal static class Program
{
    private const int BufferSize = 64 * 1024;

    public static async Task<int> Main(string[] args)
    {
        Relay relay;
        string[] routes;
        try
        {
            (relay, routes) = args switch
            {
                ["client", var cert, .. var rest] when rest.Length > 0 => (Relay.Client(cert), rest),
                ["server", var cert, var key, .. var rest] when rest.Length > 0 => (Relay.Server(cert, key), rest),
                _ => throw new ArgumentException(
                    "usage: tlsrelay client CERT ACCEPT=CONNECT... | tlsrelay server CERT KEY ACCEPT=CONNECT..."),
            };
            foreach (string route in routes)
            {
                string[] ends = route.Split('=');
                if (ends.Length != 2)
                {
                    throw new ArgumentException($"'{route}' is not ACCEPT=CONNECT (e.g. 127.0.0.1:9001=127.0.0.1:9002)");
                }

                _ = relay.ListenAsync(ParseEndpoint(ends[0]), ParseEndpoint(ends[1]));
            }
        }
        catch (Exception e) when (e is ArgumentException or SocketException)
        {
            await Console.Error.WriteLineAsync($"tlsrelay: {e.Message}");
            return 2;
        }

        Console.WriteLine($"tlsrelay: relaying {string.Join(", ", routes)}");
        await Task.Delay(Timeout.Infinite);
        return 0;
    }

    private static IPEndPoint ParseEndpoint(string text) =>
        IPEndPoint.TryParse(text, out IPEndPoint? endpoint) && endpoint.Port != 0
            ? endpoint
            : throw new ArgumentException($"'{(text.Length > 64 ? text[..64] + "…" : text)}' is not an IP address and port (e.g. 127.0.0.1:9001)");

    private sealed class Relay
    {
        private readonly X509Certificate2 _certificate;
        private readonly bool _endsTls;

        private Relay(X509Certificate2 certificate, bool endsTls)
        {
            _certificate = certificate;
            _endsTls = endsTls;
        }

        public static Relay Client(string certFile) =>
            new(Load(certFile, () => X509CertificateLoader.LoadCertificateFromFile(certFile)), endsTls: false);

        public static Relay Server(string certFile, string keyFile) =>
            new(Load($"{certFile} with {keyFile}", () => X509Certificate2.CreateFromPemFile(certFile, keyFile)), endsTls: true);

        private static X509Certificate2 Load(string what, Func<X509Certificate2> load)
        {
            try
            {
                return load();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                throw new ArgumentException($"cannot load the certificate {what}: {e.Message}", e);
            }
        }

        public Task ListenAsync(IPEndPoint accept, IPEndPoint connect)
        {
            var listener = new Socket(accept.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Bind(accept);
            listener.Listen(512);
            return AcceptLoopAsync(listener, connect);
        }

        private async Task AcceptLoopAsync(Socket listener, IPEndPoint connect)
        {
            while (true)
            {
                Socket inbound = await listener.AcceptAsync();
                _ = RelayAsync(inbound, connect);
            }
        }

        private async Task RelayAsync(Socket inbound, IPEndPoint connect)
        {
            var outbound = new Socket(connect.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                inbound.NoDelay = true;
                outbound.NoDelay = true;
                await outbound.ConnectAsync(connect);
                Stream inStream = new NetworkStream(inbound, ownsSocket: false);
                Stream outStream = new NetworkStream(outbound, ownsSocket: false);
                if (_endsTls)
                {
                    var tls = new SslStream(inStream);
                    await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate });
                    inStream = tls;
                }
                else
                {
                    var tls = new SslStream(outStream);
                    await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                    {
                        TargetHost = "localhost",
                        RemoteCertificateValidationCallback = (_, presented, _, _) =>
                            presented is not null && presented.GetRawCertData().AsSpan().SequenceEqual(_certificate.RawData),
                    });
                    outStream = tls;
                }

                await Task.WhenAll(
                    CopyAsync(inStream, outStream, outbound),
                    CopyAsync(outStream, inStream, inbound));
            }
            catch (Exception e) when (e is IOException or SocketException or System.Security.Authentication.AuthenticationException)
            {
                // One connection's end, as stunnel's; the others go on.
            }
            finally
            {
                inbound.Dispose();
                outbound.Dispose();
            }
        }

        private static async Task CopyAsync(Stream from, Stream to, Socket toSocket)
        {
            byte[] buffer = new byte[BufferSize];
            int read;
            while ((read = await from.ReadAsync(buffer)) > 0)
            {
                await to.WriteAsync(buffer.AsMemory(0, read));
            }

            if (to is SslStream tls)
            {
                await tls.ShutdownAsync();
            }

            toSocket.Shutdown(SocketShutdown.Send);
        }
    }
}
