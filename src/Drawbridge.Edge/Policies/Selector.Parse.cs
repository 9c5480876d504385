using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Drawbridge.Edge.Storage;

namespace Drawbridge.Edge.Policies;

/// <summary>Reading and checking the <c>kind:value</c> form.</summary>
internal sealed partial record Selector
{
    public const string AllowedForms =
        "everyone, email:alice@example.com, email-domain:example.com, group:eng, login-method:otp, ip:10.0.0.0/8, service-token:ci";

    /// <summary>RFC 5321 §4.5.3.1.3: a path is at most 256 octets including its angle brackets.</summary>
    public const int MaxEmailLength = 254;

    /// <summary>RFC 5321 §4.5.3.1.1.</summary>
    public const int MaxLocalPartLength = 64;

    /// <summary>RFC 1035 §2.3.4, as <see cref="RouteHostname"/>.</summary>
    public const int MaxDomainLength = RouteHostname.MaxLength;

    /// <summary>The longest group a session keeps (the store's <c>MaxGroupLength</c>, 256): a longer selector could never match.</summary>
    public const int MaxGroupLength = 256;

    /// <summary>Method ids are short words (<c>otp</c>, <c>okta</c>, <c>github</c>).</summary>
    public const int MaxLoginMethodLength = 64;

    /// <summary>A token's name obeys the store's name rule; a client id (<c>&lt;32 hex&gt;.access</c>) is 39 characters.</summary>
    public const int MaxServiceTokenLength = StoreInputRules.MaxNameLength;

    /// <summary>The longest selector the store keeps (its <c>MaxSelectorLength</c>, 1024); longer input is refused before it is looked at.</summary>
    public const int MaxLength = 1024;

    private const string EveryoneName = "everyone";

    /// <summary>
    /// Reads <c>everyone</c> or <c>kind:value</c> (kind in any ASCII case), or throws a
    /// <see cref="PolicyFormatException"/> saying what is wrong and listing <see cref="AllowedForms"/>.
    /// </summary>
    public static Selector Parse(string? text)
    {
        if (TryParse(text, out var selector, out var problem))
        {
            return selector;
        }

        throw new PolicyFormatException(Problem(text ?? "", problem));
    }

    /// <summary>As <see cref="Parse"/>, returning the problem (without the allowed forms) instead of throwing.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out Selector? selector, out string problem)
    {
        selector = null;
        problem = CheckText(text);
        if (problem.Length > 0)
        {
            return false;
        }

        int colon = text!.IndexOf(':', StringComparison.Ordinal);
        string kindName = colon < 0 ? text : text[..colon];
        if (!TryParseKind(kindName, out var kind))
        {
            problem = colon < 0
                ? "is not a selector: write kind:value"
                : $"has an unknown kind \"{PolicyText.Shown(kindName)}\"";
            return false;
        }

        if (kind == SelectorKind.Everyone)
        {
            if (colon >= 0)
            {
                problem = "everyone takes no value: write just everyone";
                return false;
            }

            selector = Everyone;
            return true;
        }

        if (colon < 0)
        {
            problem = $"has no value: write {KindName(kind)}:value";
            return false;
        }

        return TryCreate(kind, text[(colon + 1)..], out selector, out problem);
    }

    public static string KindName(SelectorKind kind) => kind switch
    {
        SelectorKind.Everyone => EveryoneName,
        SelectorKind.Email => "email",
        SelectorKind.EmailDomain => "email-domain",
        SelectorKind.Group => "group",
        SelectorKind.LoginMethod => "login-method",
        SelectorKind.IpRange => "ip",
        SelectorKind.ServiceToken => "service-token",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a selector kind"),
    };

    private static bool TryParseKind(string name, out SelectorKind kind)
    {
        foreach (var candidate in Enum.GetValues<SelectorKind>())
        {
            if (PolicyText.EqualsAsciiIgnoreCase(KindName(candidate), name))
            {
                kind = candidate;
                return true;
            }
        }

        kind = default;
        return false;
    }

    private static string Problem(string text, string problem) =>
        $"selector \"{PolicyText.Shown(text)}\" {problem}. Allowed forms: {AllowedForms}";

