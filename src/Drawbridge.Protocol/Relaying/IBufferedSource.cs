using System.Buffers;

namespace Drawbridge.Protocol.Relaying;

/// <summary>
/// A source that already holds what it received in its own buffers (a mux stream's inbound
/// pipe): the relay writes those bytes on from there instead of copying them into a relay
/// buffer first (one copy per byte less in every process a connection crosses).
/// </summary>
internal interface IBufferedSource
{
    /// <summary>Waits for received bytes and returns them, valid until <see cref="Consume"/>;
    /// empty once the peer has finished sending (EOF). Throws as <see cref="Stream.ReadAsync(Memory{byte}, CancellationToken)"/> would.</summary>
    ValueTask<ReadOnlySequence<byte>> ReadBufferedAsync(CancellationToken cancellationToken);

    /// <summary>The first <paramref name="count"/> bytes of the last read were written on; the rest
    /// is returned again by the next read. Call once after every read that returned data.</summary>
    void Consume(long count);
}
