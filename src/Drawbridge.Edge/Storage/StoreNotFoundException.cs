namespace Drawbridge.Edge.Storage;

/// <summary>The change names something that does not exist (e.g. a route to an unknown or deleted tunnel).</summary>
internal sealed class StoreNotFoundException : Exception
{
    public StoreNotFoundException()
    {
    }

    public StoreNotFoundException(string message)
        : base(message)
    {
    }

    public StoreNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
