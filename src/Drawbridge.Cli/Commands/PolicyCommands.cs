using System.CommandLine;
using Drawbridge.Cli.Admin;
using Drawbridge.Cli.Hosting;
using Drawbridge.Edge.Admin;

namespace Drawbridge.Cli.Commands;

/// <summary><c>drawbridge policy add|list|delete|test</c>. Selectors: everyone, email:, email-domain:, group:, login-method:, ip:, service-token:.</summary>
internal static class PolicyCommands
{
    public static Command Build()
    {
        var policy = new Command("policy", "Policies decide who reaches an application (include = any of, require = all of, exclude = none of)");
        policy.Subcommands.Add(Add());
        policy.Subcommands.Add(List());
        policy.Subcommands.Add(Delete());
        policy.Subcommands.Add(Test());
        return policy;
    }

    public static string Describe(PolicyView p) =>
        $"{p.Precedence,4}  {p.Action,-12} {p.Name,-20} include [{string.Join(", ", p.Include)}]" +
        (p.Require.Count > 0 ? $" require [{string.Join(", ", p.Require)}]" : "") +
        (p.Exclude.Count > 0 ? $" exclude [{string.Join(", ", p.Exclude)}]" : "") + $"  ({p.Id:N})";

    private static Command Add()
    {
        var hostname = new Argument<string>("HOSTNAME") { Description = "The application" };
        var action = new Option<string>("--action") { Description = "allow, deny, bypass or service-auth", Required = true };
        var name = new Option<string?>("--name") { Description = "A name for logs and `policy list` (default: the action and precedence)" };
        var include = new Option<string[]>("--include") { Description = "Admit when ANY of these match (repeatable), e.g. email-domain:example.com", AllowMultipleArgumentsPerToken = true };
        var require = new Option<string[]>("--require") { Description = "...and ALL of these match (repeatable), e.g. group:eng", AllowMultipleArgumentsPerToken = true };
        var exclude = new Option<string[]>("--exclude") { Description = "...and NONE of these match (repeatable), e.g. email:contractor@example.com", AllowMultipleArgumentsPerToken = true };
        var precedence = new Option<int?>("--precedence") { Description = "Order among the app's policies, 1 first (default: after the last)" };
        var admin = CliOptions.AdminCredential();
        var command = new Command("add", "Add a policy to an application") { hostname, action, name, include, require, exclude, precedence, admin };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            string actionName = parse.GetValue(action)!;
            var request = new AddPolicyRequest(
                parse.GetValue(name) ?? $"{actionName}-{parse.GetValue(precedence)?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "next"}",
                actionName, parse.GetValue(precedence), parse.GetValue(include) ?? [], parse.GetValue(require) ?? [], parse.GetValue(exclude) ?? []);
            using AdminClient client = AdminClient.Open(parse.GetValue(admin));
            PolicyView added = await client.PostAsync($"/api/v1/apps/{Uri.EscapeDataString(parse.GetValue(hostname)!)}/policies",
                AdminClient.Json(request, AdminJsonContext.Default.AddPolicyRequest), AdminJsonContext.Default.PolicyView, cancellationToken);
            Console.WriteLine($"Added to {added.App}: {Describe(added)}");
            return 0;
        });
        return command;
    }

    private static Command List()
    {
        var hostname = new Argument<string>("HOSTNAME") { Description = "The application" };
        var admin = CliOptions.AdminCredential();
        var output = CliOutput.Option();
        var command = new Command("list", "List an application's policies in the order they are evaluated") { hostname, admin, output };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            CliOutput format = CliOutput.From(parse, output);
            using AdminClient client = AdminClient.Open(parse.GetValue(admin));
            IReadOnlyList<PolicyView> policies = await client.GetAsync($"/api/v1/apps/{Uri.EscapeDataString(parse.GetValue(hostname)!)}/policies",
                AdminJsonContext.Default.IReadOnlyListPolicyView, cancellationToken);
            format.Write(policies, AdminJsonContext.Default.IReadOnlyListPolicyView, policies => Console.WriteLine(string.Join(Environment.NewLine, policies.Select(Describe))));
            return 0;
        });
        return command;
    }

    private static Command Delete()
    {
        var id = new Argument<Guid>("POLICY-ID") { Description = "The policy's id (from `policy list`)" };
        var admin = CliOptions.AdminCredential();
        var command = new Command("delete", "Delete a policy; open connections it no longer admits are closed") { id, admin };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            using AdminClient client = AdminClient.Open(parse.GetValue(admin));
            await client.DeleteAsync($"/api/v1/policies/{parse.GetValue(id):N}", cancellationToken);
            Console.WriteLine($"Deleted policy {parse.GetValue(id):N}");
            return 0;
        });
        return command;
    }

    private static Command Test()
    {
        var hostname = new Argument<string>("HOSTNAME") { Description = "The application" };
        var email = new Option<string?>("--email") { Description = "The user's e-mail" };
        var groups = new Option<string[]>("--groups") { Description = "The user's groups (repeatable or comma-separated)", AllowMultipleArgumentsPerToken = true };
        var ip = new Option<string?>("--ip") { Description = "The client's address (default 127.0.0.1)" };
        var method = new Option<string?>("--login-method") { Description = "How the user signed in (otp, or an identity provider's id)" };
        var token = new Option<string?>("--service-token") { Description = "Test a service token (by name) instead of a user" };
        var admin = CliOptions.AdminCredential();
        var output = CliOutput.Option();
        var command = new Command("test", "Show what the application decides for a caller, and which policy decides") { hostname, email, groups, ip, method, token, admin, output };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            CliOutput format = CliOutput.From(parse, output);
            string[] groupList = [.. (parse.GetValue(groups) ?? []).SelectMany(g => g.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];
            var request = new PolicyTestRequest(parse.GetValue(email), groupList, parse.GetValue(ip), parse.GetValue(method), parse.GetValue(token));
            using AdminClient client = AdminClient.Open(parse.GetValue(admin));
            PolicyTestResult result = await client.PostAsync($"/api/v1/apps/{Uri.EscapeDataString(parse.GetValue(hostname)!)}/policy-test",
                AdminClient.Json(request, AdminJsonContext.Default.PolicyTestRequest), AdminJsonContext.Default.PolicyTestResult, cancellationToken);
            format.Write(result, AdminJsonContext.Default.PolicyTestResult, result => Console.WriteLine($"{(result.Allowed ? "ALLOW" : "DENY")}  {result.Reason}"));
            return result.Allowed ? 0 : 3;
        });
        return command;
    }
}
