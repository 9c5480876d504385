namespace Drawbridge.Edge.Storage;

/// <summary>
/// One policy of an <see cref="App"/>, as stored. The store checks shapes and sizes but does not
/// interpret the rules: each selector is an opaque string that the policy code parses, so a new
/// kind of selector needs no schema change.
/// </summary>
/// <param name="Action">One of <see cref="StoreInputRules.PolicyActions"/>.</param>
/// <param name="Precedence">1–10000, unique within the app; lower is evaluated first.</param>
/// <param name="Include">Selectors of which any one must match (1–1024 characters each, at most 100).</param>
/// <param name="Require">Selectors that must all match.</param>
/// <param name="Exclude">Selectors of which none may match.</param>
internal sealed record StoredPolicy(
    Guid Id,
    string AppHostname,
    string Name,
    string Action,
    int Precedence,
    IReadOnlyList<string> Include,
    IReadOnlyList<string> Require,
    IReadOnlyList<string> Exclude,
    DateTimeOffset CreatedAt)
{
    /// <summary>Equal when every field is, the selector lists element by element (a record would compare the list references).</summary>
    public bool Equals(StoredPolicy? other) =>
        other is not null
        && Id == other.Id
        && AppHostname == other.AppHostname
        && Name == other.Name
        && Action == other.Action
        && Precedence == other.Precedence
        && Include.SequenceEqual(other.Include)
        && Require.SequenceEqual(other.Require)
        && Exclude.SequenceEqual(other.Exclude)
        && CreatedAt == other.CreatedAt;

    public override int GetHashCode() => HashCode.Combine(Id, AppHostname, Name, Action, Precedence, CreatedAt);
}
