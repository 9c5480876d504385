namespace Drawbridge.Edge.Storage;

/// <summary>The store's database server cannot be reached, or refused the login (a wrong password, an unknown database).</summary>
internal sealed class StoreConnectionException : Exception
{
    public StoreConnectionException()
    {
    }

    public StoreConnectionException(string message)
        : base(message)
    {
    }

    public StoreConnectionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
