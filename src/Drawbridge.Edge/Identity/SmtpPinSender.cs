using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Drawbridge.Edge.Identity;

/// <summary>E-mails PINs through the operator's SMTP server (MailKit).</summary>
internal sealed class SmtpPinSender(SmtpSettings settings, string edgeName) : IPinSender
{
    public async Task SendAsync(string email, string code, CancellationToken cancellationToken)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(settings.From));
        message.To.Add(MailboxAddress.Parse(email));
        message.Subject = $"Your Drawbridge sign-in code: {code}";
        message.Body = new TextPart("plain")
        {
            Text = $"Your one-time code for signing in to {edgeName} is:\n\n    {code}\n\n" +
                   "It works once and expires in 10 minutes. If you did not try to sign in, ignore this message.\n",
        };

        SecureSocketOptions security = settings.Security switch
        {
            "tls" => SecureSocketOptions.SslOnConnect,
            "none" => SecureSocketOptions.None,
            _ => SecureSocketOptions.StartTls,
        };
        using var client = new SmtpClient();
        try
        {
            await client.ConnectAsync(settings.Host, settings.Port, security, cancellationToken);
            if (settings.Username is not null)
            {
                await client.AuthenticateAsync(settings.Username, settings.Password ?? "", cancellationToken);
            }

            await client.SendAsync(message, cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or MailKit.ProtocolException or MailKit.Net.Smtp.SmtpCommandException or MailKit.Security.AuthenticationException)
        {
            throw new SignInException($"the edge could not send the sign-in code: the SMTP server {settings.Host}:{settings.Port} failed ({ex.Message})", ex);
        }
    }
}
