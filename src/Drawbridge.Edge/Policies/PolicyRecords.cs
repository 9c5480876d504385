using Drawbridge.Edge.Storage;

namespace Drawbridge.Edge.Policies;

/// <summary>Between the store's opaque policy rows and the evaluator's typed policies.</summary>
internal static class PolicyRecords
{
    /// <summary>The store spells actions with '_' (<c>service_auth</c>), the CLI and API with '-'.</summary>
    public static string ToStoredAction(PolicyAction action) => PolicyActionNames.ToName(action).Replace('-', '_');

    public static PolicyAction FromStoredAction(string action) => PolicyActionNames.Parse(action.Replace('_', '-'));

    /// <summary>A stored policy as the evaluator sees it; a row that no longer parses throws <see cref="PolicyFormatException"/>.</summary>
    public static Policy ToPolicy(StoredPolicy stored) => new(
        stored.Id,
        stored.AppHostname,
        stored.Name,
        FromStoredAction(stored.Action),
        stored.Precedence,
        [.. stored.Include.Select(Selector.Parse)],
        [.. stored.Require.Select(Selector.Parse)],
        [.. stored.Exclude.Select(Selector.Parse)]);
}
