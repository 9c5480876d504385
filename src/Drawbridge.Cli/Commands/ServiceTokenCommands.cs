using System.CommandLine;
using Drawbridge.Cli.Admin;
using Drawbridge.Cli.Hosting;
using Drawbridge.Edge.Admin;

namespace Drawbridge.Cli.Commands;

/// <summary><c>drawbridge service-token create|list|revoke</c>: credentials for machines, never a browser.</summary>
internal static class ServiceTokenCommands
{
    public static Command Build()
    {
        var tokens = new Command("service-token", "Credentials for machines (CI, scripts): a client id and a secret");
        tokens.Subcommands.Add(Create());
        tokens.Subcommands.Add(List());
        tokens.Subcommands.Add(Revoke());
        return tokens;
    }

    private static Command Create()
    {
        var name = new Argument<string>("NAME") { Description = "A name for the token" };
        var admin = CliOptions.AdminCredential();
        var output = CliOutput.Option();
        var command = new Command("create", "Create a service token; its secret is shown once (the edge keeps only a hash)") { name, admin, output };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            CliOutput format = CliOutput.From(parse, output);
            using AdminClient client = AdminClient.Open(parse.GetValue(admin));
            CreatedServiceToken created = await client.PostAsync("/api/v1/service-tokens",
                AdminClient.Json(new CreateServiceTokenRequest(parse.GetValue(name)), AdminJsonContext.Default.CreateServiceTokenRequest),
                AdminJsonContext.Default.CreatedServiceToken, cancellationToken);
            format.Write(created, AdminJsonContext.Default.CreatedServiceToken, created =>
            {
                Console.WriteLine($"Created service token {created.Name} ({created.Id:N})");
                Console.WriteLine($"Client id:     {created.ClientId}");
                Console.WriteLine($"Client secret: {created.ClientSecret}");
                Console.WriteLine("The secret is shown only now. Use them as --service-token-id / --service-token-secret");
                Console.WriteLine("(or DRAWBRIDGE_SERVICE_TOKEN_ID / DRAWBRIDGE_SERVICE_TOKEN_SECRET).");
            });
            return 0;
        });
        return command;
    }

    private static Command List()
    {
        var admin = CliOptions.AdminCredential();
        var output = CliOutput.Option();
        var command = new Command("list", "List service tokens") { admin, output };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            CliOutput format = CliOutput.From(parse, output);
            using AdminClient client = AdminClient.Open(parse.GetValue(admin));
            IReadOnlyList<ServiceTokenView> tokens = await client.GetAsync("/api/v1/service-tokens", AdminJsonContext.Default.IReadOnlyListServiceTokenView, cancellationToken);
            format.Write(tokens, AdminJsonContext.Default.IReadOnlyListServiceTokenView, tokens =>
            {
                Console.WriteLine($"{"NAME",-20}  {"CLIENT ID",-40}  {"CREATED",-20}  STATE");
                foreach (ServiceTokenView t in tokens)
                {
                    Console.WriteLine($"{t.Name,-20}  {t.ClientId,-40}  {t.CreatedAt:u}  {(t.RevokedAt is null ? "active" : $"revoked {t.RevokedAt:u}")}");
                }
            });
            return 0;
        });
        return command;
    }

    private static Command Revoke()
    {
        var reference = new Argument<string>("TOKEN") { Description = "Name, client id or id of the token" };
        var admin = CliOptions.AdminCredential();
        var command = new Command("revoke", "Revoke a service token: it is refused from now on") { reference, admin };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            using AdminClient client = AdminClient.Open(parse.GetValue(admin));
            await client.DeleteAsync($"/api/v1/service-tokens/{Uri.EscapeDataString(parse.GetValue(reference)!)}", cancellationToken);
            Console.WriteLine($"Revoked service token {parse.GetValue(reference)}");
            return 0;
        });
        return command;
    }
}
