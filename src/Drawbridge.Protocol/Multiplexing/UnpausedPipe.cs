using System.IO.Pipelines;

namespace Drawbridge.Protocol.Multiplexing;

/// <summary>Pipes whose writer never pauses: the mux bounds their contents with flow-control
/// windows instead (SPEC.md §6), so a flush only wakes the reader and never waits.</summary>
internal static class UnpausedPipe
{
    // PipeOptions are immutable: one instance per segment size, not one per stream (S10k holds 10,000).
    private static readonly PipeOptions Default = Options(4096);

    public static Pipe Create() => new(Default);

    public static Pipe Create(int minimumSegmentSize) => new(Options(minimumSegmentSize));

    private static PipeOptions Options(int minimumSegmentSize) =>
        new(pauseWriterThreshold: 0, resumeWriterThreshold: 0, minimumSegmentSize: minimumSegmentSize, useSynchronizationContext: false);

    public static void Flush(PipeWriter writer)
    {
        ValueTask<FlushResult> flush = writer.FlushAsync();
        if (!flush.IsCompleted)
        {
            throw new InvalidOperationException("an unpaused pipe's flush did not complete synchronously");
        }

        flush.GetAwaiter().GetResult();
    }
}
