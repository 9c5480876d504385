using System.CommandLine;
using Drawbridge.Cli.Hosting;
using Drawbridge.Connector;
using Drawbridge.Connector.Ingress;
using Drawbridge.Connector.Supervision;
using Drawbridge.Edge.Hosting;
using Drawbridge.Edge.Storage;
using Drawbridge.Protocol.Credentials;
using Microsoft.Extensions.Logging;

namespace Drawbridge.Cli.Commands;

/// <summary>
/// <c>drawbridge quickstart</c>: an edge, a tunnel and a connector in one process on loopback, with
/// a data directory, printing the exact client command to paste next.
/// </summary>
internal static class QuickstartCommand
{
    public static Command Build()
    {
        var url = new Option<string?>("--url") { Description = "The service to expose, e.g. tcp://localhost:7870 (default: a built-in echo service)" };
        var hostname = new Option<string>("--hostname") { Description = "The app hostname users ask for", DefaultValueFactory = _ => "tcp.localhost" };
        var listen = new Option<string>("--listen") { Description = "Where the edge listens", DefaultValueFactory = _ => "127.0.0.1:8443" };
        var dataDir = CliOptions.DataDirectory();
        var logLevel = CliOptions.LogLevelOption();
        var command = new Command("quickstart", "Run an edge, a tunnel and a connector on this machine and print the client command") { url, hostname, listen, dataDir, logLevel };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            string host = parse.GetValue(hostname)!.ToLowerInvariant();
            string root = parse.GetValue(dataDir) ?? Path.Combine(EdgeDataDirectory.DefaultRoot(), "quickstart");
            Action<ILoggingBuilder> logging = CliLogging.Configure(parse.GetValue(logLevel));
            using var loggers = LoggerFactory.Create(logging);
            var data = new EdgeDataDirectory(Path.GetFullPath(root));

            // 1. The edge, initialised on first use, listening on loopback.
            if (!File.Exists(data.Settings))
            {
                await EdgeInitializer.InitializeAsync(new EdgeInitOptions { DataDirectory = data.Root, Hostname = "localhost", PublicPort = 0 },
                    TimeProvider.System, loggers.CreateLogger("quickstart"), cancellationToken);
            }

            await using EdgeHost edge = await EdgeHost.StartAsync(new EdgeRunOptions { DataDirectory = data.Root, Listen = parse.GetValue(listen)!, GracePeriod = TimeSpan.FromSeconds(5) },
                logging, TimeProvider.System, cancellationToken);

            // 2. The service: the user's, or a built-in echo service.
            using EchoOrigin? echo = parse.GetValue(url) is null ? new EchoOrigin() : null;
            IngressService service = IngressService.Parse(parse.GetValue(url) ?? $"tcp://{echo!.Endpoint}");

            // 3. A tunnel routed to the hostname, and a service token for the client.
            (TunnelCredential credential, string tokenId, string tokenSecret) = await ProvisionAsync(edge, host, cancellationToken);

            // 4. The connector, in this process, dialing the edge on loopback.
            var options = new ConnectorOptions
            {
                Credential = credential,
                Ingress = IngressRules.Single(service),
                EdgeAddress = $"127.0.0.1:{edge.Port}",
                GracePeriod = TimeSpan.FromSeconds(5),
            };
            using var supervisor = new ConnectorSupervisor(options, loggers, TimeProvider.System);
            Task connector = supervisor.RunAsync(cancellationToken);
            await Task.WhenAny(supervisor.FirstRegistration, connector);
            if (connector.IsCompleted)
            {
                await connector; // surfaces the failure
            }

            PrintNextSteps(host, service, edge.Port, data.CaCertificate, tokenId, tokenSecret, echo is not null);
            await connector;
            return 0;
        });
        return command;
    }

    private static async Task<(TunnelCredential, string, string)> ProvisionAsync(EdgeHost edge, string host, CancellationToken cancellationToken)
    {
        IEdgeStore store = edge.State.Store;
        byte[] secret = SecretHash.NewSecret();
        Tunnel tunnel = await store.FindTunnelByNameAsync("quickstart", cancellationToken) is { } existing
            ? await store.RotateTunnelSecretAsync(existing.Id, SecretHash.Hash(secret), cancellationToken)
            : await store.CreateTunnelAsync("quickstart", SecretHash.Hash(secret), cancellationToken);
        await store.AddRouteAsync(host, tunnel.Id, cancellationToken);

        // One live quickstart token at a time: earlier runs' tokens are revoked.
        foreach (ServiceToken old in await store.ListServiceTokensAsync(cancellationToken))
        {
            if (old.Name == "quickstart" && old.RevokedAt is null)
            {
                await store.RevokeServiceTokenAsync(old.Id, cancellationToken);
            }
        }

        byte[] tokenSecret = SecretHash.NewSecret();
        ServiceToken token = await store.CreateServiceTokenAsync("quickstart", SecretHash.Hash(tokenSecret), cancellationToken);

        // An application for the hostname: anyone who signs in (development!) and the quickstart's service token.
        if (await store.GetAppAsync(host, cancellationToken) is null)
        {
            await store.CreateAppAsync(host, TimeSpan.FromHours(24), cancellationToken);
            await store.AddPolicyAsync(host, "quickstart service token", "service_auth", 1, ["service-token:quickstart"], [], [], cancellationToken);
            await store.AddPolicyAsync(host, "anyone who signs in (development)", "allow", 2, ["everyone"], [], [], cancellationToken);
        }

        await edge.State.RefreshAsync(cancellationToken);
        var credential = new TunnelCredential(tunnel.Id, tunnel.Name, secret, edge.Runtime.Settings.PublicUrl, edge.Runtime.CaCertificatePem);
        return (credential, token.ClientId, SecretHash.ToHexSecret(tokenSecret));
    }

    private static void PrintNextSteps(string host, IngressService service, int port, string caPath, string tokenId, string tokenSecret, bool echo)
    {
        string self = SelfCommand.Invocation();
        Console.WriteLine();
        Console.WriteLine($"Drawbridge quickstart is running: {host} → {service}{(echo ? " (built-in echo service)" : "")}");
        Console.WriteLine("In another terminal, run:");
        Console.WriteLine();
        Console.WriteLine($"  {self} access tcp --hostname {host} --url localhost:9210 --edge 127.0.0.1:{port} --ca-cert {caPath}");
        Console.WriteLine();
        Console.WriteLine(echo
            ? "then connect to localhost:9210, e.g. `echo hello | nc -q1 localhost 9210` prints hello back."
            : "then point your client at localhost:9210.");
        Console.WriteLine("The first connection signs you in: the edge's sign-in page opens (or, without a browser, a code");
        Console.WriteLine("to approve from one); ask for an e-mailed code and it appears in THIS console, because no SMTP");
        Console.WriteLine("server is configured (a development setting). Anyone who signs in is allowed here.");
        Console.WriteLine();
        Console.WriteLine("For scripts and CI, skip sign-in with the quickstart's service token:");
        Console.WriteLine();
        Console.WriteLine($"  {self} access tcp --hostname {host} --url localhost:9210 --edge 127.0.0.1:{port} --ca-cert {caPath} \\");
        Console.WriteLine($"      --service-token-id {tokenId} --service-token-secret {tokenSecret}");
        Console.WriteLine();
        Console.WriteLine("(The secret is printed because this is a local development setup.) Ctrl+C stops.");
        Console.Out.Flush();
    }
}
