using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Drawbridge.Protocol.Framing;

namespace Drawbridge.Protocol.Relaying;

/// <summary>
/// The one relay (STYLE.md habit 7): copies both ways between two streams, carries EOF across as
/// a half-close, and on the first failure lets the caller abort both ends (so the other
/// direction wakes with the right reason), cancelling it only if it has not ended within the
/// grace period. Returns why it ended and the bytes each way.
/// </summary>
public static class DuplexPump
{
    /// <summary>Most bytes read or gathered for one write: one full mux DATA frame, which in its
    /// WebSocket message is four full TLS records. A 64 KiB read split into a full frame and a
    /// frame of 17 bytes.</summary>
    private const int BufferSize = MuxLimits.SendDataPayload;

    /// <summary>A block at least this large is written as it lies rather than copied to be joined
    /// with others (here and in the link writer): the copy would buy no fewer writes.</summary>
    internal const int DirectWriteMinimum = 16 * 1024;

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

    /// <summary>
    /// One direction. The source's received bytes are written on from where they lie: a mux
    /// stream's own receive buffer (<see cref="IBufferedSource"/>), or for any other stream one
    /// pooled buffer read into (<see cref="StreamSource"/>). A large block is written as it is;
    /// small pieces spread over several blocks are gathered into one write (one send for many
    /// small frames). The source gets the bytes' credit back once the write took them.
    /// </summary>
    private static async Task<long> CopyAsync<TState>(Stream source, Stream destination, RelayDirection direction, PumpState<TState> state)
    {
        await Task.Yield();
        using var read = source as IBufferedSource is null ? new StreamSource(source) : null;
        IBufferedSource from = read ?? (IBufferedSource)source;
        CancellationToken cancel = state.Cancel.Token;
        long total = 0;
        bool reading = true;
        try
        {
            while (true)
            {
                reading = true;
                ReadOnlySequence<byte> data = await from.ReadBufferedAsync(cancel);
                reading = false;
                if (data.IsEmpty)
                {
                    await HalfClose.CompleteWritesAsync(destination, cancel);
                    return total;
                }

                int count = await WriteFirstAsync(data, destination, cancel);
                from.Consume(count);
                total += count;
            }
        }
        catch (Exception ex)
        {
            await state.FailAsync(new RelayFailure(direction, reading, ex));
            return total;
        }
    }

    /// <summary>Writes the first block of <paramref name="data"/> as it lies, or, when that block is
    /// small and more follow, up to one mux frame's worth of them gathered into one write. Returns the bytes written.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // no box per call that waits (BENCH.md: nothing per frame)
    private static async ValueTask<int> WriteFirstAsync(ReadOnlySequence<byte> data, Stream destination, CancellationToken cancel)
    {
        ReadOnlyMemory<byte> first = data.First;
        if (data.IsSingleSegment || first.Length >= DirectWriteMinimum)
        {
            await destination.WriteAsync(first, cancel);
            return first.Length;
        }

        // Rented for this write only: an idle stream holds no buffer (S10k).
        byte[] gather = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            int count = (int)Math.Min(data.Length, BufferSize);
            data.Slice(0, count).CopyTo(gather);
            await destination.WriteAsync(gather.AsMemory(0, count), cancel);
            return count;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(gather);
        }
    }

    /// <summary>
    /// Any stream as a buffered source: each read fills one pooled buffer, written on whole before
    /// the next read. An idle stream holds no buffer (S10k: thousands of open, quiet streams): a
    /// zero-byte read waits for data, and only when it has to wait is the buffer given back, so a
    /// busy stream keeps it (YARP's StreamCopier does the same).
    /// </summary>
    private sealed class StreamSource(Stream stream) : IBufferedSource, IDisposable
    {
        private byte[]? _buffer;
        private bool _drained = true;

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // no box per call that waits (BENCH.md: nothing per frame)
        public async ValueTask<ReadOnlySequence<byte>> ReadBufferedAsync(CancellationToken cancellationToken)
        {
            if (_drained)
            {
                ValueTask<int> ready = stream.ReadAsync(Memory<byte>.Empty, cancellationToken);
                if (!ready.IsCompleted)
                {
                    Dispose();
                }

                await ready;
            }

            _buffer ??= ArrayPool<byte>.Shared.Rent(BufferSize);
            int read = await stream.ReadAsync(_buffer.AsMemory(0, BufferSize), cancellationToken);
            _drained = read < BufferSize; // a full read: more is likely waiting, skip the check
            return new ReadOnlySequence<byte>(_buffer, 0, read);
        }

        /// <summary>A single buffer is always written whole: nothing is left over for the next read.</summary>
        public void Consume(long count)
        {
        }

        public void Dispose()
        {
            if (_buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = null;
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
