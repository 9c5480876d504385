namespace Drawbridge.Edge.Storage;

/// <summary>The database cannot be used by this version of the code, e.g. it was migrated by a newer Drawbridge.</summary>
internal sealed class StoreSchemaException : Exception
{
    public StoreSchemaException()
    {
    }

    public StoreSchemaException(string message)
        : base(message)
    {
    }

    public StoreSchemaException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
