using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Drawbridge.EndToEnd.Tests.Identity;

/// <summary>
/// A stand-in OAuth client's redirect endpoint: Kestrel on http://127.0.0.1:port/callback
/// that records the query of the first request and shows a page reading "Callback received".
/// For proving the provider works without the edge.
/// </summary>
internal sealed class OAuthCallbackListener : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly TaskCompletionSource<IReadOnlyDictionary<string, string>> callback =
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    private OAuthCallbackListener(WebApplication app) => this.app = app;

    public Uri RedirectUri { get; private set; } = null!;

    public static async Task<OAuthCallbackListener> StartAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        WebApplication app = builder.Build();
        var listener = new OAuthCallbackListener(app);
        app.MapGet("/callback", (HttpContext context) =>
        {
            listener.callback.TrySetResult(
                context.Request.Query.ToDictionary(pair => pair.Key, pair => pair.Value.ToString(), StringComparer.Ordinal));
            return Results.Content(
                "<!DOCTYPE html><html lang=\"en\"><head><title>Callback</title></head><body><p>Callback received</p></body></html>",
                "text/html; charset=utf-8");
        });
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        listener.RedirectUri = new Uri(new Uri(address), "/callback");
        return listener;
    }

    /// <summary>The query parameters of the first request to the callback.</summary>
    public Task<IReadOnlyDictionary<string, string>> WaitForCallbackAsync(TimeSpan timeout) =>
        callback.Task.WaitAsync(timeout);

    /// <summary>True once the callback has been requested.</summary>
    public bool WasCalled => callback.Task.IsCompleted;

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
