namespace Drawbridge.Edge.Identity;

/// <summary>Where one-time PINs are e-mailed from. Without it the edge shows codes in its own log
/// (a development setting, said loudly).</summary>
internal sealed record SmtpSettings
{
    public required string Host { get; init; }

    /// <summary>587 with STARTTLS by default; 465 with implicit TLS; 25 or a test port with none.</summary>
    public int Port { get; init; } = 587;

    /// <summary><c>starttls</c> (default), <c>tls</c>, or <c>none</c> (only for a server on loopback).</summary>
    public string Security { get; init; } = "starttls";

    public required string From { get; init; }

    public string? Username { get; init; }

    /// <summary>Kept in the owner-only settings file; never logged.</summary>
    public string? Password { get; init; }

    public override string ToString() => $"SmtpSettings {{ Host = {Host}, Port = {Port}, Security = {Security}, From = {From} }}";
}
