using System.Data.Common;

namespace Drawbridge.Edge.Storage;

internal sealed partial class SqlEdgeStore
{
    private const string PolicyColumns =
        "id, app_hostname, name, action, precedence, include_selectors, require_selectors, exclude_selectors, created_at";

    public async Task<StoredPolicy> AddPolicyAsync(
        string appHostname,
        string name,
        string action,
        int precedence,
        IReadOnlyList<string> include,
        IReadOnlyList<string> require,
        IReadOnlyList<string> exclude,
        CancellationToken cancellationToken)
    {
        var normalized = RouteHostname.Normalize(appHostname);
        var policy = new StoredPolicy(
            Guid.NewGuid(),
            normalized,
            StoreInputRules.Name(name),
            StoreInputRules.PolicyAction(action),
            StoreInputRules.Precedence(precedence),
            StoreInputRules.Selectors(include, "include"),
            StoreInputRules.Selectors(require, "require"),
            StoreInputRules.Selectors(exclude, "exclude"),
            Now());
        return await WriteAsync(
            async (connection, transaction) =>
            {
                if (await GetAppAsync(connection, transaction, normalized, cancellationToken) is null)
                {
                    throw new StoreNotFoundException($"No app for {normalized}: create the app before adding policies to it.");
                }

                await EnsurePrecedenceFreeAsync(connection, transaction, policy, cancellationToken);
                await ExecuteAsync(
                    connection,
                    transaction,
                    $"INSERT INTO policies ({PolicyColumns}) "
                    + "VALUES (@id, @app, @name, @action, @precedence, @include, @require, @exclude, @created);",
                    cancellationToken,
                    PolicyParameters(policy));
                return (policy, true);
            },
            cancellationToken);
    }

    public async Task<IReadOnlyList<StoredPolicy>> ListPoliciesAsync(string? appHostname, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        return appHostname is null
            ? await QueryAsync(
                connection, null, $"SELECT {PolicyColumns} FROM policies ORDER BY app_hostname, precedence;", ReadPolicy, cancellationToken)
            : await QueryAsync(
                connection,
                null,
                $"SELECT {PolicyColumns} FROM policies WHERE app_hostname = @app ORDER BY precedence;",
                ReadPolicy,
                cancellationToken,
                ("@app", RouteHostname.Normalize(appHostname)));
    }

    public async Task<StoredPolicy> UpdatePolicyAsync(
        Guid id,
        string name,
        string action,
        int precedence,
        IReadOnlyList<string> include,
        IReadOnlyList<string> require,
        IReadOnlyList<string> exclude,
        CancellationToken cancellationToken)
    {
        StoreInputRules.Name(name);
        StoreInputRules.PolicyAction(action);
        StoreInputRules.Precedence(precedence);
        var includeCopy = StoreInputRules.Selectors(include, "include");
        var requireCopy = StoreInputRules.Selectors(require, "require");
        var excludeCopy = StoreInputRules.Selectors(exclude, "exclude");
        return await WriteAsync(
            async (connection, transaction) =>
            {
                var existing = await GetPolicyAsync(connection, transaction, id, cancellationToken)
                    ?? throw new StoreNotFoundException($"No policy with id {id}: list the app's policies to find the right id.");
                var policy = existing with
                {
                    Name = name,
                    Action = action,
                    Precedence = precedence,
                    Include = includeCopy,
                    Require = requireCopy,
                    Exclude = excludeCopy,
                };
                await EnsurePrecedenceFreeAsync(connection, transaction, policy, cancellationToken);
                await ExecuteAsync(
                    connection,
                    transaction,
                    "UPDATE policies SET name = @name, action = @action, precedence = @precedence, include_selectors = @include, "
                    + "require_selectors = @require, exclude_selectors = @exclude WHERE id = @id;",
                    cancellationToken,
                    PolicyParameters(policy));
                return (policy, true);
            },
            cancellationToken);
    }

    public Task<bool> DeletePolicyAsync(Guid id, CancellationToken cancellationToken) =>
        WriteAsync(
            async (connection, transaction) =>
            {
                var deleted = await ExecuteCountAsync(connection, transaction, "DELETE FROM policies WHERE id = @id;", cancellationToken, ("@id", id));
                return (deleted > 0, deleted > 0);
            },
            cancellationToken);

    /// <summary>
    /// Precedence orders an app's policies, so two at one precedence would make evaluation order
    /// arbitrary: refuse it, naming the holder (the unique index backs this up).
    /// </summary>
    private static async Task EnsurePrecedenceFreeAsync(
        DbConnection connection, DbTransaction transaction, StoredPolicy policy, CancellationToken cancellationToken)
    {
        var holder = (await QueryAsync(
            connection,
            transaction,
            $"SELECT {PolicyColumns} FROM policies WHERE app_hostname = @app AND precedence = @precedence AND id <> @id;",
            ReadPolicy,
            cancellationToken,
            ("@app", policy.AppHostname),
            ("@precedence", policy.Precedence),
            ("@id", policy.Id))).SingleOrDefault();
        if (holder is not null)
        {
            throw new StoreConflictException(
                $"{policy.AppHostname}: precedence {policy.Precedence} is taken by policy '{holder.Name}' (id {holder.Id}): "
                + "pick another precedence, or move that policy first.");
        }
    }

    private static async Task<StoredPolicy?> GetPolicyAsync(
        DbConnection connection, DbTransaction? transaction, Guid id, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(
            connection, transaction, $"SELECT {PolicyColumns} FROM policies WHERE id = @id;", ReadPolicy, cancellationToken, ("@id", id));
        return rows.SingleOrDefault();
    }

    private static (string Name, object? Value)[] PolicyParameters(StoredPolicy policy) =>
    [
        ("@id", policy.Id),
        ("@app", policy.AppHostname),
        ("@name", policy.Name),
        ("@action", policy.Action),
        ("@precedence", policy.Precedence),
        ("@include", StringListJson.Write(policy.Include)),
        ("@require", StringListJson.Write(policy.Require)),
        ("@exclude", StringListJson.Write(policy.Exclude)),
        ("@created", policy.CreatedAt),
    ];

    private static StoredPolicy ReadPolicy(DbDataReader reader) => new(
        ReadId(reader, 0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetString(3),
        reader.GetInt32(4),
        StringListJson.Read(reader.GetString(5), "policies.include_selectors"),
        StringListJson.Read(reader.GetString(6), "policies.require_selectors"),
        StringListJson.Read(reader.GetString(7), "policies.exclude_selectors"),
        ReadTime(reader, 8));
}
