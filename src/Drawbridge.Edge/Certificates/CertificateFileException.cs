namespace Drawbridge.Edge.Certificates;

/// <summary>
/// A certificate or key file that cannot be used: missing, not PEM, encrypted, or a key that
/// does not belong to the certificate. The message names the file and what to do.
/// </summary>
internal sealed class CertificateFileException : Exception
{
    public CertificateFileException()
    {
    }

    public CertificateFileException(string message)
        : base(message)
    {
    }

    public CertificateFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
