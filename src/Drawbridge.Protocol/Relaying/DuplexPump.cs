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
