using System.Net.Sockets;
using System.Text;
using Drawbridge.Cli.Systemd;
using Microsoft.Extensions.Time.Testing;

namespace Drawbridge.Tests.Cli.Systemd;

/// <summary>sd_notify(3) as systemd reads it: one datagram of KEY=VALUE lines to $NOTIFY_SOCKET.</summary>
public sealed class SystemdNotifierTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Fact]
    public void Format_IsNewlineSeparatedAssignmentsWithOneLineStatus()
    {
        Assert.Equal("READY=1\nSTATUS=2 links registered", SystemdNotifier.Format(("READY", "1"), ("STATUS", "2 links registered")));
        Assert.Equal("STATUS=a b", SystemdNotifier.Format(("STATUS", "a\nb")));
    }

    [Fact]
    public void UnsetNotifySocket_MeansNoNotifier()
    {
        Assert.Null(SystemdNotifier.FromEnvironment(_ => null, 42, TimeProvider.System));
        Assert.Null(SystemdNotifier.FromEnvironment(n => n == "NOTIFY_SOCKET" ? "" : null, 42, TimeProvider.System));
    }

    [Theory]
    [InlineData("30000000", null, 15)]
    [InlineData("30000000", "42", 15)]
    [InlineData("30000000", "43", null)]
    [InlineData(null, null, null)]
    [InlineData("-5", null, null)]
    public void Watchdog_IsHalfOfWatchdogUsec_ForThisProcessOnly(string? usec, string? pid, int? expectedSeconds)
    {
        var environment = new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = "@x", ["WATCHDOG_USEC"] = usec, ["WATCHDOG_PID"] = pid };
        using SystemdNotifier notifier = SystemdNotifier.FromEnvironment(n => environment.GetValueOrDefault(n), 42, TimeProvider.System)!;
        Assert.Equal(expectedSeconds is { } s ? TimeSpan.FromSeconds(s) : null, notifier.WatchdogInterval);
    }

    [Fact]
    public async Task Send_ReachesAPathSocket()
    {
        string path = Path.Combine(Path.GetTempPath(), $"notify-{Guid.NewGuid():N}.sock");
        try
        {
            using Socket listener = Bind(path);
            using var notifier = new SystemdNotifier(path, null, TimeProvider.System);
            notifier.Send(("READY", "1"), ("STATUS", "up"));
            Assert.Equal("READY=1\nSTATUS=up", await ReceiveAsync(listener));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Send_ReachesAnAbstractSocketNamedWithAt()
    {
        string name = $"drawbridge-test-{Guid.NewGuid():N}";
        using Socket listener = Bind("\0" + name);
        using var notifier = new SystemdNotifier("@" + name, null, TimeProvider.System);
        notifier.Send(("STOPPING", "1"));
        Assert.Equal("STOPPING=1", await ReceiveAsync(listener));
    }

    [Fact]
    public void Send_ToNobody_IsIgnored()
    {
        using var notifier = new SystemdNotifier("@drawbridge-nobody-" + Guid.NewGuid().ToString("N"), null, TimeProvider.System);
        notifier.Send(("READY", "1"));
    }

    [Fact]
    public async Task Run_SendsReadyOnlyWhenReady_WatchdogOnEachInterval_StoppingOnStop()
    {
        string name = $"drawbridge-test-{Guid.NewGuid():N}";
        using Socket listener = Bind("\0" + name);
        var time = new FakeTimeProvider();
        using var notifier = new SystemdNotifier("@" + name, TimeSpan.FromSeconds(10), time);
        var ready = new TaskCompletionSource();
        using var stop = new CancellationTokenSource();
        Task running = notifier.RunAsync(ready.Task, () => "1 link registered", stop.Token);

        Assert.Equal("WATCHDOG=1", await ReceiveAsync(listener));
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal("WATCHDOG=1", await ReceiveAsync(listener));
        ready.SetResult();
        Assert.Equal("READY=1\nSTATUS=1 link registered", await ReceiveAsync(listener));
        await stop.CancelAsync();
        await running.WaitAsync(Limit);
        Assert.Equal("STOPPING=1\nSTATUS=draining: open connections may finish", await ReceiveAsync(listener));
        Assert.Equal(0, listener.Available);
    }

    [Fact]
    public async Task Run_WhenStartFails_SendsNoReady()
    {
        string name = $"drawbridge-test-{Guid.NewGuid():N}";
        using Socket listener = Bind("\0" + name);
        using var notifier = new SystemdNotifier("@" + name, null, new FakeTimeProvider());
        using var stop = new CancellationTokenSource();
        Task running = notifier.RunAsync(Task.FromException(new InvalidOperationException("refused")), () => "x", stop.Token);
        await running.WaitAsync(Limit);
        Assert.Equal(0, listener.Available);
    }

    private static Socket Bind(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        return socket;
    }

    private static async Task<string> ReceiveAsync(Socket listener)
    {
        byte[] buffer = new byte[4096];
        using var deadline = new CancellationTokenSource(Limit);
        int read = await listener.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
        return Encoding.UTF8.GetString(buffer, 0, read);
    }
}
