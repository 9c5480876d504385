namespace Drawbridge.Protocol.Relaying;

/// <summary>A duplex stream that can end its sending direction alone (TCP's shutdown(SHUT_WR)).</summary>
public interface IHalfClosable
{
    /// <summary>Tells the peer no more bytes will come; reading goes on.</summary>
    ValueTask CompleteWritesAsync(CancellationToken cancellationToken = default);
}
