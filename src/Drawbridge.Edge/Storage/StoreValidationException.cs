namespace Drawbridge.Edge.Storage;

/// <summary>An argument breaks its rule (a hostname that is not a DNS name, an empty name); the message names the field.</summary>
internal sealed class StoreValidationException : Exception
{
    public StoreValidationException()
    {
    }

    public StoreValidationException(string message)
        : base(message)
    {
    }

    public StoreValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
