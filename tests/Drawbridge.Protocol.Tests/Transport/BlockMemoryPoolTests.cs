using System.Buffers;
using System.Runtime.InteropServices;
using Drawbridge.Protocol.Framing;
using Drawbridge.Protocol.Multiplexing;
using Drawbridge.Protocol.Transport;
using Microsoft.Extensions.Time.Testing;

namespace Drawbridge.Protocol.Tests.Transport;

/// <summary>The 64 KiB blocks of Kestrel's connections at the edge and of the mux's pipes.</summary>
public sealed class BlockMemoryPoolTests
{
    private const int Retained = 8;

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2048)]
    [InlineData(BlockMemoryPool.BlockSize)]
    public void EveryRent_IsOneWholeBlock_WhateverWasAskedFor(int size)
    {
        using var pool = new BlockMemoryPool(Retained);

        using IMemoryOwner<byte> owner = pool.Rent(size);

        Assert.Equal(BlockMemoryPool.BlockSize, owner.Memory.Length);
        Assert.Equal(BlockMemoryPool.BlockSize, pool.MaxBufferSize);
    }

    [Theory]
    [InlineData(int.MinValue)]
    [InlineData(-2)]
    [InlineData(BlockMemoryPool.BlockSize + 1)]
    [InlineData(int.MaxValue)]
    public void ASizeOutsideABlock_IsRefused(int size)
    {
        using var pool = new BlockMemoryPool(Retained, sharedUpTo: 4096);

        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(size));
        Assert.Equal(0, pool.BlocksCreated);
    }

    [Theory]
    [InlineData(-1, 0)]
    [InlineData(0, -1)]
    [InlineData(0, BlockMemoryPool.BlockSize)]
    public void ABadConfiguration_IsRefused(int maxRetained, int sharedUpTo) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new BlockMemoryPool(maxRetained, sharedUpTo));

    [Fact]
    public void SmallRents_GoToTheSharedPool_WhenAsked_AndLargerOnesAreBlocks()
    {
        using var pool = new BlockMemoryPool(Retained, sharedUpTo: 16 * 1024);

        using IMemoryOwner<byte> small = pool.Rent(4096);
        using IMemoryOwner<byte> edge = pool.Rent(16 * 1024);
        using IMemoryOwner<byte> large = pool.Rent(16 * 1024 + 1);

        Assert.True(small.Memory.Length is >= 4096 and < BlockMemoryPool.BlockSize);
        Assert.True(edge.Memory.Length is >= 16 * 1024 and < BlockMemoryPool.BlockSize);
        Assert.Equal(BlockMemoryPool.BlockSize, large.Memory.Length);
        Assert.Equal(1, pool.BlocksCreated);
    }

    [Fact]
    public void AReturnedBlock_IsRentedAgain()
    {
        using var pool = new BlockMemoryPool(Retained);
        IMemoryOwner<byte> first = pool.Rent();
        Memory<byte> memory = first.Memory;

        first.Dispose();
        using IMemoryOwner<byte> second = pool.Rent();

        Assert.True(second.Memory.Span.Overlaps(memory.Span));
        Assert.Equal(1, pool.BlocksCreated);
    }

    [Fact]
    public void DisposingAnOwnerTwice_ReturnsItOnce()
    {
        // Returned twice, one block would be handed to two renters at once.
        using var pool = new BlockMemoryPool(Retained);
        IMemoryOwner<byte> owner = pool.Rent();
        owner.Dispose();
        owner.Dispose();

        using IMemoryOwner<byte> a = pool.Rent();
        using IMemoryOwner<byte> b = pool.Rent();

        Assert.False(a.Memory.Span.Overlaps(b.Memory.Span));
    }

    [Fact]
    public void ABurst_IsNotKeptForGood()
    {
        using var pool = new BlockMemoryPool(Retained);
        IMemoryOwner<byte>[] burst = [.. Enumerable.Range(0, Retained + 10).Select(_ => pool.Rent())];
        var lent = new HashSet<byte[]>(burst.Select(ArrayOf));
        foreach (IMemoryOwner<byte> owner in burst)
        {
            owner.Dispose();
        }

        IMemoryOwner<byte>[] again = [.. Enumerable.Range(0, Retained + 10).Select(_ => pool.Rent())];
        int reused = again.Count(owner => lent.Contains(ArrayOf(owner)));

        Assert.Equal(Retained, reused);
    }

    [Fact]
    public void AfterThePoolIsDisposed_ReturnedBlocksAreDropped()
    {
        var pool = new BlockMemoryPool(Retained);
        IMemoryOwner<byte> owner = pool.Rent();
        byte[] array = ArrayOf(owner);

        pool.Dispose();
        owner.Dispose();

        Assert.NotSame(array, ArrayOf(pool.Rent()));
    }

    [Fact]
    public void BlocksNoRentNeededForAWholeInterval_AreLetGo_AndTheOthersKept()
    {
        var clock = new FakeTimeProvider();
        using var pool = new BlockMemoryPool(Retained, time: clock);
        ReturnAll(RentMany(pool, 6)); // six kept
        clock.Advance(BlockMemoryPool.TrimInterval); // the interval starts with six
        Assert.Equal(6, pool.FreeCount);

        ReturnAll(RentMany(pool, 4)); // four needed: two stayed unused all along
        clock.Advance(BlockMemoryPool.TrimInterval);

        Assert.Equal(4, pool.FreeCount);
        IMemoryOwner<byte>[] again = RentMany(pool, 4);
        Assert.Equal(6, pool.BlocksCreated); // the four kept were reused
        ReturnAll(again);
    }

    [Fact]
    public void AnIdlePool_GivesEverythingBack_WithinTwoIntervals()
    {
        var clock = new FakeTimeProvider();
        using var pool = new BlockMemoryPool(Retained, time: clock);
        ReturnAll(RentMany(pool, Retained));

        clock.Advance(BlockMemoryPool.TrimInterval);
        clock.Advance(BlockMemoryPool.TrimInterval);

        Assert.Equal(0, pool.FreeCount);
        using IMemoryOwner<byte> next = pool.Rent();
        Assert.Equal(Retained + 1, pool.BlocksCreated);
    }

    [Fact]
    public void ABusyPool_KeepsItsBlocksAcrossTrims()
    {
        var clock = new FakeTimeProvider();
        using var pool = new BlockMemoryPool(Retained, time: clock);
        for (int interval = 0; interval < 5; interval++)
        {
            ReturnAll(RentMany(pool, Retained)); // every block needed in every interval
            clock.Advance(BlockMemoryPool.TrimInterval);
        }

        Assert.Equal(Retained, pool.FreeCount);
        Assert.Equal(Retained, pool.BlocksCreated);
    }

    [Fact]
    public void ADisposedPool_StopsTrimming_AndKeepsNothing()
    {
        var clock = new FakeTimeProvider();
        var pool = new BlockMemoryPool(Retained, time: clock);
        ReturnAll(RentMany(pool, 3));

        pool.Dispose();
        clock.Advance(BlockMemoryPool.TrimInterval * 3);

        Assert.Equal(0, pool.FreeCount);
    }

    [Fact]
    public void TheMuxPool_KeepsAStreamWindowOfFullFrames_AndLeavesSmallBuffersToTheSharedPool()
    {
        Assert.Equal(BlockMemoryPool.FramesRetained * BlockMemoryPool.BlockSize, MuxLimits.MaxStreamWindow);
        Assert.Equal(BlockMemoryPool.Frames, new MuxSessionOptions().FramePool);
        using IMemoryOwner<byte> small = BlockMemoryPool.Frames.Rent(4096);
        Assert.True(small.Memory.Length < BlockMemoryPool.BlockSize);
    }

    private static IMemoryOwner<byte>[] RentMany(BlockMemoryPool pool, int count) =>
        [.. Enumerable.Range(0, count).Select(_ => pool.Rent())];

    private static void ReturnAll(IMemoryOwner<byte>[] owners)
    {
        foreach (IMemoryOwner<byte> owner in owners)
        {
            owner.Dispose();
        }
    }

    private static byte[] ArrayOf(IMemoryOwner<byte> owner)
    {
        Assert.True(MemoryMarshal.TryGetArray(owner.Memory, out ArraySegment<byte> segment));
        return segment.Array!;
    }
}
