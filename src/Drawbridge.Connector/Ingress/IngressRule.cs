namespace Drawbridge.Connector.Ingress;

/// <summary>One <c>ingress:</c> rule: a hostname pattern (exact, <c>*.example.com</c>, or null for
/// the catch-all) and its service.</summary>
internal sealed record IngressRule(string? Hostname, IngressService Service)
{
    public bool Matches(string hostname)
    {
        if (Hostname is null)
        {
            return true;
        }

        if (Hostname.StartsWith("*.", StringComparison.Ordinal))
        {
            return hostname.EndsWith(Hostname[1..], StringComparison.OrdinalIgnoreCase) && hostname.Length > Hostname.Length - 1;
        }

        return hostname.Equals(Hostname, StringComparison.OrdinalIgnoreCase);
    }

    public override string ToString() => $"{Hostname ?? "(catch-all)"} → {Service}";
}
