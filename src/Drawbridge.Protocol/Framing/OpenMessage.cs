using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Drawbridge.Protocol.Multiplexing;

namespace Drawbridge.Protocol.Framing;

/// <summary>
/// The SYN payload of SPEC.md §4: which hostname the stream is for and who opened it.
/// Encoded as fields <c>Tag (8) | Length (16) | Value</c>; unknown tags are skipped.
/// </summary>
public sealed record OpenMessage(string Hostname, Guid ConnectionId, string? Identity = null, string? ClientAddress = null)
{
    private const byte HostnameTag = 0x01;
    private const byte ConnectionIdTag = 0x02;
    private const byte IdentityTag = 0x03;
    private const byte ClientAddressTag = 0x04;
    private const int MaxHostnameBytes = 253;
    private const int MaxIdentityBytes = 1_024;
    private const int MaxClientAddressBytes = 64;

    public int EncodedLength =>
        FieldLength(Hostname) + 3 + 16 + (Identity is null ? 0 : FieldLength(Identity)) +
        (ClientAddress is null ? 0 : FieldLength(ClientAddress));

    public void Write(Span<byte> destination)
    {
        Validate(Hostname, Identity, ClientAddress);
        int offset = WriteText(destination, HostnameTag, Hostname);
        destination[offset] = ConnectionIdTag;
        BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 1)..], 16);
        ConnectionId.TryWriteBytes(destination[(offset + 3)..], bigEndian: true, out _);
        offset += 3 + 16;
        if (Identity is not null)
        {
            offset += WriteText(destination[offset..], IdentityTag, Identity);
        }

        if (ClientAddress is not null)
        {
            WriteText(destination[offset..], ClientAddressTag, ClientAddress);
        }
    }

    /// <summary>Parses a SYN payload; a malformed one throws <see cref="MuxStreamException"/>
    /// (PROTOCOL_ERROR for that stream only, §4).</summary>
    public static OpenMessage Parse(ReadOnlySequence<byte> payload)
    {
        var reader = new SequenceReader<byte>(payload);
        string? hostname = null, identity = null, clientAddress = null;
        Guid? connectionId = null;
        while (!reader.End)
        {
            if (!reader.TryRead(out byte tag) || !reader.TryReadBigEndian(out short rawLength))
            {
                throw Malformed("a field header runs past the end of the message");
            }

            int length = (ushort)rawLength;
            if (reader.Remaining < length)
            {
                throw Malformed($"field 0x{tag:x2} claims {length} bytes but only {reader.Remaining} remain");
            }

            ReadOnlySequence<byte> value = reader.UnreadSequence.Slice(0, length);
            reader.Advance(length);
            switch (tag)
            {
                case HostnameTag:
                    hostname = ReadText(value, hostname, "hostname", 1, MaxHostnameBytes);
                    break;
                case ConnectionIdTag:
                    if (connectionId is not null) throw Malformed("connection id appears twice");
                    if (length != 16) throw Malformed($"connection id has {length} bytes, expected 16");
                    connectionId = ReadGuid(value);
                    break;
                case IdentityTag:
                    identity = ReadText(value, identity, "identity", 0, MaxIdentityBytes);
                    break;
                case ClientAddressTag:
                    clientAddress = ReadText(value, clientAddress, "client address", 0, MaxClientAddressBytes);
                    break;
                default:
                    break; // §4: unknown tags are skipped.
            }
        }

        if (hostname is null) throw Malformed("the hostname field is missing");
        if (connectionId is null) throw Malformed("the connection id field is missing");
        return new OpenMessage(hostname, connectionId.Value, identity, clientAddress);
    }

    private static Guid ReadGuid(ReadOnlySequence<byte> value)
    {
        Span<byte> raw = stackalloc byte[16];
        value.CopyTo(raw);
        return new Guid(raw, bigEndian: true);
    }

    private static string ReadText(ReadOnlySequence<byte> value, string? existing, string name, int min, int max)
    {
        if (existing is not null) throw Malformed($"{name} appears twice");
        if (value.Length < min || value.Length > max) throw Malformed($"{name} has {value.Length} bytes, allowed {min} to {max}");
        try
        {
            return StrictUtf8.GetString(value);
        }
        catch (DecoderFallbackException)
        {
            throw Malformed($"{name} is not valid UTF-8");
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static MuxStreamException Malformed(string what) =>
        new(MuxErrorCode.ProtocolError, "malformed open message: " + what, byPeer: false);

    private static int FieldLength(string text) => 3 + Encoding.UTF8.GetByteCount(text);

    private static int WriteText(Span<byte> destination, byte tag, string text)
    {
        int length = Encoding.UTF8.GetBytes(text, destination[3..]);
        destination[0] = tag;
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], (ushort)length);
        return 3 + length;
    }

    private static void Validate(string hostname, string? identity, string? clientAddress)
    {
        CheckLength(hostname, "hostname", 1, MaxHostnameBytes);
        if (identity is not null) CheckLength(identity, "identity", 0, MaxIdentityBytes);
        if (clientAddress is not null) CheckLength(clientAddress, "client address", 0, MaxClientAddressBytes);
    }

    private static void CheckLength(string text, string name, int min, int max)
    {
        int bytes = Encoding.UTF8.GetByteCount(text);
        if (bytes < min || bytes > max)
        {
            throw new ArgumentException($"{name} must be {min} to {max} bytes of UTF-8, not {bytes}");
        }
    }
}
