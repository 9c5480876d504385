using System.Collections.Concurrent;
using Drawbridge.Protocol.Multiplexing;
using Drawbridge.Protocol.Relaying;

namespace Drawbridge.Edge.Hosting;

/// <summary>Run-time state shared by the edge's endpoints: options, draining, open connections.</summary>
internal sealed class EdgeRuntime(EdgeRunOptions options, EdgeSettings settings)
{
    public EdgeRunOptions Options { get; } = options;

    /// <summary>The edge's public name and port (the bound port once known, when edge.json says 0).</summary>
    public EdgeSettings Settings { get; set; } = settings;

    /// <summary>Set on shutdown: new connections and links are refused with <c>edge_draining</c>.</summary>
    public volatile bool Draining;

    /// <summary>Open client connections, for the graceful drain.</summary>
    public RelayTracker Connections { get; } = new();

    /// <summary>Clients' links (SPEC.md §8), told to move on (GOAWAY) when the edge drains.</summary>
    public ConcurrentDictionary<MuxSession, byte> ClientLinks { get; } = new();

    /// <summary>The CA PEM clients and connectors must trust; null with an operator certificate.</summary>
    public string? CaCertificatePem { get; set; }
}
