using Drawbridge.Edge.Connectors;
using Drawbridge.Edge.Hosting;
using Drawbridge.Edge.Snapshots;
using Drawbridge.Edge.Storage;
using Drawbridge.Protocol.Credentials;
using Microsoft.AspNetCore.Http;

namespace Drawbridge.Edge.Admin;

internal static partial class AdminApi
{
    private static async Task<IResult> CreateTunnelAsync(HttpContext context, EdgeState state, EdgeRuntime runtime)
    {
        var (request, error) = await AdminRequestBody.ReadAsync(context, AdminJsonContext.Default.CreateTunnelRequest);
        if (error is not null)
        {
            return error;
        }

        return await ChangeAsync(state, context, async change =>
        {
            byte[] secret = SecretHash.NewSecret();
            Tunnel tunnel = await state.Store.CreateTunnelAsync(request!.Name ?? "", SecretHash.Hash(secret), context.RequestAborted);
            change.Is(new TunnelView(tunnel.Id, tunnel.Name, tunnel.CreatedAt, [], []), AdminJsonContext.Default.TunnelView);
            return Results.Json(Created(tunnel, secret, runtime), AdminJsonContext.Default.CreatedTunnel, statusCode: StatusCodes.Status201Created);
        });
    }

    private static async Task<IResult> RotateSecretAsync(string reference, HttpContext context, EdgeState state, EdgeRuntime runtime, ConnectorRegistry registry)
    {
        if (await FindTunnelAsync(state.Store, reference, context.RequestAborted) is not { } tunnel)
        {
            return TunnelNotFound(reference);
        }

        return await ChangeAsync(state, context, async _ =>
        {
            byte[] secret = SecretHash.NewSecret();
            Tunnel rotated = await state.Store.RotateTunnelSecretAsync(tunnel.Id, SecretHash.Hash(secret), context.RequestAborted);
            registry.CloseTunnel(tunnel.Id, "the tunnel's secret was rotated");
            return Results.Json(Created(rotated, secret, runtime), AdminJsonContext.Default.CreatedTunnel);
        });
    }

    private static CreatedTunnel Created(Tunnel tunnel, byte[] secret, EdgeRuntime runtime)
    {
        var credential = new TunnelCredential(tunnel.Id, tunnel.Name, secret, runtime.Settings.PublicUrl, runtime.CaCertificatePem);
        return new CreatedTunnel(tunnel.Id, tunnel.Name, credential.ToJson(), credential.ToToken());
    }

    private static async Task<IResult> ListTunnelsAsync(HttpContext context, EdgeState state, ConnectorRegistry registry)
    {
        IReadOnlyList<Tunnel> tunnels = await state.Store.ListTunnelsAsync(includeDeleted: false, context.RequestAborted);
        IReadOnlyList<Route> routes = await state.Store.ListRoutesAsync(null, context.RequestAborted);
        IReadOnlyList<TunnelView> views = [.. tunnels.Select(t => ToView(t, routes, registry))];
        return Results.Json(views, AdminJsonContext.Default.IReadOnlyListTunnelView);
    }

    private static async Task<IResult> GetTunnelAsync(string reference, HttpContext context, EdgeState state, ConnectorRegistry registry)
    {
        if (await FindTunnelAsync(state.Store, reference, context.RequestAborted) is not { } tunnel)
        {
            return TunnelNotFound(reference);
        }

        IReadOnlyList<Route> routes = await state.Store.ListRoutesAsync(tunnel.Id, context.RequestAborted);
        return Results.Json(ToView(tunnel, routes, registry), AdminJsonContext.Default.TunnelView);
    }

    private static async Task<IResult> DeleteTunnelAsync(string reference, HttpContext context, EdgeState state, ConnectorRegistry registry)
    {
        if (await FindTunnelAsync(state.Store, reference, context.RequestAborted) is not { } tunnel)
        {
            return TunnelNotFound(reference);
        }

        return await ChangeAsync(state, context, async change =>
        {
            change.Was(ToView(tunnel, await state.Store.ListRoutesAsync(tunnel.Id, context.RequestAborted), registry), AdminJsonContext.Default.TunnelView);
            await state.Store.DeleteTunnelAsync(tunnel.Id, context.RequestAborted);
            registry.CloseTunnel(tunnel.Id, "the tunnel was deleted");
            return Results.NoContent();
        });
    }

    private static async Task<IResult> AddRouteAsync(HttpContext context, EdgeState state)
    {
        var (request, error) = await AdminRequestBody.ReadAsync(context, AdminJsonContext.Default.RouteRequest);
        if (error is not null)
        {
            return error;
        }

        if (await FindTunnelAsync(state.Store, request!.Tunnel ?? "", context.RequestAborted) is not { } tunnel)
        {
            return TunnelNotFound(request.Tunnel ?? "");
        }

        return await ChangeAsync(state, context, async change =>
        {
            Route route = await state.Store.AddRouteAsync(request.Hostname ?? "", tunnel.Id, context.RequestAborted);
            change.Is(new RouteView(route.Hostname, route.TunnelId, route.CreatedAt), AdminJsonContext.Default.RouteView);
            return Results.Json(new RouteView(route.Hostname, route.TunnelId, route.CreatedAt), AdminJsonContext.Default.RouteView, statusCode: StatusCodes.Status201Created);
        });
    }

    private static async Task<IResult> ListRoutesAsync(HttpContext context, EdgeState state)
    {
        IReadOnlyList<Route> routes = await state.Store.ListRoutesAsync(null, context.RequestAborted);
        IReadOnlyList<RouteView> views = [.. routes.Select(r => new RouteView(r.Hostname, r.TunnelId, r.CreatedAt))];
        return Results.Json(views, AdminJsonContext.Default.IReadOnlyListRouteView);
    }

    private static Task<IResult> RemoveRouteAsync(string hostname, HttpContext context, EdgeState state) =>
        ChangeAsync(state, context, async change =>
        {
            if ((await state.Store.ListRoutesAsync(null, context.RequestAborted)).FirstOrDefault(r => r.Hostname.Equals(hostname, StringComparison.OrdinalIgnoreCase)) is { } route)
            {
                change.Was(new RouteView(route.Hostname, route.TunnelId, route.CreatedAt), AdminJsonContext.Default.RouteView);
            }

            return await state.Store.RemoveRouteAsync(hostname, context.RequestAborted)
                ? Results.NoContent()
                : Error(StatusCodes.Status404NotFound, $"no route for '{Printable(hostname)}'");
        });

    private static TunnelView ToView(Tunnel tunnel, IReadOnlyList<Route> routes, ConnectorRegistry registry) => new(
        tunnel.Id,
        tunnel.Name,
        tunnel.CreatedAt,
        [.. routes.Where(r => r.TunnelId == tunnel.Id).Select(r => r.Hostname)],
        [.. registry.LinksOf(tunnel.Id).Select(ToView)]);
}
