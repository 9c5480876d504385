namespace Drawbridge.Protocol.Credentials;

/// <summary>
/// A credential (file, token or header) that cannot be used as it is. The message names the
/// field that is wrong and what was expected, so it can be shown to the person as it is.
/// </summary>
public sealed class CredentialFormatException : Exception
{
    public CredentialFormatException()
    {
    }

    public CredentialFormatException(string message)
        : base(message)
    {
    }

    public CredentialFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
