using System.Collections;
using System.Globalization;
using System.Text.RegularExpressions;
using Drawbridge.EndToEnd.Tests.Fixtures;

namespace Drawbridge.EndToEnd.Tests.Harness;

/// <summary>
/// The real <c>drawbridge</c> executable, run as <c>dotnet drawbridge.dll …</c> in its own process,
/// as a user would run it. Every run gets an isolated environment: HOME, XDG_CONFIG_HOME and
/// XDG_DATA_HOME point into this instance's temp directory, and DRAWBRIDGE_* and proxy variables
/// are cleared unless the test sets them. One instance is one "user account"; dispose kills
/// what it started and deletes the home.
/// </summary>
internal sealed class DrawbridgeCli : IAsyncDisposable
{
    /// <summary>A one-shot command (admin call, init): each start of the runtime costs ~1 s on a loaded 2-core box.</summary>
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);

    /// <summary>How long a long-running command gets to say it is ready (edge listening, link registered).</summary>
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);

    // A reserved port can be taken before the program binds it; three fresh ports in a row won't all be.
    private const int StartAttempts = 3;

    private static readonly string[] ProxyVariables =
        ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"];

    private readonly TempDirectory _home = TempDirectory.Create("drawbridge-cli-home-");
    private readonly List<ExternalProcess> _started = [];

    /// <summary>The built <c>drawbridge.dll</c>, copied next to the test assembly by the project reference.</summary>
    public static string DllPath { get; } = FindDll();

    /// <summary>The <c>dotnet</c> host running the tests, so the CLI runs on the same runtime.</summary>
    public static string DotnetPath { get; } = FindDotnet();

    /// <summary>This user's home directory (a fresh temp directory).</summary>
    public string Home => _home.Path;

    /// <summary>Where the CLI keeps credentials: <c>$XDG_CONFIG_HOME/drawbridge</c>.</summary>
    public string ConfigDirectory => Path.Combine(Home, ".config", "drawbridge");

    public string TunnelsDirectory => Path.Combine(ConfigDirectory, "tunnels");

    /// <summary>A scratch directory for data directories and config files, deleted on dispose.</summary>
    public string Scratch(string name)
    {
        string path = Path.Combine(Home, "scratch", name);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>
    /// The environment of a CLI process (or of a program that starts one, such as ssh with a
    /// ProxyCommand): isolated home, no DRAWBRIDGE_* or proxy variables, then <paramref name="extra"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string?> Environment(IReadOnlyDictionary<string, string?>? extra = null)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry variable in System.Environment.GetEnvironmentVariables())
        {
            if (variable.Key is string name && name.StartsWith("DRAWBRIDGE_", StringComparison.Ordinal))
            {
                environment[name] = null;
            }
        }

        foreach (string name in ProxyVariables)
        {
            environment[name] = null;
        }

        environment["HOME"] = Home;
        environment["XDG_CONFIG_HOME"] = Path.Combine(Home, ".config");
        environment["XDG_DATA_HOME"] = Path.Combine(Home, ".local", "share");
        environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        environment["DOTNET_NOLOGO"] = "1";
        foreach ((string name, string? value) in extra ?? new Dictionary<string, string?>())
        {
            environment[name] = value;
        }

        return environment;
    }

    /// <summary>Starts a long-running command; it is killed when this instance is disposed.</summary>
    public ExternalProcess Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null)
    {
        ExternalProcess process = ExternalProcess.Start(DotnetPath, [DllPath, .. arguments], Environment(environment));
        _started.Add(process);
        return process;
    }

    /// <summary>Runs a one-shot command to completion.</summary>
    public Task<ProcessResult> RunAsync(
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? standardInput = null,
        TimeSpan? timeout = null) =>
        ExternalProcess.RunAsync(DotnetPath, [DllPath, .. arguments], timeout ?? CommandTimeout, standardInput, Environment(environment));

    /// <summary>Runs a one-shot command and fails the test, with its output, unless it exits 0.</summary>
    public async Task<string> RunSucceedingAsync(params string[] arguments)
    {
        ProcessResult result = await RunAsync(arguments);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.StandardOutput;
    }

    /// <summary>The command line of this CLI for a shell (an ssh ProxyCommand): every word single-quoted.</summary>
    public static string ShellCommand(params string[] arguments) =>
        string.Join(' ', new[] { DotnetPath, DllPath }.Concat(arguments).Select(a => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));

    /// <summary>Waits until the process has printed (stdout or stderr) something matching <paramref name="pattern"/> at least <paramref name="count"/> times.</summary>
    public static Task WaitForAsync(ExternalProcess process, string pattern, int count = 1, TimeSpan? timeout = null) =>
        process.WaitForOutputAsync(output => Regex.Count(output, pattern) >= count, timeout ?? ReadyTimeout);

    /// <summary>Waits for a process started by <see cref="Start"/> to exit and returns its exit code.</summary>
    public static async Task<int> WaitForExitAsync(ExternalProcess process, TimeSpan timeout)
    {
        try
        {
            // Never satisfied: returns only by throwing once the output has ended (the program exited).
            await process.WaitForOutputAsync(_ => false, timeout);
        }
        catch (InvalidOperationException)
        {
            // The output ended: the program exited (ExternalProcess waited for it).
        }

        // ExternalProcess reports the exit code only in its description ("exited with code N").
        Match exited = Regex.Match(process.Output, @"^exited with code (-?\d+)", RegexOptions.Multiline);
        return exited.Success
            ? int.Parse(exited.Groups[1].Value, CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"The program's output ended but it did not exit:\n{process.Output}");
    }

    /// <summary>
    /// Starts a command that listens on a port it is told: reserves a port, runs
    /// <paramref name="prepare"/> (e.g. <c>edge init --port P</c>), starts the command and waits for
    /// <paramref name="readyPattern"/>. When the command exits first (someone took the port), tries a fresh port.
    /// </summary>
    public async Task<(ExternalProcess Process, int Port)> StartListeningAsync(
        Func<int, IEnumerable<string>> arguments,
        string readyPattern,
        IReadOnlyDictionary<string, string?>? environment = null,
        Func<int, int, Task>? prepare = null)
    {
        var failures = new List<string>();
        for (int attempt = 1; attempt <= StartAttempts; attempt++)
        {
            int port = LoopbackPort.Reserve();
            if (prepare is not null)
            {
                await prepare(port, attempt);
            }

            ExternalProcess process = Start(arguments(port), environment);
            try
            {
                await WaitForAsync(process, readyPattern);
                return (process, port);
            }
            catch (InvalidOperationException)
            {
                // The output ended without the ready line: the program exited. Try a fresh port.
                await process.DisposeAsync();
                failures.Add($"attempt {attempt}, port {port}:\n{process.Output}");
            }
        }

        throw new InvalidOperationException($"The command exited before it was ready, {StartAttempts} times:\n{string.Join('\n', failures)}");
    }

    /// <summary>
    /// <c>edge init --data-dir D --hostname H --port P</c>, then <c>edge run --listen 127.0.0.1:P</c>
    /// until it logs "Edge listening". The admin credential in D/admin.json names https://H:P.
    /// </summary>
    public Task<(ExternalProcess Process, int Port)> StartEdgeAsync(
        string dataDirectory,
        string hostname = "localhost",
        string gracePeriod = "1s",
        IEnumerable<string>? initArguments = null,
        IReadOnlyDictionary<string, string?>? environment = null) =>
        StartListeningAsync(
            port => ["edge", "run", "--data-dir", dataDirectory, "--listen", $"127.0.0.1:{Invariant(port)}", "--grace-period", gracePeriod],
            "Edge listening on ",
            environment,
            prepare: async (port, attempt) =>
            {
                string[] init = ["edge", "init", "--data-dir", dataDirectory, "--hostname", hostname, "--port", Invariant(port), .. initArguments ?? []];
                await RunSucceedingAsync(attempt == 1 ? init : [.. init, "--force"]);
            });

    /// <summary><c>access tcp --hostname H --url 127.0.0.1:P …</c> (listener mode) on a reserved port, once it says it listens.</summary>
    public Task<(ExternalProcess Process, int Port)> StartAccessAsync(
        string hostname,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        string[] rest = [.. arguments];
        return StartListeningAsync(
            port => ["access", "tcp", "--hostname", hostname, "--url", $"127.0.0.1:{Invariant(port)}", .. rest],
            "listening on ",
            environment);
    }

    /// <summary><c>access tcp</c> flags that reach an app through an in-process edge with a service token.</summary>
    public static string[] AccessArguments(DrawbridgeStack stack, ServiceTokenPair token) =>
        ["--edge", stack.EdgeAddress, "--ca-cert", stack.CaPath, "--service-token-id", token.ClientId, "--service-token-secret", token.Secret];

    /// <summary>
    /// Connects to 127.0.0.1:<paramref name="port"/> (an <c>access tcp</c> listener), sends
    /// <paramref name="message"/>, half-closes and returns everything that came back before EOF.
    /// </summary>
    public static async Task<string> ExchangeAsync(int port, string message, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? ReadyTimeout);
        using var client = new System.Net.Sockets.TcpClient { NoDelay = true };
        await client.ConnectAsync(System.Net.IPAddress.Loopback, port, deadline.Token);
        byte[] answer = await client.ExchangeAsync(System.Text.Encoding.UTF8.GetBytes(message), 1024 * 1024, deadline.Token);
        return System.Text.Encoding.UTF8.GetString(answer);
    }

    public static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        for (int i = _started.Count - 1; i >= 0; i--)
        {
            await _started[i].DisposeAsync();
        }

        _home.Dispose();
    }

    private static string FindDll()
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "drawbridge.dll");
        string runtimeConfig = Path.Combine(AppContext.BaseDirectory, "drawbridge.runtimeconfig.json");
        if (!File.Exists(dll) || !File.Exists(runtimeConfig))
        {
            throw new InvalidOperationException(
                $"drawbridge.dll and drawbridge.runtimeconfig.json are not in {AppContext.BaseDirectory}: " +
                "the test project references src/Drawbridge.Cli so the build copies them there; rebuild the tests");
        }

        return dll;
    }

    private static string FindDotnet()
    {
        if (System.Environment.ProcessPath is { } process && Path.GetFileNameWithoutExtension(process) == "dotnet")
        {
            return process;
        }

        return System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : "dotnet";
    }
}
