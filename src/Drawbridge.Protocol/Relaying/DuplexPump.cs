using System.Buffers;
using System.Diagnostics;

namespace Drawbridge.Protocol.Relaying;

/// <summary>
/// The one relay (STYLE.md habit 7): copies both ways between two streams, carries EOF across as
/// a half-close, and on the first failure lets the caller abort both ends (so the other
/// direction wakes with the right reason), cancelling it only if it has not ended within the
/// grace period. Returns why it ended and the bytes each way.
/// </summary>
public static class DuplexPump
{
    /// <summary>Copy buffer per direction: 64 KiB matches a full mux frame and a large TLS write.</summary>
    private const int BufferSize = 64 * 1024;

    /// <summary>A received block at least this large is written on from where it lies, not gathered.</summary>
    private const int DirectWriteMinimum = 16 * 1024;

    /// <summary>How long the surviving direction may take to notice the abort before it is cancelled.</summary>
    public static readonly TimeSpan DefaultAbortGrace = TimeSpan.FromSeconds(2);

    public static Task<RelayResult> RunAsync(Stream a, Stream b, Func<RelayFailure, ValueTask>? onFailure, CancellationToken cancellationToken) =>
        RunAsync(a, b, onFailure is null ? null : static (failure, callback) => callback(failure), onFailure!, cancellationToken);

    /// <summary>As above, with <paramref name="state"/> handed to <paramref name="onFailure"/>: a caller needs no closure per relay.</summary>
    public static async Task<RelayResult> RunAsync<TState>(
        Stream a,
        Stream b,
        Func<RelayFailure, TState, ValueTask>? onFailure,
        TState state,
        CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pump = new PumpState<TState>(onFailure, state, cancel);
        Task<long> aToB = CopyAsync(a, b, RelayDirection.AToB, pump);
        Task<long> bToA = CopyAsync(b, a, RelayDirection.BToA, pump);
        // Both already run; awaiting them in turn waits for both without WhenAll's promise and array.
        long aToBBytes = await aToB;
        long bToABytes = await bToA;
        return new RelayResult(pump.Failure, aToBBytes, bToABytes, Stopwatch.GetElapsedTime(started));
    }

    private static async Task<long> CopyAsync<TState>(Stream source, Stream destination, RelayDirection direction, PumpState<TState> state)
    {
        await Task.Yield();
        if (source is IBufferedSource buffered)
        {
            return await CopyBufferedAsync(buffered, destination, direction, state);
        }

        CancellationToken cancel = state.Cancel.Token;
        byte[]? buffer = null;
        bool drained = true;
        long total = 0;
        bool reading = true;
        try
        {
            while (true)
            {
                reading = true;
                if (drained)
                {
                    // An idle stream holds no buffer (S10k: thousands of open, quiet streams): a
                    // zero-byte read waits for data; only when it has to wait is the buffer given
                    // back, so a busy stream keeps it (YARP's StreamCopier does the same).
                    ValueTask<int> ready = source.ReadAsync(Memory<byte>.Empty, cancel);
                    if (!ready.IsCompleted && buffer is not null)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = null;
                    }

                    await ready;
                }

                buffer ??= ArrayPool<byte>.Shared.Rent(BufferSize);
                int read = await source.ReadAsync(buffer, cancel);
                reading = false;
                if (read == 0)
                {
                    await HalfClose.CompleteWritesAsync(destination, cancel);
                    return total;
                }

                await destination.WriteAsync(buffer.AsMemory(0, read), cancel);
                total += read;
                drained = read < buffer.Length; // a full read: more is likely waiting, skip the check
            }
        }
        catch (Exception ex)
        {
            await state.FailAsync(new RelayFailure(direction, reading, ex));
            return total;
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>
    /// The same copy from a source that holds its bytes already: a large received block is
    /// written on from the source's own buffer; small pieces spread over several blocks are
    /// gathered into one write (one send for many small frames, as above). The source gets its
    /// credit back once the write took the bytes.
    /// </summary>
    private static async Task<long> CopyBufferedAsync<TState>(IBufferedSource source, Stream destination, RelayDirection direction, PumpState<TState> state)
    {
        CancellationToken cancel = state.Cancel.Token;
        byte[]? gather = null;
        long total = 0;
        bool reading = true;
        try
        {
            while (true)
            {
                reading = true;
                ReadOnlySequence<byte> data = await source.ReadBufferedAsync(cancel);
                reading = false;
                if (data.IsEmpty)
                {
                    await HalfClose.CompleteWritesAsync(destination, cancel);
                    return total;
                }

                ReadOnlyMemory<byte> first = data.First;
                int count;
                if (data.IsSingleSegment || first.Length >= DirectWriteMinimum)
                {
                    count = first.Length;
                    await destination.WriteAsync(first, cancel);
                }
                else
                {
                    // Rented for this write only: an idle stream holds no buffer (S10k).
                    gather = ArrayPool<byte>.Shared.Rent(BufferSize);
                    count = (int)Math.Min(data.Length, gather.Length);
                    data.Slice(0, count).CopyTo(gather);
                    await destination.WriteAsync(gather.AsMemory(0, count), cancel);
                    ArrayPool<byte>.Shared.Return(gather);
                    gather = null;
                }

                source.Consume(count);
                total += count;
            }
        }
        catch (Exception ex)
        {
            await state.FailAsync(new RelayFailure(direction, reading, ex));
            return total;
        }
        finally
        {
            if (gather is not null)
            {
                ArrayPool<byte>.Shared.Return(gather);
            }
        }
    }

    private sealed class PumpState<TState>(Func<RelayFailure, TState, ValueTask>? onFailure, TState state, CancellationTokenSource cancel)
    {
        private int _failed;

        public CancellationTokenSource Cancel { get; } = cancel;

        public RelayFailure? Failure { get; private set; }

        public async ValueTask FailAsync(RelayFailure failure)
        {
            if (Interlocked.Exchange(ref _failed, 1) == 1)
            {
                return; // first failure wins; later ones are its consequences
            }

            Failure = failure;
            bool aborted = false;
            if (onFailure is not null)
            {
                try
                {
                    await onFailure(failure, state);
                    aborted = true;
                }
                catch (Exception)
                {
                    // Telling the ends failed too (they are likely both gone): the relay still
                    // reports the first failure, and the other direction is cancelled at once.
                }
            }

            if (aborted)
            {
                Cancel.CancelAfter(DefaultAbortGrace);
            }
            else
            {
                await Cancel.CancelAsync();
            }
        }
    }
}
