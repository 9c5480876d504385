using System.Buffers;
using Drawbridge.Edge.Hosting;
using Drawbridge.Protocol.Transport;
using Drawbridge.Tests.Edge.Admin;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;

namespace Drawbridge.Tests.Edge.Hosting;

/// <summary>Kestrel's connections at the edge read and write through 64 KiB blocks.</summary>
public sealed class TransportMemoryPoolFactoryTests
{
    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task TheEdge_GivesKestrelBlockPools_OneEach()
    {
        await using AdminEdge edge = await AdminEdge.StartAsync();

        var factory = edge.Host.Services.GetRequiredService<IMemoryPoolFactory<byte>>();

        Assert.IsType<TransportMemoryPoolFactory>(factory);
        using MemoryPool<byte> pool = factory.Create();
        using MemoryPool<byte> another = factory.Create();
        Assert.IsType<BlockMemoryPool>(pool);
        Assert.NotSame(pool, another);
        Assert.NotSame(BlockMemoryPool.Frames, pool);
        using IMemoryOwner<byte> small = pool.Rent(1);
        Assert.Equal(BlockMemoryPool.BlockSize, small.Memory.Length); // every rent a whole block, as Kestrel's receives want
    }
}
