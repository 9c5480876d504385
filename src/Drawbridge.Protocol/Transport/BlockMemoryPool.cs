using System.Buffers;
using System.Runtime.InteropServices;
using Drawbridge.Protocol.Framing;

namespace Drawbridge.Protocol.Transport;

/// <summary>
/// A pool of 64 KiB pinned blocks, one full DATA frame on the wire each (SPEC.md §3), that keeps
/// up to a fixed number of returned blocks for reuse. Two users:
/// <list type="bullet">
/// <item>Kestrel's connections at the edge, which receive and write through blocks: with 64 KiB a
/// <c>recv</c> takes a whole frame and Kestrel's TLS writes it from one block (see the edge's
/// <c>TransportMemoryPoolFactory</c>).</item>
/// <item>The mux's pipes (<see cref="Frames"/>): a stream's inbound pipe holds every DATA frame
/// that arrived and was not read yet, up to the stream's window (16 MiB at most). .NET's shared
/// array pool keeps 32 arrays of a size per core, so a bulk transfer that queued more than that
/// at a relay (an edge forwarding faster than the next link takes) allocated a new 64 KiB
/// array for every frame and left the old ones to the GC: measured in T1, 26 MB/s at the edge
/// one way, 86 MB/s at the edge and 43 MB/s at the access client the other (with this pool: 2–4
/// and under 1). BENCH.md asks that a steady-state stream allocate nothing per frame; the CPU per
/// byte did not measurably change either way. Requests for a small buffer (a PING's reply, a
/// window update) are left to the shared pool, which serves those without this one's 64 KiB per
/// rent.</item>
/// </list>
/// A returned block beyond <c>maxRetained</c> is left to the GC, so a burst does not pin more
/// than that (16 MiB in the mux's pool). Nor are kept blocks held for good: every
/// <see cref="TrimInterval"/> the pool lets go of as many as no rent needed since the last time
/// (the fewest it held in between), so a busy pool keeps what its traffic reuses and an idle
/// process gives everything back within two intervals. An idle connection holds no block (Kestrel
/// waits for data before it rents one, and a pipe returns a block once its bytes are read).
/// </summary>
public sealed class BlockMemoryPool : MemoryPool<byte>
{
    public const int BlockSize = MuxLimits.DataMessageSize;

    /// <summary>Blocks the mux's pool keeps: 256 × 64 KiB = 16 MiB, one stream window's worth.</summary>
    internal const int FramesRetained = 256;

    /// <summary>Rents of at most this many bytes from the mux's pipes go to the shared array pool.</summary>
    internal const int FramesSharedUpTo = 16 * 1024;

    // Last in, first out: the block rented next is the one returned last, still in the cache
    // (a frame is copied into it right away).
    private readonly Lock _gate = new();
    private readonly Block?[] _free;
    private readonly int _sharedUpTo;
    private readonly ITimer _trimTimer;
    private int _freeCount; // guarded by _gate
    private int _lowWater; // the fewest free blocks since the last trim; guarded by _gate
    private bool _disposed; // guarded by _gate
    private long _created;

    /// <param name="maxRetained">Returned blocks kept for reuse; the rest go to the GC.</param>
    /// <param name="sharedUpTo">Rents of at most this many bytes are served by
    /// <see cref="MemoryPool{T}.Shared"/> instead of a block; 0 = every rent is a block.</param>
    /// <param name="time">The clock of the trim timer (tests).</param>
    public BlockMemoryPool(int maxRetained, int sharedUpTo = 0, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxRetained);
        ArgumentOutOfRangeException.ThrowIfNegative(sharedUpTo);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(sharedUpTo, BlockSize);
        _free = new Block?[maxRetained];
        _sharedUpTo = sharedUpTo;
        _trimTimer = (time ?? TimeProvider.System).CreateTimer(static pool => ((BlockMemoryPool)pool!).Trim(), this, TrimInterval, TrimInterval);
    }

    /// <summary>How often kept blocks that no rent needed are let go.</summary>
    public static TimeSpan TrimInterval { get; } = TimeSpan.FromSeconds(30);

    /// <summary>The pool of every mux pipe in this process (streams' inbound pipes, links' output).</summary>
    public static BlockMemoryPool Frames { get; } = new(FramesRetained, FramesSharedUpTo);

    public override int MaxBufferSize => BlockSize;

    /// <summary>Blocks this pool has allocated so far (a rent that found none to reuse).</summary>
    internal long BlocksCreated => Interlocked.Read(ref _created);

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        // -1 is "the default" (one block), as for MemoryPool<byte>.Shared.
        ArgumentOutOfRangeException.ThrowIfLessThan(minBufferSize, -1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        if (_sharedUpTo > 0 && minBufferSize >= 0 && minBufferSize <= _sharedUpTo)
        {
            return Shared.Rent(minBufferSize);
        }

        lock (_gate)
        {
            if (_freeCount > 0)
            {
                Block block = _free[--_freeCount]!;
                _free[_freeCount] = null;
                _lowWater = Math.Min(_lowWater, _freeCount);
                block.Rented();
                return block;
            }
        }

        Interlocked.Increment(ref _created);
        return new Block(this);
    }

    private void Return(Block block)
    {
        lock (_gate)
        {
            if (!_disposed && _freeCount < _free.Length)
            {
                _free[_freeCount++] = block;
            }
        }
    }

    /// <summary>Lets go of the blocks that stayed in the pool since the last trim: the coldest,
    /// at the bottom of the stack.</summary>
    internal void Trim()
    {
        lock (_gate)
        {
            int unused = _lowWater;
            if (unused > 0)
            {
                Array.Copy(_free, unused, _free, 0, _freeCount - unused);
                Array.Clear(_free, _freeCount - unused, unused);
                _freeCount -= unused;
            }

            _lowWater = _freeCount;
        }
    }

    /// <summary>Blocks kept for reuse now.</summary>
    internal int FreeCount
    {
        get
        {
            lock (_gate)
            {
                return _freeCount;
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        _trimTimer.Dispose();
        lock (_gate)
        {
            _disposed = true;
            Array.Clear(_free);
            _freeCount = 0;
            _lowWater = 0;
        }
    }

    private sealed class Block(BlockMemoryPool pool) : IMemoryOwner<byte>
    {
        // On the pinned heap, and a Memory that knows it: the socket pins it without a GC handle.
        private readonly Memory<byte> _memory = MemoryMarshal.CreateFromPinnedArray(GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true), 0, BlockSize);
        private int _returned;

        public Memory<byte> Memory => _memory;

        public void Rented() => Volatile.Write(ref _returned, 0);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _returned, 1) == 0)
            {
                pool.Return(this);
            }
        }
    }
}
