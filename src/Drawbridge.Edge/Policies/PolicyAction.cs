namespace Drawbridge.Edge.Policies;

/// <summary>
/// What a policy does when its rules match. The evaluation order depends on it: bypass and
/// service-auth policies run before allow and deny ones (POLICIES.md, "Order of evaluation").
/// </summary>
internal enum PolicyAction
{
    /// <summary>Admits a signed-in user. Never matches a service token or an anonymous client.</summary>
    Allow,

    /// <summary>Refuses a signed-in user; Cloudflare Access calls it Block.</summary>
    Deny,

    /// <summary>Admits anyone, signed in or not, so it may only test <c>everyone</c> and <c>ip:</c>.</summary>
    Bypass,

    /// <summary>Admits a service token (machines, no browser). Never matches a user.</summary>
    ServiceAuth,
}
