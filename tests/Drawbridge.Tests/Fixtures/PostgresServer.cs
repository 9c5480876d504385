using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Npgsql;

namespace Drawbridge.Tests.Fixtures;

/// <summary>
/// A private PostgreSQL cluster for the store's contract tests: <c>initdb</c> in a temporary
/// directory, a server on a free 127.0.0.1 port with password (SCRAM) logins, stopped and
/// deleted on dispose. One per test run (<see cref="PostgresCollection"/>); each test creates
/// its own database (<see cref="CreateDatabaseAsync"/>), so tests never see each other's rows.
/// <c>initdb</c> and <c>pg_ctl</c> refuse to run as root: then they run as the <c>postgres</c>
/// user (from the Debian package), which is given the directory.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    /// <summary>The superuser initdb creates; tests connect as it.</summary>
    public const string User = "drawbridge_test";

    // initdb and a start take a few seconds; a loaded 2-core CI machine gets ample margin.
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);

    // A free port can be taken between our probe and the server's bind; a fresh one each
    // time makes three collisions in a row practically impossible.
    private const int StartAttempts = 3;

    private readonly bool _asPostgresUser = OperatingSystem.IsLinux() && Environment.UserName == "root";
    private TempDirectory? _directory;
    private string _binaries = "";
    private bool _started;

    public string Password { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public int Port { get; private set; }

    private string DataDirectory => _directory!.Combine("data");

    private string LogFile => _directory!.Combine("server.log");

    public async Task InitializeAsync()
    {
        _binaries = FindBinaries();
        _directory = TempDirectory.Create();
        var passwordFile = _directory.Combine("pwfile");
        await File.WriteAllTextAsync(passwordFile, Password + "\n");
        if (_asPostgresUser)
        {
            await RunAsync("chown", ["-R", "postgres:postgres", _directory.Path]);
        }

        // C locale and UTF-8 whatever the machine's locale; --no-sync: a throwaway cluster.
        await RunPostgresToolAsync(
            "initdb",
            ["-D", DataDirectory, "-U", User, "--pwfile", passwordFile, "--auth-host=scram-sha-256", "--auth-local=scram-sha-256",
             "-E", "UTF8", "--locale=C", "--no-sync"]);

        var failures = new List<string>();
        for (var attempt = 1; attempt <= StartAttempts; attempt++)
        {
            Port = FreePort();
            // fsync and friends off: nothing here needs to survive a crash, and the tests run faster.
            var settings = string.Join(' ', [
                "-c listen_addresses=127.0.0.1",
                $"-c port={Port.ToString(CultureInfo.InvariantCulture)}",
                $"-c unix_socket_directories={_directory.Path}",
                "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off",
                "-c max_connections=200",
            ]);
            var (exitCode, output) = await RunPostgresToolAsync(
                "pg_ctl", ["-D", DataDirectory, "-l", LogFile, "-w", "-t", "60", "-o", settings, "start"], throwOnFailure: false);
            if (exitCode == 0)
            {
                _started = true;
                return;
            }

            failures.Add($"attempt {attempt}, port {Port}: {output}\n{ReadLog()}");
        }

        throw new InvalidOperationException($"PostgreSQL did not start {StartAttempts} times:\n{string.Join('\n', failures)}");
    }

    public async Task DisposeAsync()
    {
        if (_started)
        {
            await RunPostgresToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "stop"], throwOnFailure: false);
        }

        _directory?.Dispose();
    }

    /// <summary>An Npgsql connection string for <paramref name="database"/> (default: the test user's password).</summary>
    public string ConnectionString(string database, string? password = null) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = User,
        Password = password ?? Password,
        Database = database,
        Pooling = true,
    }.ConnectionString;

    /// <summary>A new, empty database with a unique name, for one test.</summary>
    public async Task<string> CreateDatabaseAsync(CancellationToken cancellationToken)
    {
        // Our own name, in lowercase hex: safe to put in the statement (a database name cannot be a parameter).
        var name = "t_" + Guid.NewGuid().ToString("N");
        await AdminAsync($"CREATE DATABASE {name};", cancellationToken);
        return name;
    }

    /// <summary>Drops a test's database, closing what is still connected to it.</summary>
    public Task DropDatabaseAsync(string name, CancellationToken cancellationToken) =>
        AdminAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE);", cancellationToken);

    private async Task AdminAsync(string sql, CancellationToken cancellationToken)
    {
        // Unpooled: these run once per test, and a pooled connection would keep the cluster busy.
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString("postgres")) { Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private string ReadLog()
    {
        try
        {
            return File.ReadAllText(LogFile);
        }
        catch (IOException)
        {
            return "(no server log)";
        }
    }

    /// <summary>The newest installed PostgreSQL's binaries (Debian: /usr/lib/postgresql/VERSION/bin).</summary>
    private static string FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        var found = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Select(d => (Directory: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
                .Where(c => File.Exists(Path.Combine(c.Directory, "initdb")))
                .OrderByDescending(c => c.Version)
                .Select(c => c.Directory)
                .FirstOrDefault()
            : null;
        return found ?? throw new InvalidOperationException(
            $"PostgreSQL is not installed (no {root}/*/bin/initdb): ./test.sh installs it (apt-get install postgresql).");
    }

    private static int FreePort()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }

    private Task<(int ExitCode, string Output)> RunPostgresToolAsync(string tool, IReadOnlyList<string> arguments, bool throwOnFailure = true)
    {
        var program = Path.Combine(_binaries, tool);
        return _asPostgresUser
            ? RunAsync("runuser", ["-u", "postgres", "--", program, .. arguments], throwOnFailure)
            : RunAsync(program, arguments, throwOnFailure);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string fileName, IReadOnlyList<string> arguments, bool throwOnFailure = true)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // Not the test's temp directory: the postgres user may not be allowed into it.
            WorkingDirectory = "/",
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        using var deadline = new CancellationTokenSource(CommandTimeout);
        var standardOutput = process.StandardOutput.ReadToEndAsync(deadline.Token);
        var standardError = process.StandardError.ReadToEndAsync(deadline.Token);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
            var output = await standardOutput + await standardError;
            if (throwOnFailure && process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{output}");
            }

            return (process.ExitCode, output);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish within {CommandTimeout}.");
        }
    }
}
