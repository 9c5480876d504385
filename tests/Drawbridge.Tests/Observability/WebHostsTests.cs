using Drawbridge.Observability;
using Drawbridge.Tests.Edge.Admin;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Drawbridge.Tests.Observability;

/// <summary>A server started from any directory (systemd starts in <c>/</c>) neither reads
/// settings from it nor watches it: ASP.NET's default watch of appsettings.json is recursive.</summary>
public sealed class WebHostsTests
{
    [Fact]
    public void Builder_WatchesNoFile_AndTakesNoSettingsFromTheWorkingDirectory()
    {
        WebApplicationBuilder builder = WebHosts.CreateSlimBuilder();

        AssertWatchesNothing(builder.Configuration);
        Assert.Equal(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory), Path.TrimEndingDirectorySeparator(builder.Environment.ContentRootPath));
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task TheEdge_IsBuiltThatWay()
    {
        await using AdminEdge edge = await AdminEdge.StartAsync();

        AssertWatchesNothing(edge.Host.Services.GetRequiredService<IConfiguration>());
        Assert.Equal(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory),
            Path.TrimEndingDirectorySeparator(edge.Host.Services.GetRequiredService<IHostEnvironment>().ContentRootPath));
    }

    private static void AssertWatchesNothing(IConfiguration configuration)
    {
        var providers = ((IConfigurationRoot)configuration).Providers.ToList();
        Assert.NotEmpty(providers);
        Assert.DoesNotContain(providers.OfType<FileConfigurationProvider>(), provider => provider.Source.ReloadOnChange);
    }
}
