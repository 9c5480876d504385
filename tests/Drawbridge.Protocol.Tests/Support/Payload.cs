using System.Security.Cryptography;

namespace Drawbridge.Protocol.Tests.Support;

/// <summary>Seeded pseudo-random bytes written and read as a stream, checked by SHA-256 at both
/// ends without holding the whole transfer in memory.</summary>
internal static class Payload
{
    public static byte[] Random(int length, int seed)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Writes <paramref name="length"/> seeded random bytes in <paramref name="chunk"/>-byte
    /// writes; returns the SHA-256 of what was written.</summary>
    public static async Task<byte[]> WriteRandomAsync(Stream stream, long length, int seed, int chunk = 50_000)
    {
        var random = new Random(seed);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[chunk];
        for (long left = length; left > 0;)
        {
            int count = (int)Math.Min(left, buffer.Length);
            random.NextBytes(buffer.AsSpan(0, count));
            hash.AppendData(buffer, 0, count);
            await stream.WriteAsync(buffer.AsMemory(0, count));
            left -= count;
        }

        return hash.GetHashAndReset();
    }

    /// <summary>Writes seeded random bytes in writes of the given sizes, in turn, <paramref name="rounds"/>
    /// times (tiny and frame-sized writes mixed); returns the byte count and their SHA-256.</summary>
    public static async Task<(long Length, byte[] Sha256)> WriteRandomInPiecesAsync(Stream stream, int[] pieces, int rounds, int seed)
    {
        var random = new Random(seed);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[pieces.Max()];
        long total = 0;
        for (int round = 0; round < rounds; round++)
        {
            foreach (int count in pieces)
            {
                random.NextBytes(buffer.AsSpan(0, count));
                hash.AppendData(buffer, 0, count);
                await stream.WriteAsync(buffer.AsMemory(0, count));
                total += count;
            }
        }

        return (total, hash.GetHashAndReset());
    }

    /// <summary>A transfer as a comparable value: its length and hex SHA-256.</summary>
    public static (long Length, string Sha256) Digest((long Length, byte[] Sha256) transfer) => (transfer.Length, Convert.ToHexString(transfer.Sha256));

    /// <summary>Reads to EOF; returns the byte count and their SHA-256.</summary>
    public static Task<(long Length, byte[] Sha256)> ReadToEndHashedAsync(Stream stream) => ReadHashedAsync(stream, length: null);

    /// <summary>Reads exactly <paramref name="length"/> bytes (an earlier EOF fails), or to EOF when
    /// it is null; returns the byte count and their SHA-256. By count: for a stream the test does not close.</summary>
    public static async Task<(long Length, byte[] Sha256)> ReadHashedAsync(Stream stream, long? length)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[37_000]; // deliberately not a multiple of any frame or window size
        long total = 0;
        while (length is null || total < length)
        {
            int read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, (length ?? long.MaxValue) - total)));
            if (read == 0)
            {
                Assert.True(length is null, $"the stream ended {length - total} bytes short of {length}");
                break;
            }

            hash.AppendData(buffer, 0, read);
            total += read;
        }

        return (total, hash.GetHashAndReset());
    }

    public static async Task<byte[]> ReadToEndAsync(Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
