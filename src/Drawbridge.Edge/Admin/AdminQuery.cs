using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Primitives;

namespace Drawbridge.Edge.Admin;

/// <summary>
/// Query strings as strict as request bodies (<see cref="AdminRequestBody"/>): only the query
/// parameters an endpoint's <see cref="AdminOperation"/> declares — the very list the OpenAPI
/// document shows — each at most once. A misspelt <c>?al=true</c> silently ignored would list
/// only active sessions while the caller believes they asked for all; <c>?snce=</c> would return
/// the newest events instead of failing.
/// </summary>
internal static class AdminQuery
{
    /// <summary>The endpoint filter: a 400 naming the parameter before the handler runs, so a refused request changes nothing.</summary>
    public static async ValueTask<object?> StrictAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        HttpContext http = context.HttpContext;
        Endpoint? endpoint = http.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<AdminOperation>() is { } operation &&
            Check(http.Request.Query, $"{http.Request.Method} {(endpoint as RouteEndpoint)?.RoutePattern.RawText}", operation) is { } refusal)
        {
            return refusal;
        }

        return await next(context);
    }

    /// <summary>Null when every parameter is declared and given once; otherwise the 400 saying which is not.</summary>
    /// <param name="query">The request's query.</param>
    /// <param name="where">The operation, for the message: <c>GET /api/v1/sessions</c>.</param>
    /// <param name="operation">Its declaration.</param>
    internal static IResult? Check(IQueryCollection query, string where, AdminOperation operation)
    {
        string[] allowed = [.. (operation.Parameters ?? []).Where(p => p.In == "query").Select(p => p.Name)];
        foreach ((string name, StringValues values) in query)
        {
            // Names match in any case, as the handlers read them (IQueryCollection is case-insensitive)
            // and as body fields match; "all=1&ALL=2" is therefore one parameter given twice.
            string? declared = allowed.FirstOrDefault(a => a.Equals(name, StringComparison.OrdinalIgnoreCase));
            if (declared is null)
            {
                string reads = allowed.Length == 0 ? "it reads no query parameters" : $"it reads {string.Join(", ", allowed)}";
                string shown = name.Length == 0 ? "(a parameter without a name)" : AdminApi.Printable(name);
                return AdminApi.Error(StatusCodes.Status400BadRequest, $"{shown}: not a query parameter of {where} ({reads})");
            }

            if (values.Count > 1)
            {
                return AdminApi.Error(StatusCodes.Status400BadRequest, $"{declared}: given twice");
            }
        }

        return null;
    }
}
