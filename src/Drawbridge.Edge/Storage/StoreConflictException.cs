namespace Drawbridge.Edge.Storage;

/// <summary>The change would break a uniqueness rule (a tunnel name or a hostname already taken); the message says which and what to do.</summary>
internal sealed class StoreConflictException : Exception
{
    public StoreConflictException()
    {
    }

    public StoreConflictException(string message)
        : base(message)
    {
    }

    public StoreConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
