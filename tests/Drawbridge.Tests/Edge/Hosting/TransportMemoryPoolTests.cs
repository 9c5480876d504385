using System.Buffers;
using System.Runtime.InteropServices;
using Drawbridge.Edge.Hosting;
using Drawbridge.Tests.Edge.Admin;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;

namespace Drawbridge.Tests.Edge.Hosting;

/// <summary>The 16 KiB blocks Kestrel's sockets and TLS use at the edge.</summary>
public sealed class TransportMemoryPoolTests
{
    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    [InlineData(2048)]
    [InlineData(TransportMemoryPool.BlockSize)]
    public void EveryRent_IsOneWholeBlock_WhateverWasAskedFor(int size)
    {
        using var pool = new TransportMemoryPool();

        using IMemoryOwner<byte> owner = pool.Rent(size);

        Assert.Equal(TransportMemoryPool.BlockSize, owner.Memory.Length);
        Assert.Equal(TransportMemoryPool.BlockSize, pool.MaxBufferSize);
    }

    [Fact]
    public void MoreThanABlock_IsRefused()
    {
        using var pool = new TransportMemoryPool();

        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(TransportMemoryPool.BlockSize + 1));
    }

    [Fact]
    public void AReturnedBlock_IsRentedAgain()
    {
        using var pool = new TransportMemoryPool();
        IMemoryOwner<byte> first = pool.Rent();
        Memory<byte> memory = first.Memory;

        first.Dispose();
        using IMemoryOwner<byte> second = pool.Rent();

        Assert.True(second.Memory.Span.Overlaps(memory.Span));
    }

    [Fact]
    public void DisposingAnOwnerTwice_ReturnsItOnce()
    {
        // Returned twice, one block would be handed to two renters at once.
        using var pool = new TransportMemoryPool();
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
        using var pool = new TransportMemoryPool();
        IMemoryOwner<byte>[] burst = [.. Enumerable.Range(0, TransportMemoryPool.MaxRetained + 100).Select(_ => pool.Rent())];
        var lent = new HashSet<byte[]>(burst.Select(ArrayOf));
        foreach (IMemoryOwner<byte> owner in burst)
        {
            owner.Dispose();
        }

        IMemoryOwner<byte>[] again = [.. Enumerable.Range(0, TransportMemoryPool.MaxRetained + 100).Select(_ => pool.Rent())];
        int reused = again.Count(owner => lent.Contains(ArrayOf(owner)));

        Assert.Equal(TransportMemoryPool.MaxRetained, reused);
    }

    [Fact]
    public void AfterThePoolIsDisposed_ReturnedBlocksAreDropped()
    {
        var pool = new TransportMemoryPool();
        IMemoryOwner<byte> owner = pool.Rent();
        byte[] array = ArrayOf(owner);

        pool.Dispose();
        owner.Dispose();

        Assert.NotSame(array, ArrayOf(pool.Rent()));
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task TheEdge_GivesKestrelThesePools()
    {
        await using AdminEdge edge = await AdminEdge.StartAsync();

        var factory = edge.Host.Services.GetRequiredService<IMemoryPoolFactory<byte>>();

        Assert.IsType<TransportMemoryPoolFactory>(factory);
        using MemoryPool<byte> pool = factory.Create();
        Assert.Equal(TransportMemoryPool.BlockSize, pool.MaxBufferSize);
    }

    private static byte[] ArrayOf(IMemoryOwner<byte> owner)
    {
        Assert.True(MemoryMarshal.TryGetArray(owner.Memory, out ArraySegment<byte> segment));
        return segment.Array!;
    }
}
