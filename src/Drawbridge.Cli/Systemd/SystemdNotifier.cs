using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Drawbridge.Cli.Systemd;

/// <summary>
/// The sd_notify protocol (sd_notify(3)) without libsystemd: newline-separated <c>KEY=VALUE</c>
/// assignments in one datagram to the Unix socket named by <c>$NOTIFY_SOCKET</c> (a leading
/// '@' names the abstract namespace). <see cref="FromEnvironment"/> returns null when systemd
/// did not ask, so an interactive run sends nothing at all.
/// </summary>
internal sealed class SystemdNotifier : IDisposable
{
    /// <summary>How often STATUS= is refreshed when it changes (no watchdog): cheap, and `systemctl status` stays current.</summary>
    private static readonly TimeSpan StatusRefresh = TimeSpan.FromSeconds(5);

    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly UnixDomainSocketEndPoint _target;
    private readonly TimeProvider _time;

    public SystemdNotifier(string socketPath, TimeSpan? watchdogInterval, TimeProvider time)
    {
        // sd_notify(3): "@" at the start means an abstract socket, whose name starts with a NUL byte.
        _target = new UnixDomainSocketEndPoint(socketPath.StartsWith('@') ? "\0" + socketPath[1..] : socketPath);
        WatchdogInterval = watchdogInterval;
        _time = time;
    }

    /// <summary>How often to send WATCHDOG=1 (half of WATCHDOG_USEC, as sd_watchdog_enabled(3) advises); null when not asked.</summary>
    public TimeSpan? WatchdogInterval { get; }

    /// <summary>The notifier systemd asked for through the environment, or null when NOTIFY_SOCKET is unset.</summary>
    public static SystemdNotifier? FromEnvironment(Func<string, string?> variable, int processId, TimeProvider time)
    {
        if (variable("NOTIFY_SOCKET") is not { Length: > 0 } socket)
        {
            return null;
        }

        TimeSpan? watchdog = null;
        // WATCHDOG_PID names the process the pings are for; another process's are not ours to send.
        bool ours = variable("WATCHDOG_PID") is not { Length: > 0 } pid || pid == processId.ToString(CultureInfo.InvariantCulture);
        if (ours && long.TryParse(variable("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out long usec) && usec > 0)
        {
            watchdog = TimeSpan.FromMicroseconds(usec / 2.0);
        }

        return new SystemdNotifier(socket, watchdog, time);
    }

    public static SystemdNotifier? FromEnvironment() =>
        FromEnvironment(Environment.GetEnvironmentVariable, Environment.ProcessId, TimeProvider.System);

    /// <summary>One datagram of assignments, e.g. <c>READY=1\nSTATUS=1 link registered</c>. A status is one line.</summary>
    public static string Format(params (string Key, string Value)[] assignments) =>
        string.Join('\n', assignments.Select(a => $"{a.Key}={a.Value.ReplaceLineEndings(" ")}"));

    /// <summary>Sends the assignments; a failure is ignored, as sd_notify's callers do: systemd may be gone or restarting.</summary>
    public void Send(params (string Key, string Value)[] assignments)
    {
        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(Format(assignments)), SocketFlags.None, _target);
        }
        catch (SocketException)
        {
            // nobody listens: nothing to tell
        }
    }

    /// <summary>
    /// The whole conversation of a service: READY=1 with a status once <paramref name="ready"/>
    /// completes, a fresh STATUS= when it changes, WATCHDOG=1 at the watchdog interval, and
    /// STOPPING=1 when <paramref name="stopping"/> fires (SIGTERM: the drain begins). Returns after STOPPING.
    /// A <paramref name="ready"/> that fails (the service gave up starting) sends no READY.
    /// </summary>
    public async Task RunAsync(Task ready, Func<string> status, CancellationToken stopping)
    {
        Task watchdog = WatchdogAsync(stopping);
        await ready.WaitAsync(stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (ready.IsCompletedSuccessfully && !stopping.IsCancellationRequested)
        {
            string last = status();
            Send(("READY", "1"), ("STATUS", last));
            using var timer = new PeriodicTimer(StatusRefresh, _time);
            while (await WaitAsync(timer, stopping))
            {
                if (status() is var now && now != last)
                {
                    Send(("STATUS", now));
                    last = now;
                }
            }
        }

        await watchdog;
        if (stopping.IsCancellationRequested)
        {
            Send(("STOPPING", "1"), ("STATUS", "draining: open connections may finish"));
        }
    }

    private async Task WatchdogAsync(CancellationToken stopping)
    {
        if (WatchdogInterval is not { } interval)
        {
            return;
        }

        Send(("WATCHDOG", "1"));
        using var timer = new PeriodicTimer(interval, _time);
        while (await WaitAsync(timer, stopping))
        {
            Send(("WATCHDOG", "1"));
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stopping)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stopping);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose() => _socket.Dispose();
}
