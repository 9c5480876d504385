using System.Buffers;

namespace Drawbridge.Protocol.Tests.Support;

/// <summary>Builds a <see cref="ReadOnlySequence{T}"/> whose bytes sit in several separately
/// allocated segments, so a parser meets every split a transport can hand it (STYLE.md habit 4).</summary>
internal static class SegmentedSequence
{
    /// <summary>The bytes cut at each offset in <paramref name="cuts"/> (ascending; a cut at 0 or at
    /// the end makes an empty segment, which a sequence may also contain).</summary>
    public static ReadOnlySequence<byte> Create(ReadOnlySpan<byte> bytes, params int[] cuts)
    {
        var first = new Segment(bytes[..(cuts.Length == 0 ? bytes.Length : cuts[0])].ToArray(), 0);
        Segment last = first;
        for (int i = 0; i < cuts.Length; i++)
        {
            int end = i + 1 < cuts.Length ? cuts[i + 1] : bytes.Length;
            last = last.Append(bytes[cuts[i]..end].ToArray());
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>Every byte in a segment of its own.</summary>
    public static ReadOnlySequence<byte> OneBytePerSegment(ReadOnlySpan<byte> bytes) =>
        Create(bytes, [.. Enumerable.Range(1, Math.Max(0, bytes.Length - 1))]);

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] bytes, long runningIndex)
        {
            Memory = bytes;
            RunningIndex = runningIndex;
        }

        public Segment Append(byte[] bytes)
        {
            var next = new Segment(bytes, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
