using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Drawbridge.Protocol.Framing;
using Microsoft.AspNetCore.Connections;

namespace Drawbridge.Edge.Hosting;

/// <summary>
/// The memory Kestrel's connections read and write through: 64 KiB pinned blocks instead of
/// Kestrel's 4 KiB ones. Kestrel's socket transport receives into what is left of its current
/// block (at least half a block), and its TLS layer writes one block at a time (one record per
/// 16 KiB of it), so with 4 KiB blocks a tunnel moving gigabits made one <c>recv</c> per 2–4 KiB
/// and one TLS record per 4 KiB (measured: 114,000 receives for 221 MB). 16 KiB blocks (one full
/// record) took a <c>recv</c> and a zero-byte wait per record; 64 KiB blocks take a full DATA
/// frame (four records, SPEC.md §3) per <c>recv</c> and send it from one block: 5 % less CPU per
/// byte over the whole path in both directions, measured once links carried full records (before
/// that, 32 and 64 KiB measured no better than 16). An idle connection holds no block (Kestrel
/// waits for data before it rents one) and a block goes back once its bytes are consumed.
/// </summary>
internal sealed class TransportMemoryPool : MemoryPool<byte>
{
    public const int BlockSize = MuxLimits.DataMessageSize;

    /// <summary>Blocks kept for reuse; beyond this a returned block is left to the GC (a burst
    /// does not pin memory for good). 256 × 64 KiB = 16 MiB.</summary>
    internal const int MaxRetained = 256;

    private readonly ConcurrentQueue<Block> _free = new();
    private int _freeCount;
    private int _disposed;

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        if (_free.TryDequeue(out Block? block))
        {
            Interlocked.Decrement(ref _freeCount);
            block.Rented();
            return block;
        }

        return new Block(this);
    }

    private void Return(Block block)
    {
        if (Volatile.Read(ref _disposed) == 0 && Interlocked.Increment(ref _freeCount) <= MaxRetained)
        {
            _free.Enqueue(block);
            return;
        }

        Interlocked.Decrement(ref _freeCount);
    }

    protected override void Dispose(bool disposing)
    {
        Volatile.Write(ref _disposed, 1);
        _free.Clear();
    }

    private sealed class Block(TransportMemoryPool pool) : IMemoryOwner<byte>
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

/// <summary>Gives Kestrel <see cref="TransportMemoryPool"/>s (registered in place of its default factory).</summary>
internal sealed class TransportMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new TransportMemoryPool();
}
