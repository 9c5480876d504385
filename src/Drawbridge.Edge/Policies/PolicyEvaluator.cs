namespace Drawbridge.Edge.Policies;

/// <summary>
/// Decides whether a subject may reach an app, from the app's policies alone: a pure function,
/// so the edge, the live re-evaluation of open connections and <c>drawbridge policy test</c>
/// all get the same answer. The order mirrors Cloudflare Access ("Bypass and Service Auth
/// policies are evaluated first … Then, Block and Allow policies are evaluated based on their
/// order"; "once a user matches an Allow or Block policy, evaluation stops"):
/// <list type="number">
/// <item>Bypass and service-auth policies, by precedence. The first that matches admits.
/// Bypass matches anyone (user, token or anonymous); service-auth matches service tokens only.</item>
/// <item>A service token or an anonymous client that no phase-1 policy admitted is denied:
/// allow and deny policies are for signed-in users (Cloudflare prompts for an IdP login instead).</item>
/// <item>Allow and deny policies, by precedence; at equal precedence deny goes first. The first
/// that matches decides, so a deny above an allow beats it and an allow above a deny wins.</item>
/// <item>Nothing matched: denied (deny by default).</item>
/// </list>
/// Equal precedence within a phase otherwise keeps the list's order.
/// </summary>
internal static class PolicyEvaluator
{
    /// <summary>
    /// Evaluates <paramref name="policies"/> (all of one app; any order) for <paramref name="subject"/>.
    /// Throws <see cref="ArgumentException"/> if the policies belong to more than one app (a wiring bug).
    /// </summary>
    public static PolicyDecision Evaluate(IReadOnlyList<Policy> policies, AccessSubject subject) => Evaluate(new PolicySet(policies), subject);

    /// <summary>Evaluates an app's policies put in order beforehand (a configuration snapshot does it once per app, not per connection).</summary>
    public static PolicyDecision Evaluate(PolicySet ordered, AccessSubject subject)
    {
        ArgumentNullException.ThrowIfNull(ordered);
        ArgumentNullException.ThrowIfNull(subject);
        string? app = ordered.App;

        // 1. Bypass and service-auth first: they admit without looking at allow or deny.
        foreach (PolicyDecision admits in ordered.Admitting)
        {
            Policy policy = admits.DecidedBy!;
            bool applies = policy.Action == PolicyAction.Bypass || subject.IsServiceToken;
            if (applies && policy.RulesMatch(subject))
            {
                return admits;
            }
        }

        // 2. Machines and anonymous clients stop here: allow and deny speak about users.
        string where = app is null ? "" : $" of app {app}";
        if (subject.IsServiceToken)
        {
            return new PolicyDecision(false, null, $"denied: no service-auth policy{where} admits {subject.Describe()}");
        }

        if (subject.IsAnonymous)
        {
            return new PolicyDecision(false, null, $"denied: no bypass policy{where} admits {subject.Describe()}: sign in or present a service token");
        }

        // 3. Allow and deny: the first match decides.
        foreach (PolicyDecision decides in ordered.Deciding)
        {
            if (decides.DecidedBy!.RulesMatch(subject))
            {
                return decides;
            }
        }

        // 4. Deny by default.
        return new PolicyDecision(false, null, app is null
            ? $"denied: the app has no policies, so nobody is admitted ({subject.Describe()} included)"
            : $"denied: no policy{where} admits {subject.Describe()}");
    }
}
