using System.IO.Pipelines;

namespace Drawbridge.Protocol.Multiplexing;

/// <summary>Pipes whose writer never pauses: the mux bounds their contents with flow-control
/// windows instead (SPEC.md §6), so a flush only wakes the reader and never waits.</summary>
internal static class UnpausedPipe
{
    public static Pipe Create(int minimumSegmentSize = 4096) =>
        new(new PipeOptions(pauseWriterThreshold: 0, resumeWriterThreshold: 0, minimumSegmentSize: minimumSegmentSize, useSynchronizationContext: false));

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
