namespace Drawbridge.Edge.Tokens;

/// <summary>A JWK Set document that cannot be used at all (as opposed to one skipped key).</summary>
internal sealed class JsonWebKeySetException : Exception
{
    public JsonWebKeySetException()
    {
    }

    public JsonWebKeySetException(string message)
        : base(message)
    {
    }

    public JsonWebKeySetException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
