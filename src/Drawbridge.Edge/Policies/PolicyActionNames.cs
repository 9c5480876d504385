namespace Drawbridge.Edge.Policies;

/// <summary>
/// The spelling of a <see cref="PolicyAction"/> on the command line, in the admin API and in the
/// store: <c>allow</c>, <c>deny</c>, <c>bypass</c>, <c>service-auth</c>.
/// </summary>
internal static class PolicyActionNames
{
    public const string AllowedForms = "allow, deny, bypass, service-auth";

    public static string ToName(PolicyAction action) => action switch
    {
        PolicyAction.Allow => "allow",
        PolicyAction.Deny => "deny",
        PolicyAction.Bypass => "bypass",
        PolicyAction.ServiceAuth => "service-auth",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, "not a policy action"),
    };

    /// <summary>The action named <paramref name="name"/> (ASCII case ignored), or a <see cref="PolicyFormatException"/> listing the four.</summary>
    public static PolicyAction Parse(string? name)
    {
        if (TryParse(name, out var action))
        {
            return action;
        }

        string shown = string.IsNullOrEmpty(name) ? "(empty)" : $"\"{PolicyText.Shown(name)}\"";
        throw new PolicyFormatException($"action: {shown} is not a policy action: use one of {AllowedForms}");
    }

    public static bool TryParse(string? name, out PolicyAction action)
    {
        foreach (var candidate in Enum.GetValues<PolicyAction>())
        {
            if (PolicyText.EqualsAsciiIgnoreCase(ToName(candidate), name))
            {
                action = candidate;
                return true;
            }
        }

        action = default;
        return false;
    }
}
