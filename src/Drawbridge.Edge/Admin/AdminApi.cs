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
    /// <summary>Where the OpenAPI document is served (without a credential: it describes, it holds no data).</summary>
    public const string OpenApiPath = "/api/v1/openapi.json";

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        AdminJsonContext json = AdminJsonContext.Default;
        AdminParameter tunnel = AdminParameter.Path("reference", "The tunnel's name, or its id (32 hex digits or dashed)");
        AdminParameter app = AdminParameter.Path("hostname", "The application's hostname");

        endpoints.MapGet(OpenApiPath, (EndpointDataSource source) => Results.Text(AdminOpenApi.Document(source.Endpoints), "application/json"))
            .WithMetadata(new AdminOperation("This document (OpenAPI 3.1)", 200, null) { Anonymous = true })
            .AddEndpointFilter(AdminQuery.StrictAsync);

        // Credential first (an anonymous caller learns nothing), then a strict query, then the handler.
        RouteGroupBuilder api = endpoints.MapGroup("/api/v1").AddEndpointFilter<AdminAuthentication>().AddEndpointFilter(AdminQuery.StrictAsync)
            .AddEndpointFilter(StoreErrorsAsync);
        api.MapPost("/tunnels", CreateTunnelAsync).WithMetadata(new AdminOperation(
            "Create a tunnel; the answer carries its credential, the only time the secret is shown", 201, json.CreatedTunnel, json.CreateTunnelRequest, [409]));
        api.MapGet("/tunnels", ListTunnelsAsync).WithMetadata(new AdminOperation(
            "List tunnels with their routes and live connector links", 200, json.IReadOnlyListTunnelView));
        api.MapGet("/tunnels/{reference}", GetTunnelAsync).WithMetadata(new AdminOperation(
            "Show a tunnel", 200, json.TunnelView, Errors: [404], Parameters: [tunnel]));
        api.MapDelete("/tunnels/{reference}", DeleteTunnelAsync).WithMetadata(new AdminOperation(
            "Delete a tunnel and its routes; its connectors are disconnected", 204, null, Errors: [404], Parameters: [tunnel]));
        api.MapPost("/tunnels/{reference}/rotate-secret", RotateSecretAsync).WithMetadata(new AdminOperation(
            "Issue a new tunnel secret; the old one stops working and its links close", 200, json.CreatedTunnel, Errors: [404], Parameters: [tunnel]));
        api.MapPost("/routes", AddRouteAsync).WithMetadata(new AdminOperation(
            "Route a hostname to a tunnel", 201, json.RouteView, json.RouteRequest, [404, 409]));
        api.MapGet("/routes", ListRoutesAsync).WithMetadata(new AdminOperation(
            "List routes", 200, json.IReadOnlyListRouteView));
        api.MapDelete("/routes/{hostname}", RemoveRouteAsync).WithMetadata(new AdminOperation(
            "Remove a route", 204, null, Errors: [400, 404], Parameters: [AdminParameter.Path("hostname", "The routed hostname")]));
        api.MapPost("/service-tokens", CreateServiceTokenAsync).WithMetadata(new AdminOperation(
            "Create a service token; the answer carries its secret, the only time it is shown", 201, json.CreatedServiceToken, json.CreateServiceTokenRequest));
        api.MapGet("/service-tokens", ListServiceTokensAsync).WithMetadata(new AdminOperation(
            "List service tokens (never a secret)", 200, json.IReadOnlyListServiceTokenView));
        api.MapDelete("/service-tokens/{reference}", RevokeServiceTokenAsync).WithMetadata(new AdminOperation(
            "Revoke a service token", 204, null, Errors: [404, 409], Parameters: [AdminParameter.Path("reference", "The token's name, client id or id")]));
        api.MapPost("/apps", CreateAppAsync).WithMetadata(new AdminOperation(
            "Create an application; it admits no one until a policy allows", 201, json.AppView, json.CreateAppRequest, [409]));
        api.MapGet("/apps", ListAppsAsync).WithMetadata(new AdminOperation(
            "List applications with their policies", 200, json.IReadOnlyListAppView));
        api.MapGet("/apps/{hostname}", GetAppAsync).WithMetadata(new AdminOperation(
            "Show an application with its policies", 200, json.AppView, Errors: [400, 404], Parameters: [app]));
        api.MapDelete("/apps/{hostname}", DeleteAppAsync).WithMetadata(new AdminOperation(
            "Delete an application and its policies", 204, null, Errors: [400, 404], Parameters: [app]));
        api.MapPost("/apps/{hostname}/policies", AddPolicyAsync).WithMetadata(new AdminOperation(
            "Add a policy to an application", 201, json.PolicyView, json.AddPolicyRequest, [404, 409], [app]));
        api.MapGet("/apps/{hostname}/policies", ListPoliciesAsync).WithMetadata(new AdminOperation(
            "List an application's policies in the order they are evaluated", 200, json.IReadOnlyListPolicyView, Errors: [400, 404], Parameters: [app]));
        api.MapPost("/apps/{hostname}/policy-test", TestPolicyAsync).WithMetadata(new AdminOperation(
            "What the application decides for a made-up caller, and which policy decides", 200, json.PolicyTestResult, json.PolicyTestRequest, [404], [app]));
        api.MapDelete("/policies/{id}", DeletePolicyAsync).WithMetadata(new AdminOperation(
            "Delete a policy; open connections it no longer admits are closed", 204, null, Errors: [400, 404],
            Parameters: [new AdminParameter("id", "path", "The policy's id", """{"type":"string","format":"uuid"}""", Required: true)]));
        api.MapGet("/sessions", ListSessionsAsync).WithMetadata(new AdminOperation(
            "List users' sessions with their open connections", 200, json.IReadOnlyListSessionView, Errors: [400],
            Parameters: [AdminParameter.Query("all", "Include revoked and expired sessions", """{"type":"boolean","default":false}""")]));
        api.MapPost("/sessions/revoke", RevokeSessionsAsync).WithMetadata(new AdminOperation(
            "Revoke one session (id) or every session of a user (email); their connections on this edge close before the answer " +
            "(connectionsClosed counts them), on other edges at their next poll", 200, json.RevokeSessionsResult, json.RevokeSessionsRequest));
        api.MapGet("/audit", ListAuditAsync).WithMetadata(new AdminOperation(
            "List audit events, newest first", 200, json.IReadOnlyListAuditView, Errors: [400],
            Parameters:
            [
                AdminParameter.Query("since", "Only events at or after this time (ISO 8601; UTC when no offset is given)", """{"type":"string","format":"date-time"}"""),
                AdminParameter.Query("limit", "At most this many events", """{"type":"integer","minimum":1,"maximum":10000,"default":100}"""),
                AdminParameter.Query("user", "Only this actor (an e-mail, service-token:NAME, admin-token:ID)", """{"type":"string"}"""),
                AdminParameter.Query("app", "Only this application's events", """{"type":"string"}"""),
                AdminParameter.Query("kind", "Only this kind of event", """{"type":"string","enum":["sign_in","connection","admin"]}"""),
            ]));
        api.Map("/{**path}", (HttpContext context, EndpointDataSource source) => NoSuchEndpoint(context, source));
    }

    /// <summary>Anything else under /api/v1: a JSON 404, or a 405 naming the methods the path has.</summary>
    private static IResult NoSuchEndpoint(HttpContext context, EndpointDataSource source)
    {
        string path = context.Request.Path.Value ?? "";
        string[] allowed = [.. AdminOpenApi.MethodsOf(source.Endpoints, path).Order(StringComparer.Ordinal)];
        if (allowed.Length == 0)
        {
            return Error(StatusCodes.Status404NotFound, $"no admin endpoint at {Printable(path)}: the API is described at {OpenApiPath}");
        }

        context.Response.Headers.Allow = string.Join(", ", allowed);
        return Error(StatusCodes.Status405MethodNotAllowed, $"{Printable(context.Request.Method)} is not allowed on {Printable(path)}: use {string.Join(" or ", allowed)}");
    }

    /// <summary>
    /// Runs a store change, refreshes the snapshot (no other refresh in between: <see cref="EdgeState.ChangeAsync"/>),
    /// and audits it; a refused change (a store error) is neither.
    /// </summary>
    private static async Task<IResult> ChangeAsync(EdgeState state, HttpContext context, Func<AdminChange, Task<IResult>> change)
    {
        var recorded = new AdminChange();
        IResult result = await state.ChangeAsync(() => change(recorded), context.RequestAborted);
        // Who changed what: the admin token's id or the signed-in administrator (never a token), the request, its outcome.
        string actor = context.Items[typeof(AdminActor)] is AdminActor admin ? admin.Name : "admin";
        int status = result is IStatusCodeHttpResult { StatusCode: { } code } ? code : StatusCodes.Status200OK;
        await context.RequestServices.GetRequiredService<AuditLog>().AdminAsync(actor, $"{context.Request.Method} {context.Request.Path}",
            status.ToString(System.Globalization.CultureInfo.InvariantCulture), recorded.Detail);
        return result;
    }

    /// <summary>
    /// The store's refusals become 4xx on every endpoint, reads included: a hostile path or query
    /// value (a 10 KiB hostname, a control character) is the caller's error, never a 500.
    /// </summary>
    private static async ValueTask<object?> StoreErrorsAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
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

    internal static IResult Error(int status, string message) =>
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
