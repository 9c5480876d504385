using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Drawbridge.Edge.Storage;

/// <summary>
/// The SQLite schema, as versioned steps applied at open. Ids are TEXT (a UUID's "D" form),
/// times are INTEGER milliseconds since the Unix epoch (UTC): both sort and compare the same
/// way in SQLite and in PostgreSQL (text / bigint), so
/// <see cref="SqlEdgeStore"/>'s queries run on both.
/// </summary>
internal static class SqliteMigrations
{
    public static IReadOnlyList<SchemaMigration> All { get; } =
    [
        new(1, "tunnels, routes, service tokens, admin tokens", """
            CREATE TABLE tunnels (
                id          TEXT    NOT NULL PRIMARY KEY,
                name        TEXT    NOT NULL,
                secret_hash TEXT    NOT NULL,
                created_at  INTEGER NOT NULL,
                deleted_at  INTEGER NULL
            );
            -- Names are unique among live tunnels only: a deleted tunnel's name can be reused.
            CREATE UNIQUE INDEX tunnels_live_name ON tunnels (name) WHERE deleted_at IS NULL;

            CREATE TABLE routes (
                hostname   TEXT    NOT NULL PRIMARY KEY,
                tunnel_id  TEXT    NOT NULL REFERENCES tunnels (id),
                created_at INTEGER NOT NULL
            );
            CREATE INDEX routes_tunnel ON routes (tunnel_id);

            CREATE TABLE service_tokens (
                id          TEXT    NOT NULL PRIMARY KEY,
                name        TEXT    NOT NULL,
                client_id   TEXT    NOT NULL UNIQUE,
                secret_hash TEXT    NOT NULL,
                created_at  INTEGER NOT NULL,
                revoked_at  INTEGER NULL
            );

            CREATE TABLE admin_tokens (
                id         TEXT    NOT NULL PRIMARY KEY,
                name       TEXT    NOT NULL,
                token_hash TEXT    NOT NULL,
                created_at INTEGER NOT NULL
            );

            -- One row whose value every mutation increments: edges poll it to refresh their snapshot.
            CREATE TABLE change_counter (
                id    INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
                value INTEGER NOT NULL
            );
            INSERT INTO change_counter (id, value) VALUES (1, 0);
            """),
        new(2, "applications, policies, sessions, signing keys, audit", """
            -- An app is a hostname with policies. It need not have a route (yet), so no foreign key to routes.
            CREATE TABLE apps (
                hostname            TEXT    NOT NULL PRIMARY KEY,
                session_duration_ms INTEGER NOT NULL,
                created_at          INTEGER NOT NULL
            );

            -- Selector lists are JSON arrays of opaque strings: the policy code parses them, the store does not.
            CREATE TABLE policies (
                id                TEXT    NOT NULL PRIMARY KEY,
                app_hostname      TEXT    NOT NULL REFERENCES apps (hostname),
                name              TEXT    NOT NULL,
                action            TEXT    NOT NULL,
                precedence        INTEGER NOT NULL,
                include_selectors TEXT    NOT NULL,
                require_selectors TEXT    NOT NULL,
                exclude_selectors TEXT    NOT NULL,
                created_at        INTEGER NOT NULL
            );
            -- Precedence orders an app's policies, so it is unique within the app.
            CREATE UNIQUE INDEX policies_app_precedence ON policies (app_hostname, precedence);

            CREATE TABLE user_sessions (
                id             TEXT    NOT NULL PRIMARY KEY,
                secret_hash    TEXT    NOT NULL,
                email          TEXT    NOT NULL,
                display_name   TEXT    NULL,
                groups_json    TEXT    NOT NULL,
                login_method   TEXT    NOT NULL,
                client_address TEXT    NULL,
                created_at     INTEGER NOT NULL,
                expires_at     INTEGER NOT NULL,
                revoked_at     INTEGER NULL,
                revoked_reason TEXT    NULL
            );
            -- "Revoke everything of alice@example.com".
            CREATE INDEX user_sessions_email ON user_sessions (email);

            CREATE TABLE signing_keys (
                key_id            TEXT    NOT NULL PRIMARY KEY,
                algorithm         TEXT    NOT NULL,
                private_key_pkcs8 TEXT    NOT NULL,
                created_at        INTEGER NOT NULL,
                retired_at        INTEGER NULL
            );

            -- Append-only. id is the rowid (PostgreSQL: bigint identity): it grows with each append,
            -- so it orders events of one millisecond. Not AUTOINCREMENT: ids are never deleted from the top.
            CREATE TABLE audit_events (
                id             INTEGER NOT NULL PRIMARY KEY,
                at             INTEGER NOT NULL,
                kind           TEXT    NOT NULL,
                actor          TEXT    NOT NULL,
                app            TEXT    NULL,
                outcome        TEXT    NOT NULL,
                policy         TEXT    NULL,
                client_address TEXT    NULL,
                bytes_up       INTEGER NULL,
                bytes_down     INTEGER NULL,
                duration_ms    INTEGER NULL,
                detail         TEXT    NULL
            );
            CREATE INDEX audit_events_at ON audit_events (at);
            CREATE INDEX audit_events_actor_at ON audit_events (actor, at);
            CREATE INDEX audit_events_app_at ON audit_events (app, at);
            """),
    ];

    public static int LatestVersion => All[^1].Version;

    /// <summary>
    /// Brings the schema to <see cref="LatestVersion"/> in one transaction (all steps or none),
    /// and returns the version it found. A database from a newer Drawbridge is refused untouched.
    /// </summary>
    public static async Task<int> ApplyAsync(
        SqliteConnection connection, string databasePath, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        // IMMEDIATE: take the write lock first, so two processes opening one file at once
        // migrate one after the other instead of both reading version 0.
        await using var transaction = connection.BeginTransaction(deferred: false);
        var found = await SchemaMigrator.ApplyAsync(
            connection, transaction, All, databasePath, time, logger, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return found;
    }
}
