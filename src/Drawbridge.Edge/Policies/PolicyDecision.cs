namespace Drawbridge.Edge.Policies;

/// <summary>
/// What <see cref="PolicyEvaluator.Evaluate"/> decided, the policy that decided it (null when
/// no policy matched: access is denied by default) and a sentence saying so, for the audit log
/// and for the user: "allowed by policy 'engineers' (precedence 1)".
/// </summary>
internal sealed record PolicyDecision(bool Allowed, Policy? DecidedBy, string Reason);
