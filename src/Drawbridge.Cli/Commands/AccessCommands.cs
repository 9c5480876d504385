using System.CommandLine;
using System.Runtime.InteropServices;
using Drawbridge.Cli.Hosting;
using Drawbridge.Client;
using Drawbridge.Client.Forwarding;
using Drawbridge.Client.Login;
using Drawbridge.Protocol.Outcomes;
using Drawbridge.Protocol.Transport;

namespace Drawbridge.Cli.Commands;

/// <summary><c>drawbridge access …</c>: the user's side.</summary>
internal static partial class AccessCommands
{
    public static Command Build()
    {
        var access = new Command("access", "Reach a service behind a tunnel from this machine");
        access.Subcommands.Add(Tcp());
        access.Subcommands.Add(Login());
        access.Subcommands.Add(Token());
        access.Subcommands.Add(Logout());
        access.Subcommands.Add(Run());
        access.Subcommands.Add(SshConfig());
        access.Subcommands.Add(Shortcut());
        return access;
    }

    /// <summary>The sign-in for a hostname: the browser (or, without one, a code for another device).</summary>
    internal static AppLogin NewLogin(AccessOptions options, bool noBrowser) =>
        new(options, new TokenCache(Path.Combine(UserPaths.ConfigDirectory, "tokens"), TimeProvider.System), Console.Error, TimeProvider.System)
        {
            NoBrowser = noBrowser,
            ShowDeviceCode = (url, code, complete) =>
            {
                Console.Error.WriteLine($"drawbridge: to sign in to {options.Hostname}, open {url} on any device and enter the code:\n\n    {code}\n");
                Console.Error.WriteLine(TerminalQrCode.Render(complete));
                Console.Error.WriteLine($"(or open {complete})");
            },
        };

    private static Command Login()
    {
        var hostname = new Argument<string>("HOSTNAME") { Description = "The app hostname, e.g. db.example.com" };
        var edge = CliOptions.Edge();
        var caCert = CliOptions.CaCert();
        var noBrowser = new Option<bool>("--no-browser") { Description = "Sign in on another device with a code (RFC 8628) instead of a browser here" };
        var command = new Command("login", "Sign in for an app and cache its token (browser with a loopback redirect, or a device code)") { hostname, edge, caCert, noBrowser };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            AccessOptions options = BuildOptions(parse, parse.GetValue(hostname)!, edge, caCert, serviceTokenId: null, serviceTokenSecret: null, http1: null);
            await NewLogin(options, parse.GetValue(noBrowser)).GetTokenAsync(forceSignIn: true, cancellationToken);
            return 0;
        });
        return command;
    }

    private static Command Token()
    {
        var hostname = new Argument<string>("HOSTNAME") { Description = "The app hostname" };
        var command = new Command("token", "Print the cached app token for a hostname (for Cf-Access-Token / Authorization: Bearer)") { hostname };
        CliAction.Set(command, (parse, cancellationToken) =>
        {
            var cache = new TokenCache(Path.Combine(UserPaths.ConfigDirectory, "tokens"), TimeProvider.System);
            string host = Normalize(parse.GetValue(hostname)!);
            if (cache.Load(host) is not { } token)
            {
                throw new InvalidOperationException($"no valid token for {host}: run `drawbridge access login {host}`");
            }

            Console.WriteLine(token.Token);
            return Task.FromResult(0);
        });
        return command;
    }

    private static Command Logout()
    {
        var hostname = new Argument<string?>("HOSTNAME") { Description = "The app hostname (default: every app)", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("logout", "Forget cached app tokens") { hostname };
        CliAction.Set(command, (parse, cancellationToken) =>
        {
            var cache = new TokenCache(Path.Combine(UserPaths.ConfigDirectory, "tokens"), TimeProvider.System);
            string? host = parse.GetValue(hostname) is { } h ? Normalize(h) : null;
            int removed = cache.Delete(host);
            Console.WriteLine($"Forgot {removed} token(s)");
            return Task.FromResult(0);
        });
        return command;
    }


    private static string Normalize(string hostname) => hostname.Trim().TrimEnd('.').ToLowerInvariant();

    private static AccessOptions BuildOptions(ParseResult parse, string hostname, Option<string?> edge, Option<string?> caCert,
        Option<string?>? serviceTokenId, Option<string?>? serviceTokenSecret, Option<bool>? http1, Option<bool>? perConnection = null)
    {
        string? caPath = CliOptions.FlagOrEnvironment(parse, caCert, "DRAWBRIDGE_CA_CERT");
        return new AccessOptions
        {
            Hostname = Normalize(hostname),
            EdgeAddress = CliOptions.FlagOrEnvironment(parse, edge, "DRAWBRIDGE_EDGE"),
            CaCertificatePem = caPath is null ? null : File.ReadAllText(caPath),
            ServiceTokenId = serviceTokenId is null ? null : CliOptions.FlagOrEnvironment(parse, serviceTokenId, "DRAWBRIDGE_SERVICE_TOKEN_ID"),
            ServiceTokenSecret = serviceTokenSecret is null ? null : CliOptions.FlagOrEnvironment(parse, serviceTokenSecret, "DRAWBRIDGE_SERVICE_TOKEN_SECRET"),
            PreferHttp2 = http1 is null || !parse.GetValue(http1),
            WebSocketPerConnection = perConnection is not null && parse.GetValue(perConnection),
            Proxy = ProxySettings.FromEnvironment(),
        };
    }

    private static Command Tcp()
    {
        var hostname = new Option<string>("--hostname") { Description = "The app hostname, e.g. db.example.com", Required = true };
        var url = new Option<string?>("--url") { Description = "Listen here, e.g. localhost:9210; without it, use stdin/stdout (ssh ProxyCommand)" };
        var edge = CliOptions.Edge();
        var caCert = CliOptions.CaCert();
        var noBrowser = new Option<bool>("--no-browser") { Description = "When sign-in is needed, use a code for another device instead of a browser" };
        var tokenId = new Option<string?>("--service-token-id") { Description = "Service token client id (env DRAWBRIDGE_SERVICE_TOKEN_ID)" };
        var tokenSecret = new Option<string?>("--service-token-secret") { Description = "Service token secret (env DRAWBRIDGE_SERVICE_TOKEN_SECRET)" };
        var perConnection = new Option<bool>("--websocket-per-connection") { Description = "Carry each TCP connection on a WebSocket of its own (as cloudflared does) instead of streams on one link" };
        var http1 = new Option<bool>("--http1") { Description = "With --websocket-per-connection: WebSockets over HTTP/1.1 only (one TLS connection per TCP connection)" };
        var command = new Command("tcp", "Carry TCP to HOSTNAME through the edge (signs in on first use unless a service token is given)") { hostname, url, edge, caCert, tokenId, tokenSecret, perConnection, http1, noBrowser };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            AccessOptions options = BuildOptions(parse, parse.GetValue(hostname)!, edge, caCert, tokenId, tokenSecret, http1, perConnection);
            using var dialer = new AccessDialer(options, NewLogin(options, parse.GetValue(noBrowser)));
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
