using System.Collections.Concurrent;
using System.Collections.Immutable;
using Drawbridge.Protocol.Multiplexing;

namespace Drawbridge.Edge.Connectors;

/// <summary>The live links of every tunnel on this edge, and the choice of link for a new stream.</summary>
internal sealed class ConnectorRegistry
{
    private readonly ConcurrentDictionary<Guid, ImmutableArray<ConnectorLink>> _links = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _roundRobin;

    public void Add(ConnectorLink link)
    {
        _links.AddOrUpdate(link.TunnelId, _ => [link], (_, links) => links.Add(link));
        SignalChanged();
    }

    public void Remove(ConnectorLink link)
    {
        _links.AddOrUpdate(link.TunnelId, _ => [], (_, links) => links.Remove(link));
        SignalChanged();
    }

    /// <summary>Completes at the next link added or removed (for waiting without polling).</summary>
    public Task WhenChanged() => Volatile.Read(ref _changed).Task;

    private void SignalChanged() =>
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    public ImmutableArray<ConnectorLink> LinksOf(Guid tunnelId) =>
        _links.TryGetValue(tunnelId, out ImmutableArray<ConnectorLink> links) ? links : [];

    public IEnumerable<ConnectorLink> All => _links.Values.SelectMany(l => l);

    public int Count => _links.Values.Sum(l => l.Length);

    /// <summary>
    /// The open link of <paramref name="tunnelId"/> with the fewest streams (ties broken in turn),
    /// skipping <paramref name="exclude"/>; null when the tunnel has none.
    /// </summary>
    public ConnectorLink? Pick(Guid tunnelId, ConnectorLink? exclude = null)
    {
        ImmutableArray<ConnectorLink> links = LinksOf(tunnelId);
        ConnectorLink? best = null;
        int bestLoad = int.MaxValue;
        int start = links.Length == 0 ? 0 : (int)((uint)Interlocked.Increment(ref _roundRobin) % (uint)links.Length);
        for (int i = 0; i < links.Length; i++)
        {
            ConnectorLink link = links[(start + i) % links.Length];
            if (link == exclude || !link.Session.IsOpen)
            {
                continue;
            }

            int load = link.Session.ActiveStreamCount;
            if (load < bestLoad)
            {
                best = link;
                bestLoad = load;
            }
        }

        return best;
    }

    /// <summary>Ends every link of a tunnel (deleted, or its secret rotated).</summary>
    public void CloseTunnel(Guid tunnelId, string reason)
    {
        foreach (ConnectorLink link in LinksOf(tunnelId))
        {
            _ = link.Session.CloseAsync(MuxErrorCode.NoError, reason);
        }
    }
}
