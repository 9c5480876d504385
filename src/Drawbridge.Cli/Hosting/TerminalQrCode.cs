using QRCoder;

namespace Drawbridge.Cli.Hosting;

/// <summary>A QR code drawn with block characters, so a phone can open the sign-in URL (cloudflared#615).</summary>
internal static class TerminalQrCode
{
    public static string Render(string text)
    {
        using var generator = new QRCodeGenerator();
        using QRCodeData data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.L);
        using var code = new AsciiQRCode(data);
        return code.GetGraphicSmall();
    }
}
