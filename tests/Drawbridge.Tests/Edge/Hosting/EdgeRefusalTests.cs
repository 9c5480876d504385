using System.Text;
using Drawbridge.Edge.Hosting;
using Drawbridge.Protocol.Outcomes;
using Drawbridge.Protocol.Transport;
using Microsoft.AspNetCore.Http;

namespace Drawbridge.Tests.Edge.Hosting;

/// <summary>SPEC.md §1: a refusal before the upgrade is a status, a JSON body and the same words in headers.</summary>
public sealed class EdgeRefusalTests
{
    [Fact]
    public async Task Refusal_IsStatusJsonBodyAndHeaders()
    {
        var context = new DefaultHttpContext();
        using var body = new MemoryStream();
        context.Response.Body = body;

        await EdgeRefusal.WriteAsync(context, ConnectionOutcome.NoRoute, "no route for <db> & ü").WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(StatusCodes.Status404NotFound, context.Response.StatusCode);
        Assert.Equal("application/json", context.Response.ContentType);
        Assert.Equal("no_route", context.Response.Headers[WireNames.OutcomeHeader]);
        Assert.Equal("no%20route%20for%20%3Cdb%3E%20%26%20%C3%BC", context.Response.Headers[WireNames.MessageHeader]);
        // System.Text.Json's default encoder, as before the body was source-generated: HTML-sensitive
        // and non-ASCII characters escaped.
        Assert.Equal("""{"outcome":"no_route","message":"no route for \u003Cdb\u003E \u0026 \u00FC"}""", Encoding.UTF8.GetString(body.ToArray()));
    }
}
