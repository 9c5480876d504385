using System.Text;
using Drawbridge.Edge.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Drawbridge.Tests.Edge.Identity;

/// <summary>The CLI sign-in endpoints' answers, byte for byte: the member names RFC 6749 and RFC 8628
/// give them, and the escaping of ASP.NET Core's <c>Results.Json</c> that they had before their JSON
/// was source-generated (non-ASCII letters, &lt;, &amp; and + as they are).</summary>
public sealed class SignInAnswerJsonTests
{
    [Fact]
    public async Task TokenAnswer_NamesItsMembersAsRfc6749()
    {
        var answer = new CliTokenResponse("eyJ.a+b.c", "Bearer", 3599, "ssh.example.com", "zoë+ops@example.com");

        (int status, string contentType, string body) = await ExecuteAsync(
            Results.Json(answer, SignInJsonContext.Answers.CliTokenResponse, statusCode: StatusCodes.Status200OK));

        Assert.Equal(200, status);
        Assert.Equal("application/json; charset=utf-8", contentType);
        Assert.Equal("""{"access_token":"eyJ.a+b.c","token_type":"Bearer","expires_in":3599,"app":"ssh.example.com","email":"zoë+ops@example.com"}""", body);
    }

    [Fact]
    public async Task DeviceCodeAnswer_NamesItsMembersAsRfc8628()
    {
        var answer = new DeviceCodeResponse("dc", "ABCD-EFGH", "https://e.example/_drawbridge/device",
            "https://e.example/_drawbridge/device?user_code=ABCDEFGH", 600, 5);

        (_, _, string body) = await ExecuteAsync(Results.Json(answer, SignInJsonContext.Answers.DeviceCodeResponse));

        Assert.Equal(
            """{"device_code":"dc","user_code":"ABCD-EFGH","verification_uri":"https://e.example/_drawbridge/device","verification_uri_complete":"https://e.example/_drawbridge/device?user_code=ABCDEFGH","expires_in":600,"interval":5}""",
            body);
    }

    [Fact]
    public async Task OAuthError_EscapesOnlyWhatJsonRequires()
    {
        var answer = new OAuthErrorResponse("invalid_request", "app: <ü&b> is \"not\" a name\n");

        (int status, _, string body) = await ExecuteAsync(
            Results.Json(answer, SignInJsonContext.Answers.OAuthErrorResponse, statusCode: StatusCodes.Status400BadRequest));

        Assert.Equal(400, status);
        Assert.Equal("""{"error":"invalid_request","error_description":"app: <ü&b> is \"not\" a name\n"}""", body);
    }

    private static async Task<(int Status, string ContentType, string Body)> ExecuteAsync(IResult result)
    {
        await using ServiceProvider services = new ServiceCollection().AddLogging().BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        using var body = new MemoryStream();
        context.Response.Body = body;
        await result.ExecuteAsync(context).WaitAsync(TimeSpan.FromSeconds(10));
        return (context.Response.StatusCode, context.Response.ContentType ?? "", Encoding.UTF8.GetString(body.ToArray()));
    }
}
