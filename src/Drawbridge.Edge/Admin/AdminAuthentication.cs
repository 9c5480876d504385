using Drawbridge.Edge.Storage;
using Drawbridge.Protocol.Credentials;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging;

namespace Drawbridge.Edge.Admin;

/// <summary>Every admin request carries <c>Authorization: Bearer &lt;admin token&gt;</c> (the scheme in any case,
/// RFC 9110 §11.1); the store keeps its hash.</summary>
internal sealed class AdminAuthentication(IEdgeStore store, ILogger<AdminAuthentication> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        string? header = context.HttpContext.Request.Headers.Authorization;
        string? token = header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
        if (!AdminTokens.TryParse(token, out Guid id, out byte[]? secret)
            || await store.FindAdminTokenAsync(id, context.HttpContext.RequestAborted) is not { } stored
            || !SecretHash.Matches(secret, stored.TokenHash))
        {
            return Results.Json(new ErrorBody("admin credential missing or not valid: use the admin.json written by `drawbridge edge init`"), statusCode: StatusCodes.Status401Unauthorized);
        }

        context.HttpContext.Items[typeof(AdminToken)] = stored;
        object? result = await next(context);
        // One line per administrative request: who (the token's id, never the token) did what.
        int status = result is IStatusCodeHttpResult { StatusCode: { } code } ? code : StatusCodes.Status200OK;
        HttpRequest request = context.HttpContext.Request;
        EdgeLog.AdminRequest(logger, request.Method, request.Path, stored.Id, status);
        return result;
    }
}
