using Drawbridge.Edge.Audit;
using Drawbridge.Edge.Connectors;
using Drawbridge.Edge.Hosting;
using Drawbridge.Edge.Snapshots;
using Drawbridge.Edge.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Drawbridge.Edge.Admin;

/// <summary>
/// The admin REST API under <c>/api/v1</c> on the edge's own host: everything the CLI's
/// <c>tunnel …</c> and <c>service-token …</c> commands do. Partial by resource.
/// </summary>
internal static partial class AdminApi
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        RouteGroupBuilder api = endpoints.MapGroup("/api/v1").AddEndpointFilter<AdminAuthentication>();
        api.MapPost("/tunnels", CreateTunnelAsync);
        api.MapGet("/tunnels", ListTunnelsAsync);
        api.MapGet("/tunnels/{reference}", GetTunnelAsync);
        api.MapDelete("/tunnels/{reference}", DeleteTunnelAsync);
        api.MapPost("/tunnels/{reference}/rotate-secret", RotateSecretAsync);
        api.MapPost("/routes", AddRouteAsync);
        api.MapGet("/routes", ListRoutesAsync);
        api.MapDelete("/routes/{hostname}", RemoveRouteAsync);
        api.MapPost("/service-tokens", CreateServiceTokenAsync);
        api.MapGet("/service-tokens", ListServiceTokensAsync);
        api.MapDelete("/service-tokens/{reference}", RevokeServiceTokenAsync);
        api.MapPost("/apps", CreateAppAsync);
        api.MapGet("/apps", ListAppsAsync);
        api.MapGet("/apps/{hostname}", GetAppAsync);
        api.MapDelete("/apps/{hostname}", DeleteAppAsync);
        api.MapPost("/apps/{hostname}/policies", AddPolicyAsync);
        api.MapGet("/apps/{hostname}/policies", ListPoliciesAsync);
        api.MapPost("/apps/{hostname}/policy-test", TestPolicyAsync);
        api.MapDelete("/policies/{id:guid}", DeletePolicyAsync);
        api.MapGet("/sessions", ListSessionsAsync);
        api.MapPost("/sessions/revoke", RevokeSessionsAsync);
        api.MapGet("/audit", ListAuditAsync);
    }

    /// <summary>Runs a store change, refreshes the snapshot, and maps store errors to 4xx.</summary>
    private static async Task<IResult> ChangeAsync(EdgeState state, HttpContext context, Func<AdminChange, Task<IResult>> change)
    {
        try
        {
            var recorded = new AdminChange();
            IResult result = await change(recorded);
            await state.RefreshAsync(context.RequestAborted);
            // Who changed what: the admin token's id or the signed-in administrator (never a token), the request, its outcome.
            string actor = context.Items[typeof(AdminActor)] is AdminActor admin ? admin.Name : "admin";
            int status = result is IStatusCodeHttpResult { StatusCode: { } code } ? code : StatusCodes.Status200OK;
            await context.RequestServices.GetRequiredService<AuditLog>().AdminAsync(actor, $"{context.Request.Method} {context.Request.Path}",
                status.ToString(System.Globalization.CultureInfo.InvariantCulture), recorded.Detail);
            return result;
        }
        catch (StoreValidationException ex)
        {
            return Error(StatusCodes.Status400BadRequest, ex.Message);
        }
        catch (StoreConflictException ex)
        {
            return Error(StatusCodes.Status409Conflict, ex.Message);
        }
        catch (StoreNotFoundException ex)
        {
            return Error(StatusCodes.Status404NotFound, ex.Message);
        }
    }

    private static IResult Error(int status, string message) =>
        Results.Json(new ErrorBody(message), AdminJsonContext.Default.ErrorBody, statusCode: status);

    /// <summary>A tunnel named by id (32 hex or dashed) or by name.</summary>
    private static async Task<Tunnel?> FindTunnelAsync(IEdgeStore store, string reference, CancellationToken cancellationToken)
    {
        if (Guid.TryParse(reference, out Guid id))
        {
            Tunnel? byId = await store.GetTunnelAsync(id, cancellationToken);
            if (byId is { DeletedAt: null })
            {
                return byId;
            }
        }

        return await store.FindTunnelByNameAsync(reference, cancellationToken);
    }

    private static IResult TunnelNotFound(string reference) =>
        Error(StatusCodes.Status404NotFound, $"no tunnel named '{Printable(reference)}': `drawbridge tunnel list` shows them");

    internal static string Printable(string text) =>
        new(text.Take(100).Select(c => char.IsControl(c) ? '?' : c).ToArray());

    private static LinkView ToView(ConnectorLink link) => new(
        link.ConnectorId, link.LinkIndex, link.RemoteAddress, link.Since, link.Session.ActiveStreamCount,
        Math.Round(link.Session.SmoothedRtt.TotalMilliseconds, 3), link.Version);
}
