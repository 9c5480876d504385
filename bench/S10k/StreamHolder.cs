using System.Diagnostics;
using System.Net.Sockets;

namespace Drawbridge.Bench.S10k;

/// <summary>
/// Opens <see cref="StreamHolderOptions.Count"/> streams, proves each one reaches the origin with
/// a one-byte echo, holds them all while it reads the RSS of the measured processes, then proves
/// they are all still alive with a second echo before closing them.
/// </summary>
internal static class StreamHolder
{
    /// <summary>Connections being set up at once: enough to keep every process busy, few enough
    /// that no listen backlog (the access listener's is 512) overflows into SYN retries.</summary>
    private const int ConcurrentOpens = 128;

    /// <summary>Warm-up streams opened and closed before the "before" reading, so that first-use
    /// costs (JIT, pools, TLS sessions) are not counted per stream.</summary>
    private const int WarmUpStreams = 200;

    public static async Task<StreamHolderReport> RunAsync(StreamHolderOptions options)
    {
        using var deadline = new CancellationTokenSource(options.Timeout);
        CancellationToken cancellationToken = deadline.Token;

        // 1. Warm up, then read the baseline.
        Socket?[] warmUp = new Socket?[Math.Min(WarmUpStreams, options.Count)];
        await OpenAllAsync(options, warmUp, new ErrorSink(), cancellationToken);
        CloseAll(warmUp);
        long[] before = options.Pids.Select(ProcessMemory.ResidentKib).ToArray();

        // 2. Open every stream and echo a byte on each.
        var errors = new ErrorSink();
        Socket?[] streams = new Socket?[options.Count];
        var clock = Stopwatch.StartNew();
        await OpenAllAsync(options, streams, errors, cancellationToken);
        TimeSpan openTime = clock.Elapsed;

        // 3. All held: read the RSS, then check every stream still echoes.
        long[] after = options.Pids.Select(ProcessMemory.ResidentKib).ToArray();
        await ForEachAsync(streams, async (socket, index) =>
        {
            if (socket is not null && !await TryEchoAsync(socket, errors, cancellationToken))
            {
                streams[index] = null;
                socket.Dispose();
            }
        });
        int opened = streams.Count(s => s is not null);
        CloseAll(streams);

        return new StreamHolderReport(
            options.Count, opened, options.Count - opened, errors.First, before.Sum(), after.Sum(),
            after.Zip(before, (a, b) => a - b).ToArray(), openTime);
    }

    private static Task OpenAllAsync(StreamHolderOptions options, Socket?[] streams, ErrorSink errors, CancellationToken cancellationToken) =>
        ForEachAsync(streams, async (_, index) =>
        {
            var socket = new Socket(options.Target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(options.Target, cancellationToken);
                if (await TryEchoAsync(socket, errors, cancellationToken))
                {
                    streams[index] = socket;
                    return;
                }
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                errors.Add($"connect: {ex.Message}");
            }

            socket.Dispose();
        });

    private static async Task<bool> TryEchoAsync(Socket socket, ErrorSink errors, CancellationToken cancellationToken)
    {
        byte[] probe = [0x5a];
        byte[] echo = new byte[1];
        try
        {
            await socket.SendAsync(probe, SocketFlags.None, cancellationToken);
            int read = await socket.ReceiveAsync(echo, SocketFlags.None, cancellationToken);
            if (read == 1 && echo[0] == probe[0])
            {
                return true;
            }

            errors.Add(read == 0 ? "the stream closed before echoing" : "the echo differed");
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            errors.Add($"echo: {ex.Message}");
        }

        return false;
    }

    private static Task ForEachAsync(Socket?[] streams, Func<Socket?, int, Task> body) =>
        Parallel.ForEachAsync(
            Enumerable.Range(0, streams.Length),
            // No token here: each body gives up on the deadline by itself and records why, so the
            // report still counts every stream instead of ending in an OperationCanceledException.
            new ParallelOptions { MaxDegreeOfParallelism = ConcurrentOpens },
            async (index, _) => await body(streams[index], index));

    private static void CloseAll(Socket?[] streams)
    {
        foreach (Socket? socket in streams)
        {
            socket?.Dispose();
        }
    }
}
