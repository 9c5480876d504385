namespace Drawbridge.Connector.Ingress;

/// <summary>
/// The connector's ingress rules in order; the first match wins and the last rule is a
/// catch-all. The connector dials only the origins named here (DESIGN.md: a compromised edge
/// cannot reach arbitrary hosts behind it).
/// </summary>
internal sealed class IngressRules
{
    public IngressRules(IReadOnlyList<IngressRule> rules)
    {
        if (rules.Count == 0 || rules[^1].Hostname is not null)
        {
            throw new FormatException("the last ingress rule must be a catch-all (a rule without hostname, e.g. `- service: reject`)");
        }

        for (int i = 0; i < rules.Count - 1; i++)
        {
            if (rules[i].Hostname is null)
            {
                throw new FormatException($"ingress rule {i + 1} has no hostname, so it matches everything and the rules after it can never match; only the last rule may be a catch-all");
            }
        }

        Rules = rules;
    }

    public IReadOnlyList<IngressRule> Rules { get; }

    /// <summary>One origin for every hostname (the quick form <c>--url</c>).</summary>
    public static IngressRules Single(IngressService service) => new([new IngressRule(null, service)]);

    /// <summary>The rule for <paramref name="hostname"/> and its 1-based position.</summary>
    public (IngressRule Rule, int Index) Match(string hostname)
    {
        for (int i = 0; i < Rules.Count; i++)
        {
            if (Rules[i].Matches(hostname))
            {
                return (Rules[i], i + 1);
            }
        }

        return (Rules[^1], Rules.Count); // unreachable: the last rule is a catch-all
    }
}
