using System.Net.Sockets;
using Drawbridge.Client.Config;
using Drawbridge.Configuration;

namespace Drawbridge.Client.Forwarding;

/// <summary>
/// Every forward of an <c>access.yml</c> in one process: all listeners are bound before any
/// serves (a port already taken closes the ones bound so far and names the file and line),
/// then each accepts on its own until cancellation (SIGINT/SIGTERM) stops them all.
/// </summary>
internal sealed class ForwardSet : IDisposable
{
    private readonly List<(ForwardConfig Config, LocalForwarder Forwarder)> _forwards;

    private ForwardSet(List<(ForwardConfig, LocalForwarder)> forwards) => _forwards = forwards;

    public IEnumerable<(ForwardConfig Config, LocalForwarder Forwarder)> Forwards => _forwards;

    /// <summary>Binds a listener per forward; <paramref name="dialerFor"/> gives each forward its dialer (shared per hostname and credential).</summary>
    public static ForwardSet Bind(AccessConfig config, Func<ForwardConfig, AccessDialer> dialerFor, TextWriter messages)
    {
        var bound = new List<(ForwardConfig, LocalForwarder)>();
        try
        {
            foreach (ForwardConfig forward in config.Forwards)
            {
                bound.Add((forward, BindOne(forward, dialerFor(forward), messages)));
            }

            return new ForwardSet(bound);
        }
        catch
        {
            foreach ((_, LocalForwarder forwarder) in bound)
            {
                forwarder.Dispose();
            }

            throw;
        }
    }

    private static LocalForwarder BindOne(ForwardConfig forward, AccessDialer dialer, TextWriter messages)
    {
        try
        {
            return new LocalForwarder(dialer, forward.Listen, messages);
        }
        catch (InvalidOperationException ex) when (ex.InnerException is SocketException)
        {
            throw new ConfigException($"{forward.Where}: listen {forward.ListenText} is already in use: pick another port, or stop what listens there", ex);
        }
        catch (SocketException ex)
        {
            throw new ConfigException($"{forward.Where}: cannot listen on {forward.ListenText}: {ex.Message} (use localhost or an address of this machine, and a port above 1023 unless running as root)", ex);
        }
    }

    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_forwards.Select(f => f.Forwarder.RunAsync(cancellationToken)));

    public void Dispose()
    {
        foreach ((_, LocalForwarder forwarder) in _forwards)
        {
            forwarder.Dispose();
        }
    }
}
