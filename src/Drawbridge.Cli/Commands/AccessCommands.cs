using System.CommandLine;
using System.Runtime.InteropServices;
using Drawbridge.Cli.Hosting;
using Drawbridge.Client;
using Drawbridge.Client.Forwarding;
using Drawbridge.Protocol.Outcomes;
using Drawbridge.Protocol.Transport;

namespace Drawbridge.Cli.Commands;

/// <summary><c>drawbridge access tcp</c>: the user's side.</summary>
internal static class AccessCommands
{
    public static Command Build()
    {
        var access = new Command("access", "Reach a service behind a tunnel from this machine");
        access.Subcommands.Add(Tcp());
        return access;
    }

    private static Command Tcp()
    {
        var hostname = new Option<string>("--hostname") { Description = "The app hostname, e.g. db.example.com", Required = true };
        var url = new Option<string?>("--url") { Description = "Listen here, e.g. localhost:9210; without it, use stdin/stdout (ssh ProxyCommand)" };
        var edge = CliOptions.Edge();
        var caCert = new Option<string?>("--ca-cert") { Description = "PEM file of the edge's CA, for a self-signed edge (env DRAWBRIDGE_CA_CERT)" };
        var tokenId = new Option<string?>("--service-token-id") { Description = "Service token client id (env DRAWBRIDGE_SERVICE_TOKEN_ID)" };
        var tokenSecret = new Option<string?>("--service-token-secret") { Description = "Service token secret (env DRAWBRIDGE_SERVICE_TOKEN_SECRET)" };
        var http1 = new Option<bool>("--http1") { Description = "Use WebSockets over HTTP/1.1 only (one TLS connection per TCP connection)" };
        var command = new Command("tcp", "Carry TCP to HOSTNAME through the edge") { hostname, url, edge, caCert, tokenId, tokenSecret, http1 };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            string? caPath = CliOptions.FlagOrEnvironment(parse, caCert, "DRAWBRIDGE_CA_CERT");
            var options = new AccessOptions
            {
                Hostname = parse.GetValue(hostname)!.Trim().TrimEnd('.').ToLowerInvariant(),
                EdgeAddress = CliOptions.FlagOrEnvironment(parse, edge, "DRAWBRIDGE_EDGE"),
                CaCertificatePem = caPath is null ? null : File.ReadAllText(caPath),
                ServiceTokenId = CliOptions.FlagOrEnvironment(parse, tokenId, "DRAWBRIDGE_SERVICE_TOKEN_ID"),
                ServiceTokenSecret = CliOptions.FlagOrEnvironment(parse, tokenSecret, "DRAWBRIDGE_SERVICE_TOKEN_SECRET"),
                PreferHttp2 = !parse.GetValue(http1),
                Proxy = ProxySettings.FromEnvironment(),
            };
            using var dialer = new AccessDialer(options);
            if (parse.GetValue(url) is not { } listen)
            {
                // As an ssh ProxyCommand we get SIGHUP when ssh exits; ssh has closed our stdin by
                // then, so the relay ends by itself with a clean close instead of an abort.
                using PosixSignalRegistration hangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, signal => signal.Cancel = true);
                await using var stdio = new StdioStream(Console.OpenStandardInput(), Console.OpenStandardOutput());
                AccessResult result = await AccessConnection.RunAsync(dialer, stdio, cancellationToken);
                if (!result.Succeeded)
                {
                    await Console.Error.WriteLineAsync($"drawbridge: {options.Hostname}: {result.Outcome.WireName()}: {result.Message}");
                    return 1;
                }

                return 0;
            }

            using var forwarder = new LocalForwarder(dialer, LocalForwarder.ParseListen(listen), Console.Error);
            await Console.Error.WriteLineAsync($"drawbridge: listening on {forwarder.LocalEndpoint} for {options.Hostname}");
            await forwarder.RunAsync(cancellationToken);
            return 0;
        });
        return command;
    }
}
