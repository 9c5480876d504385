using System.Text;
using Drawbridge.Edge.Storage;

namespace Drawbridge.Edge.Policies;

/// <summary>
/// One rule of an application (a hostname): an action and three selector lists. It matches a
/// subject when ANY <see cref="Include"/> selector matches, ALL <see cref="Require"/> selectors
/// match and NO <see cref="Exclude"/> selector matches. <see cref="Precedence"/> orders policies
/// within their phase, lowest first (POLICIES.md).
/// <para>
/// The constructor refuses a policy that could never do what its action says, with a
/// <see cref="PolicyFormatException"/> naming the field:
/// every policy needs an include (as in Cloudflare Access);
/// bypass admits without sign-in, so it may only use <c>everyone</c> and <c>ip:</c> (Cloudflare
/// refuses identity selectors in Bypass too);
/// service-auth includes only <c>service-token:</c> selectors and may narrow them with
/// <c>ip:</c>; allow and deny never use <c>service-token:</c> (Cloudflare's Service Token
/// selector "requires the Service Auth action": a token is never admitted by Allow);
/// and no policy excludes <c>everyone</c>, which would make it match nobody.
/// </para>
/// The selector lists are copied, so the record is immutable; equality compares them item by item.
/// </summary>
internal sealed record Policy
{
    /// <summary>As the store (<c>MaxSelectorsPerList</c>): a longer list of people belongs in an IdP group. Bounds evaluation cost.</summary>
    public const int MaxSelectorsPerRule = 100;

    /// <summary>As the store (<c>MaxPrecedence</c>): room to insert policies between others of a long list.</summary>
    public const int MaxPrecedence = 10_000;

    public Policy(Guid id, string appHostname, string name, PolicyAction action, int precedence, IReadOnlyList<Selector> include, IReadOnlyList<Selector> require, IReadOnlyList<Selector> exclude)
    {
        Id = id;
        AppHostname = RouteHostname.TryNormalize(appHostname, out var hostname, out var problem)
            ? hostname
            : throw new PolicyFormatException($"app: {problem}");
        Name = CheckName(name);
        Action = Enum.IsDefined(action) ? action : throw new PolicyFormatException($"action: {(int)action} is not a policy action: use one of {PolicyActionNames.AllowedForms}");
        Precedence = precedence is >= 1 and <= MaxPrecedence
            ? precedence
            : throw new PolicyFormatException($"precedence: is {precedence}: use 1 to {MaxPrecedence} (1 is evaluated first)");
        Include = Copy(include, "include");
        Require = Copy(require, "require");
        Exclude = Copy(exclude, "exclude");
        CheckSelectorsFitAction();
    }

    public Guid Id { get; }

    /// <summary>The application's hostname, lowercase (the <see cref="RouteHostname"/> rule).</summary>
    public string AppHostname { get; }

    /// <summary>A label for people and logs: the store's name rule (1–100 printable characters).</summary>
    public string Name { get; }

    public PolicyAction Action { get; }

    /// <summary>1 to <see cref="MaxPrecedence"/>; lower runs first within the policy's phase.</summary>
    public int Precedence { get; }

    /// <summary>Any of these (at least one).</summary>
    public IReadOnlyList<Selector> Include { get; }

    /// <summary>All of these.</summary>
    public IReadOnlyList<Selector> Require { get; }

    /// <summary>None of these.</summary>
    public IReadOnlyList<Selector> Exclude { get; }

    /// <summary>Whether the rules admit <paramref name="subject"/>: any include, all requires, no exclude. Ignores the action.</summary>
    public bool RulesMatch(AccessSubject subject) =>
        Include.Any(s => s.Matches(subject)) && Require.All(s => s.Matches(subject)) && !Exclude.Any(s => s.Matches(subject));

    public bool Equals(Policy? other) =>
        other is not null
        && Id == other.Id
        && AppHostname == other.AppHostname
        && Name == other.Name
        && Action == other.Action
        && Precedence == other.Precedence
        && Include.SequenceEqual(other.Include)
        && Require.SequenceEqual(other.Require)
        && Exclude.SequenceEqual(other.Exclude);

