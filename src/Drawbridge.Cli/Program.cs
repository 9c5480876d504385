using System.CommandLine;
using Drawbridge.Cli.Commands;
using Drawbridge.Cli.Hosting;

SocketCompletions.PreferInline(); // before any socket exists

// The `drawbridge` executable: the command tree and nothing else (STYLE.md layout).
var root = new RootCommand("Drawbridge: single-sign-on-gated access to any TCP service behind an outbound-only tunnel")
{
    QuickstartCommand.Build(),
    EdgeCommands.Build(),
    TunnelCommands.Build(),
    AccessCommands.Build(),
    ServiceTokenCommands.Build(),
    AppCommands.Build(),
    PolicyCommands.Build(),
    SessionCommands.BuildSession(),
    SessionCommands.BuildAudit(),
    DoctorCommand.Build(),
    ServiceCommands.Build(),
};

// SIGTERM/SIGINT cancel the action's token; give graceful drains (up to an hour) time to finish.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromMinutes(61) };
return await root.Parse(args).InvokeAsync(invocation);
