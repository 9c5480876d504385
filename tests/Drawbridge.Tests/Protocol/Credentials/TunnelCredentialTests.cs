using System.Buffers.Text;
using System.Text;
using Drawbridge.Protocol.Credentials;

namespace Drawbridge.Tests.Protocol.Credentials;

public sealed class TunnelCredentialTests
{
    private const string ValidSecret = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"; // bytes 0..31

    private static readonly TunnelCredential Sample = new(
        Guid.Parse("6f1c2a4e-0d7b-4f7e-9a55-3c2b1d0e9f88"),
        "db-prod",
        Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(),
        "https://edge.example.com:443",
        null);

    [Fact]
    public void Json_RoundTrips()
    {
        var parsed = TunnelCredential.Parse(Sample.ToJson());

        Assert.Equal(Sample.TunnelId, parsed.TunnelId);
        Assert.Equal(Sample.TunnelName, parsed.TunnelName);
        Assert.Equal(Sample.Secret, parsed.Secret);
        Assert.Equal(Sample.EdgeUrl, parsed.EdgeUrl);
        Assert.Null(parsed.CaCertificatePem);
    }

    [Fact]
    public void Json_UsesCamelCaseNamesAndBase64UrlSecret()
    {
        var json = Sample.ToJson();

        Assert.Contains("\"tunnelId\": \"6f1c2a4e-0d7b-4f7e-9a55-3c2b1d0e9f88\"", json, StringComparison.Ordinal);
        Assert.Contains("\"tunnelName\": \"db-prod\"", json, StringComparison.Ordinal);
        Assert.Contains($"\"secret\": \"{ValidSecret}\"", json, StringComparison.Ordinal);
        Assert.Contains("\"edgeUrl\": \"https://edge.example.com:443\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("caCertificate", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Token_RoundTripsAsOneLineOfBase64Url()
    {
        using var ca = Drawbridge.Edge.Certificates.EdgeCertificateAuthority.Create(TimeProvider.System);
        var credential = Sample with { CaCertificatePem = ca.CertificatePem };

        var token = credential.ToToken();
        var parsed = TunnelCredential.ParseToken($"  {token}\n");

        Assert.Matches("^[A-Za-z0-9_-]+$", token);
        Assert.Equal(credential.Secret, parsed.Secret);
        Assert.Equal(credential.CaCertificatePem, parsed.CaCertificatePem);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("null", "JSON null")]
    [InlineData("{ not json", "not valid JSON")]
    [InlineData("[]", "not valid JSON")]
    [InlineData("""{"tunnelName":"a","secret":"S","edgeUrl":"https://e"}""", "\"tunnelId\" is missing")]
    [InlineData("""{"tunnelId":"nope","tunnelName":"a","secret":"S","edgeUrl":"https://e"}""", "\"tunnelId\" is \"nope\": expected a UUID")]
    [InlineData("""{"tunnelId":42,"tunnelName":"a","secret":"S","edgeUrl":"https://e"}""", "$.tunnelId")]
    [InlineData("""{"tunnelId":"6f1c2a4e-0d7b-4f7e-9a55-3c2b1d0e9f88","secret":"S","edgeUrl":"https://e"}""", "\"tunnelName\" is missing")]
    [InlineData("""{"tunnelId":"6f1c2a4e-0d7b-4f7e-9a55-3c2b1d0e9f88","tunnelName":"a","edgeUrl":"https://e"}""", "\"secret\" is missing")]
    [InlineData("""{"tunnelId":"6f1c2a4e-0d7b-4f7e-9a55-3c2b1d0e9f88","tunnelName":"a","secret":"AAEC","edgeUrl":"https://e"}""", "\"secret\" is not 32 bytes")]
    [InlineData("""{"tunnelId":"6f1c2a4e-0d7b-4f7e-9a55-3c2b1d0e9f88","tunnelName":"a","secret":"S"}""", "\"edgeUrl\" is missing")]
    [InlineData("""{"tunnelId":"6f1c2a4e-0d7b-4f7e-9a55-3c2b1d0e9f88","tunnelName":"a","secret":"S","edgeUrl":"http://e"}""", "\"edgeUrl\" is \"http://e\": expected an absolute https URL")]
    [InlineData("""{"tunnelId":"6f1c2a4e-0d7b-4f7e-9a55-3c2b1d0e9f88","tunnelName":"a","secret":"S","edgeUrl":"edge.example.com"}""", "expected an absolute https URL")]
    [InlineData("""{"tunnelId":"6f1c2a4e-0d7b-4f7e-9a55-3c2b1d0e9f88","tunnelName":"a","secret":"S","edgeUrl":"https://u:p@e"}""", "expected an absolute https URL")]
    [InlineData("""{"tunnelId":"6f1c2a4e-0d7b-4f7e-9a55-3c2b1d0e9f88","tunnelName":"a","secret":"S","edgeUrl":"https://e","caCertificate":"junk"}""", "\"caCertificate\" holds no certificate")]
    [InlineData("""{"tunnelId":"6f1c2a4e-0d7b-4f7e-9a55-3c2b1d0e9f88","tunnelId":"6f1c2a4e-0d7b-4f7e-9a55-3c2b1d0e9f89","tunnelName":"a","secret":"S","edgeUrl":"https://e"}""", "not valid JSON")]
    public void Parse_NamesTheBadFieldAndWhatIsExpected(string json, string expected)
    {
        var ex = Assert.Throws<CredentialFormatException>(() => TunnelCredential.Parse(json.Replace("\"S\"", $"\"{ValidSecret}\"", StringComparison.Ordinal)));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NeverEchoesAWrongSecret()
    {
        var json = Sample.ToJson().Replace(ValidSecret, ValidSecret + "AAAA", StringComparison.Ordinal);

        var ex = Assert.Throws<CredentialFormatException>(() => TunnelCredential.Parse(json));

        Assert.DoesNotContain(ValidSecret, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RefusesAHugeDocumentBeforeParsingIt()
    {
        var ex = Assert.Throws<CredentialFormatException>(() => TunnelCredential.Parse(new string(' ', 100_000) + "{}"));

        Assert.Contains("at most", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("not base64!", "not valid base64url")]
    [InlineData("aGVsbG8", "not valid JSON")]
    [InlineData("_w", "UTF-8")]
    public void ParseToken_SaysWhichLayerIsBroken(string token, string expected)
    {
        var ex = Assert.Throws<CredentialFormatException>(() => TunnelCredential.ParseToken(token));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseToken_ReportsMissingFieldsOfTheJsonInside()
    {
        var token = Base64Url.EncodeToString(Encoding.UTF8.GetBytes("{}"));

        var ex = Assert.Throws<CredentialFormatException>(() => TunnelCredential.ParseToken(token));

        Assert.Contains("\"tunnelId\" is missing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AuthorizationHeader_IsSchemeIdDotSecretAndParsesBack()
    {
        var header = Sample.AuthorizationHeaderValue;

        Assert.Equal($"Tunnel 6f1c2a4e0d7b4f7e9a553c2b1d0e9f88.{ValidSecret}", header);
        Assert.True(TunnelCredential.TryParseAuthorization(header, out var id, out var secret));
        Assert.Equal(Sample.TunnelId, id);
        Assert.Equal(Sample.Secret, secret);
    }

    [Fact]
    public void TryParseAuthorization_TakesTheSchemeInAnyCase()
    {
        Assert.True(TunnelCredential.TryParseAuthorization("tunnel " + Sample.AuthorizationHeaderValue[7..], out _, out _));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Bearer 6f1c2a4e0d7b4f7e9a553c2b1d0e9f88.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8")]
    [InlineData("Tunnel  6f1c2a4e0d7b4f7e9a553c2b1d0e9f88.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh")]
    [InlineData("Tunnel 6f1c2a4e0d7b4f7e9a553c2b1d0e9f88AAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8")]
    [InlineData("Tunnel 6f1c2a4e0d7b4f7e9a553c2b1d0e9f8.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8A")]
    [InlineData("Tunnel 6f1c2a4e-0d7b-4f7e-9a55-3c2b1d0e9f88.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8")]
    [InlineData("Tunnel 6f1c2a4e0d7b4f7e9a553c2b1d0e9f8g.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8")]
    [InlineData("Tunnel 6f1c2a4e0d7b4f7e9a553c2b1d0e9f88.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh")]
    [InlineData("Tunnel 6f1c2a4e0d7b4f7e9a553c2b1d0e9f88.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")]
    [InlineData("Tunnel 6f1c2a4e0d7b4f7e9a553c2b1d0e9f88.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+")]
    [InlineData("Tunnel 6f1c2a4e0d7b4f7e9a553c2b1d0e9f88.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB")]
    [InlineData("Tunnel 6f1c2a4e0d7b4f7e9a553c2b1d0e9f88.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8 ")]
    public void TryParseAuthorization_RefusesEverythingButTheExactFormat(string? header)
    {
        Assert.False(TunnelCredential.TryParseAuthorization(header, out _, out var secret));
        Assert.Null(secret);
    }

    [Fact]
    public void TryParseAuthorization_RefusesHeadersOver200Characters()
    {
        Assert.False(TunnelCredential.TryParseAuthorization(Sample.AuthorizationHeaderValue + new string('A', 200), out _, out _));
    }

    [Fact]
    public void ToString_LeavesTheSecretOut()
    {
        var text = Sample.ToString();

        Assert.Contains("db-prod", text, StringComparison.Ordinal);
        Assert.DoesNotContain(ValidSecret, text, StringComparison.Ordinal);
    }
}
