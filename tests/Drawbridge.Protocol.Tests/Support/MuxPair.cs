using Drawbridge.Protocol.Framing;
using Drawbridge.Protocol.Multiplexing;

namespace Drawbridge.Protocol.Tests.Support;

/// <summary>An edge session (<see cref="MuxRole.Opener"/>) and a connector session
/// (<see cref="MuxRole.Acceptor"/>) on the two ends of one transport, both started.</summary>
internal sealed class MuxPair : IAsyncDisposable
{
    private readonly StreamPair _streams;

    private MuxPair(StreamPair streams, MuxSessionOptions? options)
    {
        _streams = streams;
        Edge = new MuxSession(streams.Edge, MuxRole.Opener, options);
        Connector = new MuxSession(streams.Connector, MuxRole.Acceptor, options);
    }

    public MuxSession Edge { get; }

    public MuxSession Connector { get; }

    /// <param name="startEdge">False leaves the edge's loops stopped: frames it queues reach the wire
    /// only at <c>Edge.Start()</c>, which lets a test make frames cross deterministically.</param>
    public static async Task<MuxPair> StartAsync(TransportKind kind, MuxSessionOptions? options = null, bool startEdge = true)
    {
        var pair = new MuxPair(await StreamPair.CreateAsync(kind), options);
        pair.Connector.Start();
        if (startEdge)
        {
            pair.Edge.Start();
        }

        return pair;
    }

    public static OpenMessage NewOpenMessage(string hostname = "ssh.example.com") =>
        new(hostname, Guid.NewGuid(), "email:alice@example.com", "192.0.2.7:50123");

    /// <summary>Opens a stream on the edge and accepts it on the connector.</summary>
    public async Task<(MuxStream Opened, MuxStream Accepted)> OpenAsync(OpenMessage? open = null)
    {
        MuxStream opened = Edge.TryOpenStream(open ?? NewOpenMessage()) ?? throw new InvalidOperationException("the edge refused to open a stream");
        MuxStream? accepted = await Connector.AcceptStreamAsync(CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Event);
        Assert.NotNull(accepted);
        Assert.Equal(opened.Id, accepted.Id);
        return (opened, accepted);
    }

    public async ValueTask DisposeAsync()
    {
        await Edge.DisposeAsync();
        await Connector.DisposeAsync();
        await _streams.DisposeAsync();
    }
}
