using System.Security.Cryptography;
using System.Text;
using Drawbridge.Edge.Tokens;

namespace Drawbridge.Tests.Edge.Tokens;

/// <summary>Hostile app tokens presented for app A: each one is refused, for the right reason.</summary>
public sealed class JwtHostileTokenTests
{
    private readonly AppTokenScene _scene = new();

    public static TheoryData<string, string> Cases() => new()
    {
        { "bad signature", nameof(TokenFailure.BadSignature) },
        { "signed by another P-256 key under our kid", nameof(TokenFailure.BadSignature) },
        { "alg none, empty signature", nameof(TokenFailure.UnsupportedAlgorithm) },
        { "alg None", nameof(TokenFailure.UnsupportedAlgorithm) },
        { "alg NONE with our kid and a signature", nameof(TokenFailure.UnsupportedAlgorithm) },
        { "HS256 keyed with our JWK JSON", nameof(TokenFailure.UnsupportedAlgorithm) },
        { "HS256 keyed with our SubjectPublicKeyInfo DER", nameof(TokenFailure.UnsupportedAlgorithm) },
        { "HS256 keyed with our public key PEM", nameof(TokenFailure.UnsupportedAlgorithm) },
        { "RS256 signed by an RSA key under our kid", nameof(TokenFailure.AlgorithmNotAllowed) },
        { "ES384 under our kid", nameof(TokenFailure.AlgorithmNotAllowed) },
        { "alg is not a string", nameof(TokenFailure.Malformed) },
        { "no alg", nameof(TokenFailure.MissingClaim) },
        { "header repeats alg", nameof(TokenFailure.Malformed) },
        { "crit header", nameof(TokenFailure.UnsupportedHeader) },
        { "token for app B used on app A", nameof(TokenFailure.WrongAudience) },
        { "wrong iss", nameof(TokenFailure.WrongIssuer) },
        { "no iss", nameof(TokenFailure.MissingClaim) },
        { "no aud", nameof(TokenFailure.MissingClaim) },
        { "aud empty array", nameof(TokenFailure.Malformed) },
        { "aud is a number", nameof(TokenFailure.Malformed) },
        { "expired", nameof(TokenFailure.Expired) },
        { "nbf in the future", nameof(TokenFailure.NotYetValid) },
        { "iat in the future", nameof(TokenFailure.IssuedInFuture) },
        { "lifetime above the ring's maximum", nameof(TokenFailure.LifetimeTooLong) },
        { "no iat while the lifetime is capped", nameof(TokenFailure.MissingClaim) },
        { "no exp", nameof(TokenFailure.MissingClaim) },
        { "exp is a string", nameof(TokenFailure.Malformed) },
        { "exp is 1e400", nameof(TokenFailure.Malformed) },
        { "exp is 2^70", nameof(TokenFailure.Malformed) },
        { "exp is negative", nameof(TokenFailure.Malformed) },
        { "payload repeats exp", nameof(TokenFailure.Malformed) },
        { "unknown kid", nameof(TokenFailure.UnknownKeyId) },
        { "kid is not a string", nameof(TokenFailure.Malformed) },
        { "embedded jwk of the attacker", nameof(TokenFailure.UnknownKeyId) },
        { "empty string", nameof(TokenFailure.Malformed) },
        { "two parts", nameof(TokenFailure.Malformed) },
        { "four parts", nameof(TokenFailure.Malformed) },
        { "five parts (JWE)", nameof(TokenFailure.Malformed) },
        { "padding in base64url", nameof(TokenFailure.Malformed) },
        { "standard base64 alphabet", nameof(TokenFailure.Malformed) },
        { "whitespace inside", nameof(TokenFailure.Malformed) },
        { "non-canonical base64url signature", nameof(TokenFailure.Malformed) },
        { "header is a JSON array", nameof(TokenFailure.Malformed) },
        { "payload is not JSON", nameof(TokenFailure.Malformed) },
        { "payload is a JSON string", nameof(TokenFailure.Malformed) },
        { "payload nested 1000 deep", nameof(TokenFailure.Malformed) },
        { "longer than 16 KiB", nameof(TokenFailure.TooLong) },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void HostileToken_IsRefused(string name, string expected)
    {
        TokenValidationResult result = _scene.Validate(Build(name));

        Assert.False(result.IsValid);
        Assert.Null(result.Token);
        Assert.Equal(Enum.Parse<TokenFailure>(expected), result.Failure);
        Assert.False(string.IsNullOrWhiteSpace(result.Message));
    }

    [Fact]
    public void Messages_NameWhatFailed()
    {
        Assert.Equal("token expired at 2026-11-26T08:00:00Z", _scene.Validate(Build("expired")).Message);
        Assert.Equal("unknown kid 'nope'", _scene.Validate(Build("unknown kid")).Message);
        Assert.Equal("algorithm 'none' is never accepted", _scene.Validate(Build("alg none, empty signature")).Message);
        Assert.Equal($"the token is for '{AppTokenScene.AppB}', not '{AppTokenScene.AppA}'",
            _scene.Validate(Build("token for app B used on app A")).Message);
        Assert.Equal("token is not valid before 2026-11-26T10:00:00Z", _scene.Validate(Build("nbf in the future")).Message);
    }

    [Fact]
    public void ValuesFromTheToken_AreShortenedAndPrintable_InMessages()
    {
        string kid = new('k', 500);
        string token = _scene.SignWithOurKey($$"""{"alg":"ES256","kid":"{{kid}}\u0007\n"}""", _scene.Payload());

        TokenValidationResult result = _scene.Validate(token);

        Assert.Equal(TokenFailure.UnknownKeyId, result.Failure);
        Assert.True(result.Message.Length < 120, result.Message);
        Assert.All(result.Message, c => Assert.True(c is >= ' ' and <= '~' or '…'));
    }

    [Fact]
    public void MissingKid_IsAccepted_OnlyWhileExactlyOneKeyCanVerify()
    {
        string token = _scene.SignWithOurKey("""{"alg":"ES256","typ":"JWT"}""", _scene.Payload());
        Assert.True(_scene.Validate(token).IsValid);

        _scene.Ring = _scene.Ring.Rotate(_scene.Time);
        TokenValidationResult result = _scene.Validate(token);

        Assert.Equal(TokenFailure.MissingKeyId, result.Failure);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("HS256")]
    [InlineData("HS512")]
    [InlineData("es256")]
    [InlineData("")]
    public void Parameters_CannotAllow_AnAlgorithmOutsideTheTable(string algorithm)
    {
        Assert.Throws<ArgumentException>(() =>
            new TokenValidationParameters(_scene.Ring.PublicKeys, AppTokenScene.Issuer, [AppTokenScene.AppA], ["ES256", algorithm]));
    }

    private string Build(string name)
    {
        long now = _scene.Now;
        string header = _scene.Header();
        string payload = _scene.Payload();
        return name switch
        {
            "bad signature" => FlipSignatureBit(_scene.Issue()),
            "signed by another P-256 key under our kid" => SignWithStrangerEc(header, payload),
            "alg none, empty signature" => HandMadeJwt.Unsigned("""{"alg":"none","typ":"JWT"}""", payload),
            "alg None" => HandMadeJwt.Unsigned("""{"alg":"None"}""", payload),
            "alg NONE with our kid and a signature" => _scene.SignWithOurKey($$"""{"alg":"NONE","kid":"{{_scene.Kid}}"}""", payload),
            "HS256 keyed with our JWK JSON" => HandMadeJwt.SignHmac(
                JwksDocument.Render(_scene.Ring.PublicKeys), _scene.Header("HS256"), payload),
            "HS256 keyed with our SubjectPublicKeyInfo DER" => HandMadeJwt.SignHmac(OurSpki(), _scene.Header("HS256"), payload),
            "HS256 keyed with our public key PEM" => HandMadeJwt.SignHmac(
                Encoding.ASCII.GetBytes(PemEncoding.WriteString("PUBLIC KEY", OurSpki())), _scene.Header("HS256"), payload),
            "RS256 signed by an RSA key under our kid" => SignWithRsa(_scene.Header("RS256"), payload),
            "ES384 under our kid" => SignWithStrangerEc(_scene.Header("ES384"), payload, ECCurve.NamedCurves.nistP384, HashAlgorithmName.SHA384),
            "alg is not a string" => _scene.SignWithOurKey($$"""{"alg":["ES256"],"kid":"{{_scene.Kid}}"}""", payload),
            "no alg" => _scene.SignWithOurKey($$"""{"kid":"{{_scene.Kid}}"}""", payload),
            "header repeats alg" => _scene.SignWithOurKey($$"""{"alg":"ES256","alg":"none","kid":"{{_scene.Kid}}"}""", payload),
            "crit header" => _scene.SignWithOurKey($$"""{"alg":"ES256","kid":"{{_scene.Kid}}","crit":["b64"],"b64":false}""", payload),
            "token for app B used on app A" => _scene.Issue(AppTokenScene.AppB),
            "wrong iss" => _scene.SignWithOurKey(header, _scene.Payload(issuer: "https://evil.example.com")),
            "no iss" => _scene.SignWithOurKey(header, $$"""{"aud":"{{AppTokenScene.AppA}}","iat":{{now}},"exp":{{now + 60}}}"""),
            "no aud" => _scene.SignWithOurKey(header, $$"""{"iss":"{{AppTokenScene.Issuer}}","iat":{{now}},"exp":{{now + 60}}}"""),
            "aud empty array" => _scene.SignWithOurKey(header, _scene.Payload(audienceJson: "[]")),
            "aud is a number" => _scene.SignWithOurKey(header, _scene.Payload(audienceJson: "42")),
            "expired" => _scene.SignWithOurKey(header, _scene.Payload(iat: now - 7200, nbf: now - 7200, exp: now - 3600)),
            "nbf in the future" => _scene.SignWithOurKey(header, _scene.Payload(nbf: now + 3600, exp: now + 7200)),
            "iat in the future" => _scene.SignWithOurKey(header, _scene.Payload(iat: now + 3600, exp: now + 7200)),
            "lifetime above the ring's maximum" => _scene.SignWithOurKey(header, _scene.Payload(exp: now + (long)TimeSpan.FromDays(30).TotalSeconds)),
            "no iat while the lifetime is capped" => _scene.SignWithOurKey(header,
                $$"""{"iss":"{{AppTokenScene.Issuer}}","aud":"{{AppTokenScene.AppA}}","exp":{{now + 60}}}"""),
            "no exp" => _scene.SignWithOurKey(header,
                $$"""{"iss":"{{AppTokenScene.Issuer}}","aud":"{{AppTokenScene.AppA}}","iat":{{now}}}"""),
            "exp is a string" => _scene.SignWithOurKey(header, ReplaceExp(payload, $"\"{now + 60}\"")),
            "exp is 1e400" => _scene.SignWithOurKey(header, ReplaceExp(payload, "1e400")),
            "exp is 2^70" => _scene.SignWithOurKey(header, ReplaceExp(payload, "1180591620717411303424")),
            "exp is negative" => _scene.SignWithOurKey(header, ReplaceExp(payload, "-1")),
            "payload repeats exp" => _scene.SignWithOurKey(header, _scene.Payload(exp: now - 10, extra: $",\"exp\":{now + 3600}")),
            "unknown kid" => _scene.SignWithOurKey("""{"alg":"ES256","kid":"nope"}""", payload),
            "kid is not a string" => _scene.SignWithOurKey("""{"alg":"ES256","kid":7}""", payload),
            "embedded jwk of the attacker" => EmbeddedJwk(payload),
            "empty string" => "",
            "two parts" => string.Join('.', HandMadeJwt.Parts(_scene.Issue())[..2]),
            "four parts" => _scene.Issue() + ".e30",
            "five parts (JWE)" => "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a.b.c.d",
            "padding in base64url" => PadHeader(_scene.Issue()),
            "standard base64 alphabet" => ToStandardAlphabet(_scene.Issue()),
            "whitespace inside" => _scene.Issue().Insert(10, " "),
            "non-canonical base64url signature" => NonCanonicalSignature(_scene.Issue()),
            "header is a JSON array" => _scene.SignWithOurKey("""["ES256"]""", payload),
            "payload is not JSON" => _scene.SignWithOurKey(header, "{not json"),
            "payload is a JSON string" => _scene.SignWithOurKey(header, "\"hello\""),
            "payload nested 1000 deep" => _scene.SignWithOurKey(header, string.Concat(Enumerable.Repeat("{\"a\":", 1000)) + "1" + new string('}', 1000)),
            "longer than 16 KiB" => _scene.SignWithOurKey(header, _scene.Payload(extra: $",\"pad\":\"{new string('x', 16 * 1024)}\"")),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such case"),
        };
    }

    private static string ReplaceExp(string payload, string value)
    {
        int start = payload.IndexOf("\"exp\":", StringComparison.Ordinal) + 6;
        int end = payload.IndexOf('}', start);
        return string.Concat(payload.AsSpan(0, start), value, payload.AsSpan(end));
    }

    private static string FlipSignatureBit(string token)
    {
        string[] parts = HandMadeJwt.Parts(token);
        byte[] signature = System.Buffers.Text.Base64Url.DecodeFromChars(parts[2]);
        signature[10] ^= 0x01;
        return parts[0] + "." + parts[1] + "." + HandMadeJwt.Encode(signature);
    }

    private static string SignWithStrangerEc(string header, string payload, ECCurve? curve = null, HashAlgorithmName? hash = null)
    {
        using ECDsa stranger = ECDsa.Create(curve ?? ECCurve.NamedCurves.nistP256);
        return HandMadeJwt.SignEcdsa(stranger, header, payload, hash ?? HashAlgorithmName.SHA256);
    }

    private static string SignWithRsa(string header, string payload)
    {
        using RSA rsa = RSA.Create(2048);
        return HandMadeJwt.SignRsa(rsa, header, payload, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    private byte[] OurSpki()
    {
        using ECDsa ours = _scene.Ring.Current.PublicKey.CreateECDsa();
        return ours.ExportSubjectPublicKeyInfo();
    }

    /// <summary>The attacker signs with their own key and ships it in the header: it must never be used.</summary>
    private static string EmbeddedJwk(string payload)
    {
        using ECDsa attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        JsonWebKey jwk = JsonWebKey.FromECDsa(attacker, "attacker");
        string header = $$$"""{"alg":"ES256","kid":"attacker","jwk":{"kty":"EC","crv":"P-256","x":"{{{HandMadeJwt.Encode(jwk.X.ToArray())}}}","y":"{{{HandMadeJwt.Encode(jwk.Y.ToArray())}}}"}}""";
        return HandMadeJwt.SignEcdsa(attacker, header, payload, HashAlgorithmName.SHA256);
    }

    private static string PadHeader(string token)
    {
        string[] parts = HandMadeJwt.Parts(token);
        string padded = parts[0] + new string('=', (4 - (parts[0].Length % 4)) % 4);
        Assert.NotEqual(parts[0], padded);
        return padded + "." + parts[1] + "." + parts[2];
    }

    private static string ToStandardAlphabet(string token)
    {
        // '+' and '/' are standard base64 (RFC 4648 §4), not base64url.
        string[] parts = HandMadeJwt.Parts(token);
        return parts[0] + "." + parts[1] + ".+/" + parts[2][2..];
    }

    private static string NonCanonicalSignature(string token)
    {
        // 64 bytes = 86 characters; the last carries 2 bits and 4 must-be-zero bits.
        string[] parts = HandMadeJwt.Parts(token);
        char last = parts[2][^1];
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        char stray = Alphabet[Alphabet.IndexOf(last, StringComparison.Ordinal) | 0x01];
        return parts[0] + "." + parts[1] + "." + parts[2][..^1] + stray;
    }
}
