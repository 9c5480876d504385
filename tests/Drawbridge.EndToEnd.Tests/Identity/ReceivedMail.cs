namespace Drawbridge.EndToEnd.Tests.Identity;

/// <summary>
/// A message <see cref="SmtpServerFixture"/> accepted, decoded (transfer encodings, charsets,
/// encoded-word headers) by mailparser.
/// </summary>
/// <param name="EnvelopeFrom">The SMTP <c>MAIL FROM</c> address.</param>
/// <param name="EnvelopeTo">The SMTP <c>RCPT TO</c> addresses.</param>
/// <param name="From">The first address in the <c>From</c> header.</param>
/// <param name="To">The addresses in the <c>To</c> headers.</param>
/// <param name="Subject">The decoded subject.</param>
/// <param name="Body">The plain-text body (mailparser derives one from HTML-only messages).</param>
/// <param name="Html">The HTML body, or empty.</param>
/// <param name="AuthenticatedUser">The user name the sender gave with SMTP AUTH, or null without AUTH.</param>
internal sealed record ReceivedMail(
    string EnvelopeFrom,
    IReadOnlyList<string> EnvelopeTo,
    string From,
    IReadOnlyList<string> To,
    string Subject,
    string Body,
    string Html,
    string? AuthenticatedUser)
{
    public override string ToString() =>
        $"from {From} (envelope {EnvelopeFrom}) to {string.Join(", ", To)} (envelope {string.Join(", ", EnvelopeTo)}): " +
        $"\"{Subject}\"\n{Body}";
}
