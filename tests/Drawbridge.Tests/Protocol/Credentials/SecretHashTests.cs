using System.Text;
using Drawbridge.Protocol.Credentials;

namespace Drawbridge.Tests.Protocol.Credentials;

public sealed class SecretHashTests
{
    [Fact]
    public void NewSecret_Is32BytesAndDifferentEachTime()
    {
        var first = SecretHash.NewSecret();
        var second = SecretHash.NewSecret();

        Assert.Equal(32, first.Length);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void Hash_IsLowercaseHexSha256()
    {
        // FIPS 180-2 test vector for "abc".
        Assert.Equal(
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            SecretHash.Hash(Encoding.ASCII.GetBytes("abc")));
    }

    [Fact]
    public void Matches_AcceptsOnlyTheSecretTheHashWasMadeFrom()
    {
        var secret = SecretHash.NewSecret();
        var hash = SecretHash.Hash(secret);
        var other = (byte[])secret.Clone();
        other[^1] ^= 1;

        Assert.True(SecretHash.Matches(secret, hash));
        Assert.False(SecretHash.Matches(other, hash));
        Assert.False(SecretHash.Matches([], hash));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a")]
    [InlineData("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad00")]
    [InlineData("zz7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("' OR '1'='1")]
    public void Matches_IsFalseForAMalformedStoredHash(string? storedHash)
    {
        Assert.False(SecretHash.Matches(Encoding.ASCII.GetBytes("abc"), storedHash));
    }

    [Fact]
    public void Base64Url_RoundTripsWithoutPadding()
    {
        var secret = SecretHash.NewSecret();

        var text = SecretHash.ToBase64Url(secret);

        Assert.Equal(43, text.Length);
        Assert.DoesNotContain('=', text);
        Assert.True(SecretHash.TryFromBase64Url(text, out var decoded));
        Assert.Equal(secret, decoded);
    }

    [Theory]
    [InlineData("AAAA=")]
    [InlineData("AA==")]
    [InlineData("A+/A")]
    [InlineData("AA AA")]
    [InlineData("AAAA\n")]
    [InlineData("A")]
    [InlineData("AB")] // one byte, but the unused bits are not zero: not the canonical spelling
    public void TryFromBase64Url_RefusesAnythingButCanonicalUnpaddedBase64Url(string text)
    {
        Assert.False(SecretHash.TryFromBase64Url(text, out _));
    }

    [Fact]
    public void TryFromBase64Url_AcceptsTheUrlSafeAlphabet()
    {
        Assert.True(SecretHash.TryFromBase64Url("-_8", out var bytes));
        Assert.Equal(new byte[] { 0xFB, 0xFF }, bytes);
    }

    [Fact]
    public void HexSecret_RoundTripsAs64LowercaseDigits()
    {
        var secret = SecretHash.NewSecret();

        var text = SecretHash.ToHexSecret(secret);

        Assert.Matches("^[0-9a-f]{64}$", text);
        Assert.True(SecretHash.TryParseHexSecret(text, out var parsed));
        Assert.Equal(secret, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("00112233445566778899aabbccddeeff00112233445566778899aabbccddeef")]
    [InlineData("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff0")]
    [InlineData("00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF")]
    [InlineData("00112233445566778899aabbccddeeff00112233445566778899aabbccddeefg")]
    [InlineData(" 0112233445566778899aabbccddeeff00112233445566778899aabbccddeeff")]
    public void TryParseHexSecret_RefusesAnythingBut64LowercaseHexDigits(string text)
    {
        Assert.False(SecretHash.TryParseHexSecret(text, out _));
    }
}
