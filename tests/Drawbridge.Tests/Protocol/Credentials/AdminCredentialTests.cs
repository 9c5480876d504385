using Drawbridge.Protocol.Credentials;

namespace Drawbridge.Tests.Protocol.Credentials;

public sealed class AdminCredentialTests
{
    private static readonly AdminCredential Sample = new("https://edge.example.com", "dbat_0123456789abcdef", null);

    [Fact]
    public void Json_RoundTripsWithCamelCaseNames()
    {
        var json = Sample.ToJson();

        Assert.Contains("\"apiToken\": \"dbat_0123456789abcdef\"", json, StringComparison.Ordinal);
        Assert.Equal(Sample, AdminCredential.Parse(json));
    }

    [Theory]
    [InlineData("""{"edgeUrl":"https://e"}""", "\"apiToken\" is missing")]
    [InlineData("""{"edgeUrl":"https://e","apiToken":"two words"}""", "\"apiToken\" is not a valid API token")]
    [InlineData("""{"edgeUrl":"https://e","apiToken":"line\nbreak"}""", "\"apiToken\" is not a valid API token")]
    [InlineData("""{"edgeUrl":"ftp://e","apiToken":"t"}""", "\"edgeUrl\" is \"ftp://e\"")]
    [InlineData("""{"apiToken":"t"}""", "\"edgeUrl\" is missing")]
    [InlineData("""{"edgeUrl":"https://e","apiToken":"t","caCertificate":"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"}""", "caCertificate")]
    public void Parse_NamesTheBadField(string json, string expected)
    {
        var ex = Assert.Throws<CredentialFormatException>(() => AdminCredential.Parse(json));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnAdminAppTokenOfAFewKiB_IsAccepted_ButNotAnOversizedOne()
    {
        string jwt = new('a', 8192);
        Assert.Equal(jwt, AdminCredential.Parse($$"""{"edgeUrl":"https://e","apiToken":"{{jwt}}"}""").ApiToken);

        var ex = Assert.Throws<CredentialFormatException>(() => AdminCredential.Parse($$"""{"edgeUrl":"https://e","apiToken":"{{jwt}}a"}"""));
        Assert.Contains("at most 8192", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(jwt, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_LeavesTheTokenOut()
    {
        Assert.DoesNotContain(Sample.ApiToken, Sample.ToString(), StringComparison.Ordinal);
    }
}
