using System.Buffers;

namespace Drawbridge.Protocol.Multiplexing;

/// <summary>Tunables of one link. The wire constants live in <see cref="Framing.MuxLimits"/>.</summary>
public sealed class MuxSessionOptions
{
    /// <summary>How often to PING the peer; null = never (the peer pings). SPEC.md §3 has the
    /// connector ping every 5 s. Range: 100 ms – 1 h.</summary>
    public TimeSpan? KeepAliveInterval { get; init; }

    /// <summary>A PING unanswered this long ends the link as dead (SPEC.md §3: 10 s).</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>After our side has closed its output, how long to wait for the peer to close its own
    /// before the transport is torn down. 2 s: a live peer answers within a few RTTs.</summary>
    public TimeSpan CloseGrace { get; init; } = TimeSpan.FromSeconds(2);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where the link's output and its streams' inbound pipes take their buffers:
    /// <see cref="Transport.BlockMemoryPool.Frames"/>, shared by every link of the process.</summary>
    internal MemoryPool<byte> FramePool { get; init; } = Transport.BlockMemoryPool.Frames;
}
