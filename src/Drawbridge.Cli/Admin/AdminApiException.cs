namespace Drawbridge.Cli.Admin;

/// <summary>The admin API answered with an error; the message is the edge's.</summary>
internal sealed class AdminApiException : Exception
{
    public AdminApiException(int status, string message) : base(message) => Status = status;

    public AdminApiException() { }

    public AdminApiException(string message) : base(message) { }

    public AdminApiException(string message, Exception inner) : base(message, inner) { }

    public int Status { get; }
}
