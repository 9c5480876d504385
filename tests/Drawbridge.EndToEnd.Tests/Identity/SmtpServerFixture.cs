using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Drawbridge.EndToEnd.Tests.Fixtures;

namespace Drawbridge.EndToEnd.Tests.Identity;

/// <summary>
/// A real SMTP server (nodemailer's smtp-server, run by <c>tests/smtp-server/server.js</c>) on
/// 127.0.0.1:<see cref="Port"/> that accepts every message and delivers none: each one is
/// decoded and handed to the test through <see cref="WaitForMessageAsync"/>. Plain SMTP, no
/// STARTTLS; AUTH PLAIN/LOGIN is optional and accepts any credentials.
/// </summary>
internal sealed class SmtpServerFixture : IAsyncDisposable
{
    // The server prints one line per accepted message: this prefix, then the message as JSON.
    private const string MessagePrefix = "smtp-server message ";

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private readonly ExternalProcess server;

    private SmtpServerFixture(ExternalProcess server, int port)
    {
        this.server = server;
        Port = port;
    }

    public string Host => "127.0.0.1";

    public int Port { get; }

    /// <summary>The server's output so far, for failure messages.</summary>
    public string Output => server.Output;

    /// <summary>Every message accepted so far, in order.</summary>
    public IReadOnlyList<ReceivedMail> ReceivedMessages => ParseMessages(server.StandardOutput);

    public static async Task<SmtpServerFixture> StartAsync()
    {
        (ExternalProcess server, int port) = await ExternalProcess.StartListeningAsync(
            port => NodeServerScript.Start("smtp-server", ["--port", port.ToString(CultureInfo.InvariantCulture)]),
            SendsSmtpGreetingAsync);
        return new SmtpServerFixture(server, port);
    }

    /// <summary>
    /// The first message so far or to come that satisfies <paramref name="match"/>. Throws a
    /// <see cref="TimeoutException"/> listing what did arrive when none does within <paramref name="timeout"/>.
    /// </summary>
    public async Task<ReceivedMail> WaitForMessageAsync(Func<ReceivedMail, bool> match, TimeSpan timeout)
    {
        ReceivedMail? found = null;
        await server.WaitForOutputAsync(
            _ =>
            {
                found = ParseMessages(server.StandardOutput).FirstOrDefault(match);
                return found is not null;
            },
            timeout);
        return found!;
    }

    public ValueTask DisposeAsync() => server.DisposeAsync();

    // Only whole lines: the last one may still be arriving.
    private static List<ReceivedMail> ParseMessages(string output)
    {
        var messages = new List<ReceivedMail>();
        int end = output.LastIndexOf('\n');
        if (end < 0)
        {
            return messages;
        }

        foreach (string line in output[..end].Split('\n'))
        {
            if (line.StartsWith(MessagePrefix, StringComparison.Ordinal))
            {
                messages.Add(JsonSerializer.Deserialize<ReceivedMail>(line[MessagePrefix.Length..], JsonOptions)
                    ?? throw new InvalidOperationException($"The SMTP server printed an empty message: {line}"));
            }
        }

        return messages;
    }

    // The "220 " greeting (RFC 5321 section 4.2) proves an SMTP server answers, not some other
    // program that took the port first.
    private static async Task<bool> SendsSmtpGreetingAsync(int port, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
        var buffer = new byte[4];
        int total = 0;
        while (total < buffer.Length)
        {
            int read = await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                return false;
            }

            total += read;
        }

        return Encoding.ASCII.GetString(buffer) == "220 ";
    }
}