    private static string CheckText(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "is empty";
        }

        if (text.Length > MaxLength)
        {
            return $"is {text.Length} characters long: at most {MaxLength}";
        }

        if (PolicyText.HasUnprintable(text))
        {
            return "contains control or invisible characters (newlines, escapes, bidi overrides): use printable text";
        }

        if (text.Trim().Length != text.Length)
        {
            return "starts or ends with spaces: remove them";
        }

        return "";
    }

    private static bool TryCreate(SelectorKind kind, string value, [NotNullWhen(true)] out Selector? selector, out string problem)
    {
        selector = null;
        problem = CheckValue(kind, value);
        if (problem.Length > 0)
        {
            return false;
        }

        IPNetwork? network = null;
        string canonical;
        switch (kind)
        {
            case SelectorKind.Everyone:
                selector = Everyone;
                return true;
            case SelectorKind.IpRange:
                if (!TryParseNetwork(value, out var parsed, out problem))
                {
                    return false;
                }

                network = parsed;
                canonical = parsed.ToString();
                break;
            case SelectorKind.EmailDomain:
                canonical = PolicyText.ToLowerAscii(value.StartsWith('@') ? value[1..] : value);
                break;
            case SelectorKind.Email or SelectorKind.LoginMethod:
                canonical = PolicyText.ToLowerAscii(value);
                break;
            default:
                canonical = value;
                break;
        }

        selector = new Selector(kind, canonical, network);
        return true;
    }

    private static string CheckValue(SelectorKind kind, string value)
    {
        if (kind == SelectorKind.Everyone)
        {
            return value.Length == 0 ? "" : "everyone takes no value: write just everyone";
        }

        if (value.Length == 0)
        {
            return $"has no value after \"{KindName(kind)}:\"";
        }

        // Factories get here without CheckText, so the general rules are repeated for the value.
        if (value.Length > MaxLength)
        {
            return $"has a value of {value.Length} characters: at most {MaxLength}";
        }

        if (PolicyText.HasUnprintable(value))
        {
            return "contains control or invisible characters (newlines, escapes, bidi overrides): use printable text";
        }

        if (value.Trim().Length != value.Length)
        {
            return "has spaces around its value: remove them";
        }

        return kind switch
        {
            SelectorKind.Email => CheckEmail(value),
            SelectorKind.EmailDomain => CheckDomain(value.StartsWith('@') ? value[1..] : value, "e-mail domain"),
            SelectorKind.Group => value.Length > MaxGroupLength ? $"has a group name of {value.Length} characters: at most {MaxGroupLength}" : "",
            SelectorKind.LoginMethod => CheckLoginMethod(value),
            SelectorKind.ServiceToken => value.Length > MaxServiceTokenLength
                ? $"has a token name of {value.Length} characters: at most {MaxServiceTokenLength}"
                : "",
            _ => "",
        };
    }

    private static string CheckEmail(string value)
    {
        if (value.Length > MaxEmailLength)
        {
            return $"has an e-mail address of {value.Length} characters: at most {MaxEmailLength}";
        }

        int at = value.IndexOf('@', StringComparison.Ordinal);
        if (at < 0 || at != value.LastIndexOf('@'))
        {
            return "is not one e-mail address: expected exactly one '@', as in alice@example.com";
        }

        if (at == 0 || at > MaxLocalPartLength)
        {
            return $"has a part before '@' of {at} characters: 1 to {MaxLocalPartLength}";
        }

        if (value.Any(char.IsWhiteSpace))
        {
            return "has spaces in the e-mail address";
        }

        return CheckDomain(value[(at + 1)..], "e-mail domain");
    }

    /// <summary>
    /// A domain as an IdP puts it in an address: dot-separated labels of letters (any script),
    /// digits and inner hyphens. Wildcards are refused with a word on why: matching is exact.
    /// </summary>
    private static string CheckDomain(string domain, string what)
    {
        if (domain.StartsWith("*.", StringComparison.Ordinal))
        {
            return $"has a wildcard: an {what} matches exactly, without subdomains; add one selector per domain";
        }

        if (domain.Length == 0 || domain.Length > MaxDomainLength)
        {
            return $"has an {what} of {domain.Length} characters: 1 to {MaxDomainLength}";
        }

        foreach (var label in domain.Split('.'))
        {
            if (label.Length == 0)
            {
                return $"has an {what} with an empty label: no leading, trailing or doubled dots";
            }

            if (label.Length > RouteHostname.MaxLabelLength)
            {
                return $"has an {what} with a label of {label.Length} characters: at most {RouteHostname.MaxLabelLength} between dots";
            }

            if (!label.All(c => char.IsLetterOrDigit(c) || c == '-' || char.IsSurrogate(c)) || label[0] == '-' || label[^1] == '-')
            {
                return $"has an {what} with characters other than letters, digits, inner '-' and '.'";
            }
        }

        return "";
    }

    private static string CheckLoginMethod(string value)
    {
        if (value.Length > MaxLoginMethodLength)
        {
            return $"has a login method of {value.Length} characters: at most {MaxLoginMethodLength}";
        }

        return value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? ""
            : "has a login method with characters other than a-z, 0-9, '-', '_' and '.': use the method's id, such as otp or okta";
    }

    /// <summary>
    /// A CIDR range, parsed strictly: IPv4 as four decimal octets without leading zeros (the
    /// platform parser reads "010.0.0.1" as octal 8.0.0.1 and "10.1" as 10.0.0.1), IPv6 without
    /// a zone. Host bits below the prefix are cleared, as Cloudflare's own example
    /// <c>192.168.100.1/24</c> implies; <see cref="ToString"/> shows the range that results.
    /// </summary>
    private static bool TryParseNetwork(string text, out IPNetwork network, out string problem)
    {
        network = default;
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        string addressText = slash < 0 ? text : text[..slash];
        if (!TryParseAddress(addressText, out var address, out problem))
        {
            return false;
        }

        int maxPrefix = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        int prefix = maxPrefix;
        if (slash >= 0)
        {
            string prefixText = text[(slash + 1)..];
            if (!IsPlainNumber(prefixText, maxLength: 3)
                || !int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out prefix)
                || prefix > maxPrefix)
            {
                problem = $"has a prefix length \"/{PolicyText.Shown(prefixText)}\" that is not a number from 0 to {maxPrefix}";
                return false;
            }
        }

        byte[] bytes = address.GetAddressBytes();
        for (int bit = prefix; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        network = new IPNetwork(new IPAddress(bytes), prefix);
        return true;
    }

    private static bool TryParseAddress(string text, [NotNullWhen(true)] out IPAddress? address, out string problem)
    {
        address = null;
        problem = "";
        if (text.Contains(':', StringComparison.Ordinal))
        {
            if (text.Contains('%', StringComparison.Ordinal) || text.Contains('[', StringComparison.Ordinal)
                || !IPAddress.TryParse(text, out address) || address.AddressFamily != AddressFamily.InterNetworkV6)
            {
                problem = $"has \"{PolicyText.Shown(text)}\", which is not an IPv6 address (no zone, no brackets)";
                address = null;
                return false;
            }

            if (address.IsIPv4MappedToIPv6)
            {
                problem = $"has the IPv4-mapped address \"{PolicyText.Shown(text)}\": write the IPv4 range, such as ip:10.0.0.0/8 (mapped clients match it)";
                address = null;
                return false;
            }

            return true;
        }

        string[] octets = text.Split('.');
        if (octets.Length != 4 || !octets.All(o => IsPlainNumber(o, maxLength: 3) && int.Parse(o, CultureInfo.InvariantCulture) <= 255))
        {
            problem = $"has \"{PolicyText.Shown(text)}\", which is not an IPv4 address of four decimal numbers 0-255 without leading zeros";
            return false;
        }

        address = IPAddress.Parse(text);
        return true;
    }

    /// <summary>ASCII digits, no sign, no leading zero (octal look-alike), at most <paramref name="maxLength"/> of them.</summary>
    private static bool IsPlainNumber(string text, int maxLength) =>
        text.Length is > 0 && text.Length <= maxLength && text.All(char.IsAsciiDigit) && (text.Length == 1 || text[0] != '0');
}
