namespace Drawbridge.Edge.Storage;

/// <summary>Rules for apps, policies and sessions (issue 3: sign-in, per-app policies, revocation).</summary>
internal static partial class StoreInputRules
{
    /// <summary>
    /// The shortest session worth having (a sign-in that lasts less would send people back to
    /// their IdP mid-task) and the longest we let a revoked laptop keep access if nobody
    /// revokes it: Cloudflare Access offers the same one-month ceiling.
    /// </summary>
    public static readonly TimeSpan MinSessionDuration = TimeSpan.FromMinutes(1);

    /// <inheritdoc cref="MinSessionDuration"/>
    public static readonly TimeSpan MaxSessionDuration = TimeSpan.FromDays(30);

    /// <summary>Precedence 1 is evaluated first; 10000 leaves room to insert between policies of a long list.</summary>
    public const int MaxPrecedence = 10_000;

    /// <summary>
    /// A selector is opaque here; 1024 characters holds an e-mail list entry, a group DN or an
    /// IPv6 CIDR with room to spare. 100 per list keeps a policy readable and its evaluation cheap.
    /// </summary>
    public const int MaxSelectorLength = 1024;

    /// <inheritdoc cref="MaxSelectorLength"/>
    public const int MaxSelectorsPerList = 100;

    /// <summary>RFC 5321 §4.5.3.1.3: a path is at most 256 octets including the angle brackets.</summary>
    public const int MaxEmailLength = 254;

    /// <summary>
    /// Groups come from an IdP's claims: 200 covers people in many groups (Entra ID itself stops
    /// putting groups in a token past 200), 256 characters a group's name or DN.
    /// </summary>
    public const int MaxGroups = 200;

    /// <inheritdoc cref="MaxGroups"/>
    public const int MaxGroupLength = 256;

    /// <summary>Long enough for any display name an IdP sends, short enough for a table column.</summary>
    public const int MaxDisplayNameLength = 256;

    /// <summary>A login method is an identifier ("otp", an IdP's configured name).</summary>
    public const int MaxLoginMethodLength = 100;

    /// <summary>An address with port: "[ffff:…:ffff%zone]:65535" is well under 100.</summary>
    public const int MaxClientAddressLength = 100;

    /// <summary>A sentence for the person whose connection is closed.</summary>
    public const int MaxReasonLength = 500;

    /// <summary>The actions a policy can take (DESIGN.md "Identity and access"), as stored.</summary>
    public static IReadOnlyList<string> PolicyActions { get; } = ["allow", "deny", "bypass", "service_auth"];

    /// <summary>
    /// An app's session duration, cut to whole milliseconds (what the store keeps, so the value
    /// returned equals the value read back), within <see cref="MinSessionDuration"/>–<see cref="MaxSessionDuration"/>.
    /// </summary>
    public static TimeSpan SessionDuration(TimeSpan duration)
    {
        var whole = TimeSpan.FromTicks(duration.Ticks - (duration.Ticks % TimeSpan.TicksPerMillisecond));
        if (whole < MinSessionDuration || whole > MaxSessionDuration)
        {
            throw new StoreValidationException(
                $"sessionDuration: is {duration}: expected between 1 minute and 30 days (e.g. 24 hours)");
        }

        return whole;
    }

    public static string PolicyAction(string? action)
    {
        if (action is null || !PolicyActions.Contains(action, StringComparer.Ordinal))
        {
            throw new StoreValidationException(
                $"action: \"{Shown(action ?? "")}\" is not one of {string.Join(", ", PolicyActions)}");
        }

        return action;
    }

    public static int Precedence(int precedence)
    {
        if (precedence is < 1 or > MaxPrecedence)
        {
            throw new StoreValidationException($"precedence: is {precedence}: expected 1–{MaxPrecedence} (lower is evaluated first)");
        }

        return precedence;
    }

    /// <summary>A copy of a selector list (so a caller's later change cannot alter what was validated).</summary>
    public static string[] Selectors(IReadOnlyList<string>? selectors, string field) =>
        TextList(selectors, field, MaxSelectorsPerList, MaxSelectorLength, "selectors");

    /// <summary>An e-mail address in lowercase: local@domain, no spaces or control characters.</summary>
    public static string Email(string? email)
    {
        if (string.IsNullOrEmpty(email))
        {
            throw new StoreValidationException("email: is empty: expected an address such as alice@example.com");
        }

        if (email.Length > MaxEmailLength)
        {
            throw new StoreValidationException($"email: is {email.Length} characters long: at most {MaxEmailLength}");
        }

        int at = email.LastIndexOf('@');
        if (at <= 0 || at == email.Length - 1 || email.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            throw new StoreValidationException($"email: \"{Shown(email)}\" is not an e-mail address: expected local@domain without spaces");
        }

        return email.ToLowerInvariant();
    }

    public static string[] Groups(IReadOnlyList<string>? groups) => TextList(groups, "groups", MaxGroups, MaxGroupLength, "groups");

    /// <summary>A session's expiry: after its creation, normalised to the millisecond the store keeps.</summary>
    public static DateTimeOffset ExpiresAt(DateTimeOffset expiresAt, DateTimeOffset createdAt)
    {
        var stored = Millisecond(expiresAt);
        if (stored <= createdAt)
        {
            throw new StoreValidationException($"expiresAt: {expiresAt:O} is not after the session's creation ({createdAt:O})");
        }

        return stored;
    }

    /// <summary>A time as the store keeps it: UTC, whole milliseconds.</summary>
    public static DateTimeOffset Millisecond(DateTimeOffset time) => DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds());

    private static string[] TextList(IReadOnlyList<string>? values, string field, int maxCount, int maxLength, string noun)
    {
        if (values is null)
        {
            throw new StoreValidationException($"{field}: is missing: pass an empty list for none");
        }

        if (values.Count > maxCount)
        {
            throw new StoreValidationException($"{field}: has {values.Count} {noun}: at most {maxCount}");
        }

        var copy = values.ToArray();
        for (int i = 0; i < copy.Length; i++)
        {
            Text(copy[i], $"{field}[{i}]", maxLength);
        }

        return copy;
    }
}
