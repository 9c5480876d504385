using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Drawbridge.Tests.Fixtures;

/// <summary>A real TLS handshake over loopback TCP: SslStream on both ends of a connection to a listener on port 0.</summary>
internal static class TlsLoopback
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Whether a client dialing <paramref name="targetHost"/> and validating with
    /// <paramref name="validate"/> completes a handshake with a server presenting
    /// <paramref name="serverCertificate"/>, and a byte then crosses the session.
    /// </summary>
    public static async Task<bool> HandshakeAsync(
        X509Certificate2 serverCertificate, string targetHost, RemoteCertificateValidationCallback validate)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var server = ServeAsync(listener, serverCertificate, timeout.Token);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
        await using var tls = new SslStream(client.GetStream());
        bool accepted;
        try
        {
            await tls.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions { TargetHost = targetHost, RemoteCertificateValidationCallback = validate },
                timeout.Token);
            var buffer = new byte[1];
            accepted = await tls.ReadAsync(buffer, timeout.Token) == 1 && buffer[0] == 42;
        }
        catch (AuthenticationException)
        {
            accepted = false;
        }

        client.Close();
        await server.WaitAsync(Timeout);
        return accepted;
    }

    private static async Task ServeAsync(TcpListener listener, X509Certificate2 certificate, CancellationToken cancellationToken)
    {
        using var connection = await listener.AcceptTcpClientAsync(cancellationToken);
        await using var tls = new SslStream(connection.GetStream());
        try
        {
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, cancellationToken);
            await tls.WriteAsync(new byte[] { 42 }, cancellationToken);
            await tls.FlushAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            // The client refused our certificate: that is the outcome the caller is asserting on.
        }
    }
}
