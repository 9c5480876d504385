using System.CommandLine;
using Drawbridge.Cli.Admin;
using Drawbridge.Cli.Hosting;
using Drawbridge.Edge.Admin;

namespace Drawbridge.Cli.Commands;

/// <summary><c>drawbridge app create|list|info|delete</c>: applications are hostnames with ordered policies.</summary>
internal static class AppCommands
{
    public static Command Build()
    {
        var app = new Command("app", "Applications: hostnames whose users are admitted by policies");
        app.Subcommands.Add(Create());
        app.Subcommands.Add(List());
        app.Subcommands.Add(Info());
        app.Subcommands.Add(Delete());
        return app;
    }

    private static Command Create()
    {
        var hostname = new Argument<string>("HOSTNAME") { Description = "The app's hostname, e.g. db.example.com" };
        var duration = new Option<string?>("--session-duration") { Description = "How long a sign-in lasts for this app (default 24h; e.g. 8h, 30m, 7d)" };
        var admin = CliOptions.AdminCredential();
        var command = new Command("create", "Create an application (it admits no one until a policy allows)") { hostname, duration, admin };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            using AdminClient client = AdminClient.Open(parse.GetValue(admin));
            AppView created = await client.PostAsync("/api/v1/apps",
                AdminClient.Json(new CreateAppRequest(parse.GetValue(hostname), parse.GetValue(duration)), AdminJsonContext.Default.CreateAppRequest),
                AdminJsonContext.Default.AppView, cancellationToken);
            Console.WriteLine($"Created application {created.Hostname} (sessions last {created.SessionDuration})");
            Console.WriteLine($"Next: drawbridge policy add {created.Hostname} --action allow --include email-domain:example.com");
            return 0;
        });
        return command;
    }

    private static Command List()
    {
        var admin = CliOptions.AdminCredential();
        var output = CliOutput.Option();
        var command = new Command("list", "List applications and their policies") { admin, output };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            CliOutput format = CliOutput.From(parse, output);
            using AdminClient client = AdminClient.Open(parse.GetValue(admin));
            IReadOnlyList<AppView> apps = await client.GetAsync("/api/v1/apps", AdminJsonContext.Default.IReadOnlyListAppView, cancellationToken);
            format.Write(apps, AdminJsonContext.Default.IReadOnlyListAppView, apps =>
            {
                foreach (AppView app in apps)
                {
                    Describe(app);
                }
            });
            return 0;
        });
        return command;
    }

    private static Command Info()
    {
        var hostname = new Argument<string>("HOSTNAME") { Description = "The app's hostname" };
        var admin = CliOptions.AdminCredential();
        var output = CliOutput.Option();
        var command = new Command("info", "Show an application and its policies") { hostname, admin, output };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            CliOutput format = CliOutput.From(parse, output);
            using AdminClient client = AdminClient.Open(parse.GetValue(admin));
            AppView app = await client.GetAsync($"/api/v1/apps/{Uri.EscapeDataString(parse.GetValue(hostname)!)}", AdminJsonContext.Default.AppView, cancellationToken);
            format.Write(app, AdminJsonContext.Default.AppView, Describe);
            return 0;
        });
        return command;
    }

    private static void Describe(AppView app)
    {
        Console.WriteLine($"{app.Hostname}  (sessions {app.SessionDuration}, {app.Policies.Count} policies)");
        foreach (PolicyView policy in app.Policies)
        {
            Console.WriteLine("  " + PolicyCommands.Describe(policy));
        }
    }

    private static Command Delete()
    {
        var hostname = new Argument<string>("HOSTNAME") { Description = "The app's hostname" };
        var admin = CliOptions.AdminCredential();
        var command = new Command("delete", "Delete an application and its policies") { hostname, admin };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            using AdminClient client = AdminClient.Open(parse.GetValue(admin));
            await client.DeleteAsync($"/api/v1/apps/{Uri.EscapeDataString(parse.GetValue(hostname)!)}", cancellationToken);
            Console.WriteLine($"Deleted application {parse.GetValue(hostname)}");
            return 0;
        });
        return command;
    }
}
