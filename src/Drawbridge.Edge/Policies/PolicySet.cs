namespace Drawbridge.Edge.Policies;

/// <summary>
/// One app's policies in the order <see cref="PolicyEvaluator"/> reads them, each as the decision
/// its match gives (the policy is its <see cref="PolicyDecision.DecidedBy"/>): worked out once
/// when a configuration snapshot is built, not per connection.
/// Throws <see cref="ArgumentException"/> if the policies belong to more than one app (a wiring bug).
/// </summary>
internal sealed class PolicySet
{
    public PolicySet(IReadOnlyList<Policy> policies)
    {
        ArgumentNullException.ThrowIfNull(policies);
        App = policies.Count > 0 ? policies[0].AppHostname : null;
        if (policies.Any(p => p.AppHostname != App))
        {
            throw new ArgumentException("policies of more than one app were evaluated together", nameof(policies));
        }

        // Phase 1: bypass and service-auth. Phase 3: deny and allow, deny first at equal precedence.
        Admitting = [.. InOrder(policies, PolicyAction.Bypass, PolicyAction.ServiceAuth).Select(p =>
            new PolicyDecision(true, p, $"allowed by {PolicyActionNames.ToName(p.Action)} policy '{p.Name}' (precedence {p.Precedence})"))];
        Deciding = [.. InOrder(policies, PolicyAction.Deny, PolicyAction.Allow).Select(p =>
        {
            bool allowed = p.Action == PolicyAction.Allow;
            return new PolicyDecision(allowed, p, $"{(allowed ? "allowed" : "denied")} by policy '{p.Name}' (precedence {p.Precedence})");
        })];
    }

    /// <summary>The app of every policy; null when there are none.</summary>
    public string? App { get; }

    /// <summary>Bypass and service-auth policies, in evaluation order.</summary>
    public PolicyDecision[] Admitting { get; }

    /// <summary>Deny and allow policies, in evaluation order.</summary>
    public PolicyDecision[] Deciding { get; }

    /// <summary>The policies with one of two actions, by precedence; at equal precedence <paramref name="first"/>'s go first, then list order (a stable sort).</summary>
    private static IEnumerable<Policy> InOrder(IReadOnlyList<Policy> policies, PolicyAction first, PolicyAction second) =>
        policies
            .Where(p => p.Action == first || p.Action == second)
            .OrderBy(p => p.Precedence)
            .ThenBy(p => p.Action == first ? 0 : 1);
}
