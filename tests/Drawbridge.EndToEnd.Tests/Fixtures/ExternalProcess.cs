using System.ComponentModel;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Drawbridge.EndToEnd.Tests.Fixtures;

/// <summary>
/// A real program started by an end-to-end test: stdout and stderr are captured (for
/// failure messages and for waiting on log lines), and the whole process tree is killed on
/// dispose. This is the one place the tests launch programs.
/// </summary>
internal sealed class ExternalProcess : IAsyncDisposable
{
    /// <summary>How long a server gets to accept connections; generous for a loaded 2-core CI box.</summary>
    public static readonly TimeSpan DefaultStartTimeout = TimeSpan.FromSeconds(30);

    // Between readiness probes: short enough to add little latency, long enough not to spin.
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    // After a kill or exit, how long to wait for the last output; a grandchild that
    // escaped the tree kill could hold the pipes open forever.
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    // A reserved port can be taken by someone else before the program binds it; a fresh
    // port on each retry makes three collisions in a row practically impossible.
    private const int StartAttempts = 3;

    private readonly Process process;
    private readonly Lock gate = new();
    private readonly StringBuilder standardOutput = new();
    private readonly StringBuilder standardError = new();
    private readonly Task pumps;
    private TaskCompletionSource outputChanged = NewSignal();
    private int disposed;
    private string? finalState;

    private ExternalProcess(Process process, string commandLine)
    {
        this.process = process;
        CommandLine = commandLine;
        pumps = Task.WhenAll(
            PumpAsync(process.StandardOutput, standardOutput),
            PumpAsync(process.StandardError, standardError));
    }

    public string CommandLine { get; }

    public int ProcessId => process.Id;

    public bool HasExited => process.HasExited;

    public string StandardOutput
    {
        get
        {
            lock (gate)
            {
                return standardOutput.ToString();
            }
        }
    }

    public string StandardError
    {
        get
        {
            lock (gate)
            {
                return standardError.ToString();
            }
        }
    }

    /// <summary>The command line and everything it printed so far, for failure messages.</summary>
    public string Output =>
        $"$ {CommandLine}\n{finalState ?? DescribeState()}\n" +
        $"--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";

    /// <summary>
    /// Starts <paramref name="fileName"/> with stdin, stdout and stderr redirected (stdin is
    /// left open and empty). <paramref name="environment"/> adds to the test's environment;
    /// a null value removes that variable. Throws with an install hint when the program is missing.
    /// </summary>
    public static ExternalProcess Start(
        string fileName,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            WorkingDirectory = workingDirectory ?? string.Empty,
        };
        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach ((string name, string? value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                startInfo.Environment.Remove(name);
            }
            else
            {
                startInfo.Environment[name] = value;
            }
        }

        string commandLine = string.Join(' ', startInfo.ArgumentList.Prepend(fileName).Select(Quote));
        Process process;
        try
        {
            process = Process.Start(startInfo)
                ?? throw new InvalidOperationException($"Could not start {commandLine}.");
        }
        catch (Win32Exception exception)
        {
            throw new InvalidOperationException(
                $"Could not start {commandLine}: {exception.Message}. Is '{fileName}' installed? " +
                "./test.sh installs the programs the end-to-end tests need.",
                exception);
        }

