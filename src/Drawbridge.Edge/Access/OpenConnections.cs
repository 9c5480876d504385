using System.Collections.Concurrent;
using Drawbridge.Protocol.Multiplexing;

namespace Drawbridge.Edge.Access;

/// <summary>
/// Every open client connection (DESIGN.md "Live enforcement"): when a session or service token is
/// revoked or a policy changes, <see cref="Enforce"/> re-decides each one and closes those no longer
/// allowed, telling the client why.
/// </summary>
internal sealed class OpenConnections
{
    private readonly ConcurrentDictionary<Guid, OpenConnection> _open = new();

    public int Count => _open.Count;

    public IEnumerable<OpenConnection> All => _open.Values;

    public void Add(OpenConnection connection) => _open[connection.Id] = connection;

    public void Remove(Guid id) => _open.TryRemove(id, out _);

    public int CountForSession(Guid sessionId) => _open.Values.Count(c => c.Caller.SessionId == sessionId);

    /// <summary>Closes every connection for which <paramref name="verdict"/> returns a reason; returns how many.</summary>
    public int Enforce(Func<OpenConnection, (MuxErrorCode Code, string Reason)?> verdict)
    {
        int closed = 0;
        foreach (OpenConnection connection in _open.Values)
        {
            if (verdict(connection) is { } end && _open.TryRemove(connection.Id, out _))
            {
                connection.Close(end.Code, end.Reason);
                closed++;
            }
        }

        return closed;
    }
}