    public override int GetHashCode() => HashCode.Combine(Id, AppHostname, Name, Action, Precedence, Include.Count, Require.Count, Exclude.Count);

    /// <summary>The policy in the CLI's words, for test output and debugging.</summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Id = {Id}, AppHostname = {AppHostname}, Name = {Name}, Action = {PolicyActionNames.ToName(Action)}, Precedence = {Precedence}");
        builder.Append($", Include = [{string.Join(", ", Include)}], Require = [{string.Join(", ", Require)}], Exclude = [{string.Join(", ", Exclude)}]");
        return true;
    }

    private static string CheckName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new PolicyFormatException("name: is empty: give the policy a name such as \"engineers\"");
        }

        if (name.Length > StoreInputRules.MaxNameLength)
        {
            throw new PolicyFormatException($"name: is {name.Length} characters long: at most {StoreInputRules.MaxNameLength}");
        }

        if (PolicyText.HasUnprintable(name))
        {
            throw new PolicyFormatException("name: contains control or invisible characters (newlines, escapes, bidi overrides): use printable text");
        }

        if (name.Trim().Length != name.Length)
        {
            throw new PolicyFormatException("name: starts or ends with spaces: remove them");
        }

        return name;
    }

    private static Selector[] Copy(IReadOnlyList<Selector>? selectors, string field)
    {
        if (selectors is null)
        {
            throw new PolicyFormatException($"{field}: is missing: pass an empty list for none");
        }

        if (selectors.Count > MaxSelectorsPerRule)
        {
            throw new PolicyFormatException($"{field}: has {selectors.Count} selectors: at most {MaxSelectorsPerRule} (put long lists of people in an identity-provider group)");
        }

        var copy = selectors.ToArray();
        if (copy.Any(s => s is null))
        {
            throw new PolicyFormatException($"{field}: contains a missing (null) selector");
        }

        return copy;
    }

    private void CheckSelectorsFitAction()
    {
        string action = PolicyActionNames.ToName(Action);
        if (Include.Count == 0)
        {
            string example = Action == PolicyAction.ServiceAuth ? "--include service-token:ci" : "--include everyone";
            throw new PolicyFormatException($"include: is empty: every policy needs at least one include, such as {example}");
        }

        if (Exclude.FirstOrDefault(s => s.Kind == SelectorKind.Everyone) is not null)
        {
            throw new PolicyFormatException("exclude: everyone excludes every subject, so the policy could never match: remove it or delete the policy");
        }

        foreach (var (field, selectors) in new[] { ("include", Include), ("require", Require), ("exclude", Exclude) })
        {
            foreach (var selector in selectors)
            {
                string problem = Action switch
                {
                    PolicyAction.Allow or PolicyAction.Deny when selector.Kind == SelectorKind.ServiceToken =>
                        $"{action} policies apply to signed-in users and never see service tokens: put {selector} in a service-auth policy",
                    PolicyAction.Bypass when selector.Kind is not (SelectorKind.Everyone or SelectorKind.IpRange) =>
                        $"bypass admits without sign-in, so it can only test everyone and ip: ranges; {selector} needs an allow or service-auth policy",
                    PolicyAction.ServiceAuth when field == "include" && selector.Kind != SelectorKind.ServiceToken =>
                        $"a service-auth policy includes the service tokens it admits (service-token:NAME); narrow them with --require ip:RANGE",
                    PolicyAction.ServiceAuth when selector.Kind is not (SelectorKind.ServiceToken or SelectorKind.IpRange) =>
                        $"a service-auth policy admits service tokens, which have no {Selector.KindName(selector.Kind)}: use service-token: and ip: selectors",
                    _ => "",
                };
                if (problem.Length > 0)
                {
                    throw new PolicyFormatException($"{field}: {problem}");
                }
            }
        }
    }
}