        return new ExternalProcess(process, commandLine);
    }

    /// <summary>
    /// Starts a server on a free loopback port and waits until it accepts connections.
    /// <paramref name="start"/> launches the program listening on the port it is given
    /// (writing its config first if it needs one); <paramref name="probe"/> says whether
    /// the port is really served (default: a TCP connect succeeds). When the program exits
    /// first, typically because someone took the port, it is retried on a fresh port.
    /// </summary>
    public static async Task<(ExternalProcess Process, int Port)> StartListeningAsync(
        Func<int, ExternalProcess> start,
        Func<int, CancellationToken, Task<bool>>? probe = null)
    {
        var failures = new StringBuilder();
        for (int attempt = 1; attempt <= StartAttempts; attempt++)
        {
            int port = LoopbackPort.Reserve();
            ExternalProcess server = start(port);
            bool accepting;
            try
            {
                accepting = await server.TryWaitUntilAcceptingAsync(port, DefaultStartTimeout, probe);
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }

            if (accepting)
            {
                return (server, port);
            }

            failures.Append($"attempt {attempt}, port {port}:\n{server.Output}\n");
            await server.DisposeAsync();
        }

        throw new InvalidOperationException(
            $"The server exited before accepting connections, {StartAttempts} times on fresh ports:\n{failures}");
    }

    /// <summary>
    /// Waits until <paramref name="probe"/> (default: a TCP connect) succeeds on
    /// 127.0.0.1:<paramref name="port"/>. Throws when the program exits or the time is up.
    /// </summary>
    public async Task WaitUntilAcceptingAsync(
        int port,
        TimeSpan timeout,
        Func<int, CancellationToken, Task<bool>>? probe = null)
    {
        if (!await TryWaitUntilAcceptingAsync(port, timeout, probe))
        {
            throw new InvalidOperationException($"The program exited before accepting connections on port {port}:\n{Output}");
        }
    }

    /// <summary>
    /// Waits until the captured output (stdout then stderr) satisfies <paramref name="condition"/>.
    /// Throws when the program's output ends without it, or the time is up.
    /// </summary>
    public async Task WaitForOutputAsync(Func<string, bool> condition, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            // Take the signal before looking, so output appended after the look wakes us.
            Task changed = Volatile.Read(ref outputChanged).Task;
            if (condition(StandardOutput + StandardError))
            {
                return;
            }

            if (pumps.IsCompleted)
            {
                await DrainAsync();
                throw new InvalidOperationException($"The program's output ended without the awaited text:\n{Output}");
            }

            try
            {
                await Task.WhenAny(changed, pumps).WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                throw new TimeoutException($"The awaited output did not appear within {timeout}:\n{Output}");
            }
        }
    }

    /// <summary>
    /// Runs a program to completion: writes <paramref name="standardInput"/> (if any), closes
    /// stdin, and returns its exit code and output. Kills it and throws after <paramref name="timeout"/>.
    /// </summary>
    public static async Task<ProcessResult> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        TimeSpan timeout,
        string? standardInput = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        await using ExternalProcess run = Start(fileName, arguments, environment);
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            try
            {
                if (standardInput is not null)
                {
                    await run.process.StandardInput.WriteAsync(standardInput.AsMemory(), deadline.Token);
                }

                run.process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The program exited without reading its input; its exit code tells the story.
            }

            await run.process.WaitForExitAsync(deadline.Token);
            await run.pumps.WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"The program did not finish within {timeout}:\n{run.Output}");
        }

        return new ProcessResult(run.CommandLine, run.process.ExitCode, run.StandardOutput, run.StandardError);
    }

    /// <summary>Kills the program and all its descendants, then waits for the last output.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        await DrainAsync();
        finalState = DescribeState() + " (disposed)";
        process.Dispose();
    }

    private async Task<bool> TryWaitUntilAcceptingAsync(
        int port,
        TimeSpan timeout,
        Func<int, CancellationToken, Task<bool>>? probe)
    {
        probe ??= LoopbackPort.IsAcceptingAsync;
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            bool ready;
            try
            {
                ready = await probe(port, deadline.Token);
            }
            catch (Exception exception) when (exception is SocketException or IOException
                || (exception is OperationCanceledException && deadline.IsCancellationRequested))
            {
                ready = false;
            }

            // A probe can reach someone else's listener on a stolen port; our program
            // exiting (on "address in use") is what tells those apart.
            if (process.HasExited)
            {
                await DrainAsync();
                return false;
            }

            if (ready)
            {
                return true;
            }

            try
            {
                await Task.Delay(PollInterval, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Nothing accepted connections on 127.0.0.1:{port} within {timeout}:\n{Output}");
            }
        }
    }

    private async Task DrainAsync()
    {
        try
        {
            await process.WaitForExitAsync().WaitAsync(DrainTimeout);
            await pumps.WaitAsync(DrainTimeout);
        }
        catch (TimeoutException)
        {
            // Output after this point is lost; the failure message says what we have.
        }
    }

    private async Task PumpAsync(StreamReader reader, StringBuilder sink)
    {
        var buffer = new char[4096];
        try
        {
            int read;
            while ((read = await reader.ReadAsync(buffer)) > 0)
            {
                lock (gate)
                {
                    sink.Append(buffer, 0, read);
                }

                Interlocked.Exchange(ref outputChanged, NewSignal()).TrySetResult();
            }
        }
        catch (IOException)
        {
            // The pipe broke with the process; what was read is kept.
        }
        catch (ObjectDisposedException)
        {
            // Disposed after the drain timed out; same as above.
        }
        finally
        {
            Interlocked.Exchange(ref outputChanged, NewSignal()).TrySetResult();
        }
    }

    private string DescribeState() =>
        process.HasExited ? $"exited with code {process.ExitCode}" : "running";

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static string Quote(string argument) =>
        argument.Length > 0 && !argument.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\' or '$')
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
