using Drawbridge.Edge.Snapshots;
using Drawbridge.Edge.Storage;
using Drawbridge.Protocol.Credentials;
using Microsoft.AspNetCore.Http;

namespace Drawbridge.Edge.Admin;

internal static partial class AdminApi
{
    private static async Task<IResult> CreateServiceTokenAsync(HttpContext context, EdgeState state)
    {
        var (request, error) = await AdminRequestBody.ReadAsync(context, AdminJsonContext.Default.CreateServiceTokenRequest);
        if (error is not null)
        {
            return error;
        }

        return await ChangeAsync(state, context, async change =>
        {
            byte[] secret = SecretHash.NewSecret();
            ServiceToken token = await state.Store.CreateServiceTokenAsync(request!.Name ?? "", SecretHash.Hash(secret), context.RequestAborted);
            change.Is(ToView(token), AdminJsonContext.Default.ServiceTokenView);
            var created = new CreatedServiceToken(token.Id, token.Name, token.ClientId, SecretHash.ToHexSecret(secret));
            return Results.Json(created, AdminJsonContext.Default.CreatedServiceToken, statusCode: StatusCodes.Status201Created);
        });
    }

    private static async Task<IResult> ListServiceTokensAsync(HttpContext context, EdgeState state)
    {
        IReadOnlyList<ServiceToken> tokens = await state.Store.ListServiceTokensAsync(context.RequestAborted);
        IReadOnlyList<ServiceTokenView> views = [.. tokens.Select(ToView)];
        return Results.Json(views, AdminJsonContext.Default.IReadOnlyListServiceTokenView);
    }

    private static async Task<IResult> RevokeServiceTokenAsync(string reference, HttpContext context, EdgeState state)
    {
        IReadOnlyList<ServiceToken> tokens = await state.Store.ListServiceTokensAsync(context.RequestAborted);
        List<ServiceToken> matches = [.. tokens.Where(t => t.RevokedAt is null &&
            (t.Name == reference || t.ClientId == reference || (Guid.TryParse(reference, out Guid id) && t.Id == id)))];
        if (matches.Count == 0)
        {
            return Error(StatusCodes.Status404NotFound, $"no active service token '{Printable(reference)}'");
        }

        // Names need not be unique: revoking "whichever came first" could cut off the wrong client.
        if (matches.Count > 1)
        {
            return Error(StatusCodes.Status409Conflict,
                $"{matches.Count} active service tokens are named '{Printable(reference)}': revoke one by its client id ({string.Join(", ", matches.Select(t => t.ClientId))})");
        }

        ServiceToken token = matches[0];

        return await ChangeAsync(state, context, async change =>
        {
            change.Was(ToView(token), AdminJsonContext.Default.ServiceTokenView);
            await state.Store.RevokeServiceTokenAsync(token.Id, context.RequestAborted);
            return Results.NoContent();
        });
    }

    private static ServiceTokenView ToView(ServiceToken t) => new(t.Id, t.Name, t.ClientId, t.CreatedAt, t.RevokedAt);
}
