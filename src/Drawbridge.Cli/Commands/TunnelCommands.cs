using System.CommandLine;
using Drawbridge.Cli.Admin;
using Drawbridge.Cli.Hosting;
using Drawbridge.Edge.Admin;
using Drawbridge.Protocol.Credentials;

namespace Drawbridge.Cli.Commands;

/// <summary><c>drawbridge tunnel …</c>: manage tunnels through the admin API, and run a connector. Partial by concern.</summary>
internal static partial class TunnelCommands
{
    public static Command Build()
    {
        Command tunnel = QuickForm();
        tunnel.Subcommands.Add(Login());
        tunnel.Subcommands.Add(Create());
        tunnel.Subcommands.Add(Route());
        tunnel.Subcommands.Add(List());
        tunnel.Subcommands.Add(Info());
        tunnel.Subcommands.Add(Delete());
        tunnel.Subcommands.Add(Token());
        tunnel.Subcommands.Add(RunCommand());
        tunnel.Subcommands.Add(Ingress());
        return tunnel;
    }

    private static Command Create()
    {
        var name = new Argument<string>("NAME") { Description = "A name for the tunnel" };
        var admin = CliOptions.AdminCredential();
        var command = new Command("create", "Create a tunnel and save its credentials file (the edge keeps only a hash of the secret)") { name, admin };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            using AdminClient client = AdminClient.Open(parse.GetValue(admin));
            CreatedTunnel created = await client.PostAsync("/api/v1/tunnels",
                AdminClient.Json(new CreateTunnelRequest(parse.GetValue(name)), AdminJsonContext.Default.CreateTunnelRequest),
                AdminJsonContext.Default.CreatedTunnel, cancellationToken);
            string path = TunnelCredentialFiles.Save(TunnelCredential.Parse(created.Credential));
            Console.WriteLine($"Created tunnel {created.Name} with id {created.Id:N}");
            Console.WriteLine($"Credentials written to {path} (owner-only; keep it secret)");
            Console.WriteLine($"Next: drawbridge tunnel route dns {created.Name} HOSTNAME");
            return 0;
        });
        return command;
    }

    private static Command Route()
    {
        var name = new Argument<string>("TUNNEL") { Description = "Tunnel name or id" };
        var hostname = new Argument<string>("HOSTNAME") { Description = "The app hostname users will reach, e.g. db.example.com" };
        var admin = CliOptions.AdminCredential();
        var dns = new Command("dns", "Route a hostname to a tunnel (point the name's DNS at the edge)") { name, hostname, admin };
        CliAction.Set(dns, async (parse, cancellationToken) =>
        {
            using AdminClient client = AdminClient.Open(parse.GetValue(admin));
            RouteView route = await client.PostAsync("/api/v1/routes",
                AdminClient.Json(new RouteRequest(parse.GetValue(hostname), parse.GetValue(name)), AdminJsonContext.Default.RouteRequest),
                AdminJsonContext.Default.RouteView, cancellationToken);
            Console.WriteLine($"Routed {route.Hostname} to tunnel {parse.GetValue(name)}");
            return 0;
        });
        var route = new Command("route", "Route traffic to a tunnel");
        route.Subcommands.Add(dns);
        return route;
    }

    private static Command List()
    {
        var admin = CliOptions.AdminCredential();
        var output = CliOutput.Option();
        var command = new Command("list", "List tunnels with their routes and live links") { admin, output };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            CliOutput format = CliOutput.From(parse, output);
            using AdminClient client = AdminClient.Open(parse.GetValue(admin));
            IReadOnlyList<TunnelView> tunnels = await client.GetAsync("/api/v1/tunnels", AdminJsonContext.Default.IReadOnlyListTunnelView, cancellationToken);
            format.Write(tunnels, AdminJsonContext.Default.IReadOnlyListTunnelView, tunnels =>
            {
                Console.WriteLine($"{"ID",-32}  {"NAME",-20}  {"LINKS",5}  ROUTES");
                foreach (TunnelView t in tunnels)
                {
                    Console.WriteLine($"{t.Id:N}  {t.Name,-20}  {t.Links.Count,5}  {string.Join(", ", t.Routes)}");
                }
            });
            return 0;
        });
        return command;
    }

    private static Command Info()
    {
        var name = new Argument<string>("TUNNEL") { Description = "Tunnel name or id" };
        var admin = CliOptions.AdminCredential();
        var output = CliOutput.Option();
        var command = new Command("info", "Show a tunnel's routes and live links: edge, since when, open streams") { name, admin, output };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            CliOutput format = CliOutput.From(parse, output);
            using AdminClient client = AdminClient.Open(parse.GetValue(admin));
            TunnelView tunnel = await client.GetAsync($"/api/v1/tunnels/{Uri.EscapeDataString(parse.GetValue(name)!)}", AdminJsonContext.Default.TunnelView, cancellationToken);
            format.Write(tunnel, AdminJsonContext.Default.TunnelView, t =>
            {
                Console.WriteLine($"Tunnel {t.Name} ({t.Id:N}), created {t.CreatedAt:u}");
                Console.WriteLine($"Routes: {(t.Routes.Count == 0 ? "(none)" : string.Join(", ", t.Routes))}");
                Console.WriteLine($"Links: {t.Links.Count}");
                foreach (LinkView link in t.Links.OrderBy(l => l.ConnectorId).ThenBy(l => l.LinkIndex))
                {
                    Console.WriteLine($"  connector {link.ConnectorId:N} link {link.LinkIndex} from {link.RemoteAddress} since {link.Since:u}: {link.OpenStreams} open streams, RTT {link.RttMs} ms, version {link.Version}");
                }
            });
            return 0;
        });
        return command;
    }

    private static Command Delete()
    {
        var name = new Argument<string>("TUNNEL") { Description = "Tunnel name or id" };
        var admin = CliOptions.AdminCredential();
        var command = new Command("delete", "Delete a tunnel: its routes go, its connectors are disconnected and refused") { name, admin };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            using AdminClient client = AdminClient.Open(parse.GetValue(admin));
            string reference = parse.GetValue(name)!;
            TunnelCredential? local = TunnelCredentialFiles.Find(reference);
            await client.DeleteAsync($"/api/v1/tunnels/{Uri.EscapeDataString(reference)}", cancellationToken);
            if (local is not null)
            {
                TunnelCredentialFiles.Delete(local.TunnelId);
            }

            Console.WriteLine($"Deleted tunnel {reference}");
            return 0;
        });
        return command;
    }

    private static Command Token()
    {
        var name = new Argument<string>("TUNNEL") { Description = "Tunnel name or id" };
        var rotate = new Option<bool>("--rotate") { Description = "Issue a new secret (the old one stops working) and print its token" };
        var admin = CliOptions.AdminCredential();
        var command = new Command("token", "Print the tunnel's token for `tunnel run --token` (from the saved credentials file)") { name, rotate, admin };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            string reference = parse.GetValue(name)!;
            TunnelCredential? credential = parse.GetValue(rotate) ? null : TunnelCredentialFiles.Find(reference);
            if (credential is null)
            {
                if (!parse.GetValue(rotate))
                {
                    throw new InvalidOperationException($"no saved credentials for tunnel '{reference}' here; the edge keeps only a hash of the secret. Use --rotate to issue a new secret");
                }

                using AdminClient client = AdminClient.Open(parse.GetValue(admin));
                CreatedTunnel created = await client.PostAsync($"/api/v1/tunnels/{Uri.EscapeDataString(reference)}/rotate-secret", null, AdminJsonContext.Default.CreatedTunnel, cancellationToken);
                credential = TunnelCredential.Parse(created.Credential);
                TunnelCredentialFiles.Save(credential);
            }

            Console.WriteLine(credential.ToToken());
            return 0;
        });
        return command;
    }
}
