using System.CommandLine;
using Drawbridge.Cli.Hosting;
using Drawbridge.Client;
using Drawbridge.Client.Config;
using Drawbridge.Client.Forwarding;
using Drawbridge.Protocol.Transport;

namespace Drawbridge.Cli.Commands;

/// <summary><c>drawbridge access run --config access.yml</c>: many forwards in one process.</summary>
internal static partial class AccessCommands
{
    private static string DefaultAccessConfig => Path.Combine(UserPaths.ConfigDirectory, "access.yml");

    private static Command Run()
    {
        var config = new Option<string?>("--config") { Description = "The forwards to serve (YAML; default ~/.config/drawbridge/access.yml)" };
        var noBrowser = new Option<bool>("--no-browser") { Description = "When sign-in is needed, use a code for another device instead of a browser" };
        var http1 = new Option<bool>("--http1") { Description = "Use WebSockets over HTTP/1.1 only (one TLS connection per TCP connection)" };
        var command = new Command("run", "Serve every forward of a config file in this one process (one local listener each; Ctrl-C stops them all)") { config, noBrowser, http1 };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            string path = parse.GetValue(config) ?? (File.Exists(DefaultAccessConfig)
                ? DefaultAccessConfig
                : throw new InvalidOperationException($"no --config given and {DefaultAccessConfig} does not exist; see `drawbridge access run --help`"));

            // 1. Read and check the whole file before anything listens.
            AccessConfig file = AccessConfigLoader.Load(path);
            foreach (string warning in file.Warnings)
            {
                await Console.Error.WriteLineAsync($"drawbridge: warning: {warning}");
            }

            string? edge = file.EdgeAddress ?? (Environment.GetEnvironmentVariable("DRAWBRIDGE_EDGE") is { Length: > 0 } e ? e : null);
            string? caPath = file.CaCertificatePath ?? (Environment.GetEnvironmentVariable("DRAWBRIDGE_CA_CERT") is { Length: > 0 } ca ? ca : null);
            string? caPem = caPath is null ? null : File.ReadAllText(caPath);

            // 2. One dialer per hostname and credential: forwards to one app share its sign-in and HTTP/2 connections.
            var dialers = new Dictionary<string, AccessDialer>(StringComparer.Ordinal);
            try
            {
                AccessDialer DialerFor(ForwardConfig forward)
                {
                    string key = forward.Hostname + "\n" + forward.ServiceTokenId;
                    if (!dialers.TryGetValue(key, out AccessDialer? dialer))
                    {
                        var options = new AccessOptions
                        {
                            Hostname = forward.Hostname,
                            EdgeAddress = edge,
                            CaCertificatePem = caPem,
                            ServiceTokenId = forward.ServiceTokenId,
                            ServiceTokenSecret = forward.ServiceTokenSecret,
                            PreferHttp2 = !parse.GetValue(http1),
                            Proxy = ProxySettings.FromEnvironment(),
                        };
                        dialers[key] = dialer = new AccessDialer(options, NewLogin(options, parse.GetValue(noBrowser)));
                    }

                    return dialer;
                }

                // 3. Bind every listener (all or none), then serve until SIGINT/SIGTERM cancels.
                using ForwardSet forwards = ForwardSet.Bind(file, DialerFor, Console.Error);
                foreach ((ForwardConfig forward, LocalForwarder forwarder) in forwards.Forwards)
                {
                    await Console.Error.WriteLineAsync($"drawbridge: listening on {forwarder.LocalEndpoint} for {forward.Hostname}");
                }

                await forwards.RunAsync(cancellationToken);
                return 0;
            }
            finally
            {
                foreach (AccessDialer dialer in dialers.Values)
                {
                    dialer.Dispose();
                }
            }
        });
        return command;
    }
}
