using Microsoft.Extensions.Logging;

namespace Drawbridge.Edge.Identity;

/// <summary>
/// Development only (quickstart without SMTP): the PIN goes to the edge's own console, marked so no
/// one mistakes it for a production setting. The one exception to "never log secrets", and the
/// reason it must never be the configured sender of a real edge.
/// </summary>
internal sealed class ConsolePinSender(ILogger<ConsolePinSender> logger) : IPinSender
{
    public Task SendAsync(string email, string code, CancellationToken cancellationToken)
    {
        EdgeLog.DevelopmentPin(logger, email, code);
        return Task.CompletedTask;
    }
}
