namespace Drawbridge.Edge.Identity;

/// <summary>Delivers a one-time PIN: by SMTP in production, to the edge's console in development.</summary>
internal interface IPinSender
{
    Task SendAsync(string email, string code, CancellationToken cancellationToken);
}
