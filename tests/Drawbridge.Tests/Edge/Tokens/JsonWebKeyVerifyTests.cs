using System.Security.Cryptography;
using System.Text;
using Drawbridge.Edge.Tokens;

namespace Drawbridge.Tests.Edge.Tokens;

/// <summary>
/// <see cref="JsonWebKey.Verify"/> reuses crypto objects from a per-key pool: many threads at
/// once must each get their own answer, a bad signature must never leave a verifier that says
/// yes, and RSA keys go through the same pool.
/// </summary>
public sealed class JsonWebKeyVerifyTests
{
    private static readonly byte[] Data = Encoding.ASCII.GetBytes("header.payload");

    [Fact]
    public async Task ManyThreadsAtOnce_GoodSignaturesPass_AndAlteredOnesFail()
    {
        using ECDsa signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        JsonWebKey key = JsonWebKey.FromECDsa(signer, "k1", "ES256");
        byte[] good = signer.SignData(Data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        byte[] bad = (byte[])good.Clone();
        bad[10] ^= 0x01;

        bool[][] results = await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(() =>
            Enumerable.Range(0, 200).Select(i =>
                (i + worker) % 2 == 0 == key.Verify(Data, (i + worker) % 2 == 0 ? good : bad, HashAlgorithmName.SHA256, padding: null)).ToArray())));

        Assert.All(results.SelectMany(r => r), Assert.True);
    }

    [Fact]
    public void AfterABadSignature_TheSameKeyStillVerifiesAndRefusesCorrectly()
    {
        using ECDsa signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        JsonWebKey key = JsonWebKey.FromECDsa(signer);
        byte[] good = signer.SignData(Data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

        Assert.False(key.Verify(Data, new byte[64], HashAlgorithmName.SHA256, padding: null));
        Assert.True(key.Verify(Data, good, HashAlgorithmName.SHA256, padding: null));
        Assert.False(key.Verify(Encoding.ASCII.GetBytes("header.other"), good, HashAlgorithmName.SHA256, padding: null));
    }

    [Fact]
    public void RsaKeys_UseTheSamePool_WithTheirPadding()
    {
        using RSA signer = RSA.Create(2048);
        JsonWebKey key = JsonWebKey.FromRsa(signer, "r1", "PS256");
        byte[] pss = signer.SignData(Data, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);

        for (int i = 0; i < 3; i++)
        {
            Assert.True(key.Verify(Data, pss, HashAlgorithmName.SHA256, RSASignaturePadding.Pss));
            Assert.False(key.Verify(Data, pss, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        }
    }
}
