using Microsoft.Extensions.Logging;
using Npgsql;

namespace Drawbridge.Edge.Storage;

/// <summary>
/// The PostgreSQL schema: the same versions as <see cref="SqliteMigrations"/>, step for step,
/// so "schema version N" means the same tables on both engines. Ids are text (a UUID's "D"
/// form) and times bigint milliseconds, as in SQLite, so <see cref="SqlEdgeStore"/>'s queries
/// bind the same values on both. Text is <c>COLLATE "C"</c>: byte order, like SQLite's, so
/// listings sort the same whatever the database's default collation.
/// </summary>
internal static class PostgresMigrations
{
    /// <summary>
    /// The advisory lock that serialises migrations: an arbitrary constant (ASCII "DrwbMigr"),
    /// unlikely to be taken by another application sharing the database.
    /// </summary>
    public const long MigrationLockKey = 0x447277624D696772;

    public static IReadOnlyList<SchemaMigration> All { get; } =
    [
        new(1, "tunnels, routes, service tokens, admin tokens", """
            CREATE TABLE tunnels (
                id          TEXT COLLATE "C" NOT NULL PRIMARY KEY,
                name        TEXT COLLATE "C" NOT NULL,
                secret_hash TEXT COLLATE "C" NOT NULL,
                created_at  BIGINT NOT NULL,
                deleted_at  BIGINT NULL
            );
            -- Names are unique among live tunnels only: a deleted tunnel's name can be reused.
            CREATE UNIQUE INDEX tunnels_live_name ON tunnels (name) WHERE deleted_at IS NULL;

            CREATE TABLE routes (
                hostname   TEXT COLLATE "C" NOT NULL PRIMARY KEY,
                tunnel_id  TEXT COLLATE "C" NOT NULL REFERENCES tunnels (id),
                created_at BIGINT NOT NULL
            );
            CREATE INDEX routes_tunnel ON routes (tunnel_id);

            CREATE TABLE service_tokens (
                id          TEXT COLLATE "C" NOT NULL PRIMARY KEY,
                name        TEXT COLLATE "C" NOT NULL,
                client_id   TEXT COLLATE "C" NOT NULL UNIQUE,
                secret_hash TEXT COLLATE "C" NOT NULL,
                created_at  BIGINT NOT NULL,
                revoked_at  BIGINT NULL
            );

            CREATE TABLE admin_tokens (
                id         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
                name       TEXT COLLATE "C" NOT NULL,
                token_hash TEXT COLLATE "C" NOT NULL,
                created_at BIGINT NOT NULL
            );

            -- One row whose value every mutation increments: edges poll it to refresh their snapshot.
            CREATE TABLE change_counter (
                id    INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
                value BIGINT  NOT NULL
            );
            INSERT INTO change_counter (id, value) VALUES (1, 0);
            """),
        new(2, "applications, policies, sessions, signing keys, audit", """
            -- An app is a hostname with policies. It need not have a route (yet), so no foreign key to routes.
            CREATE TABLE apps (
                hostname            TEXT COLLATE "C" NOT NULL PRIMARY KEY,
                session_duration_ms BIGINT NOT NULL,
                created_at          BIGINT NOT NULL
            );

            -- Selector lists are JSON arrays of opaque strings, kept as text: the policy code parses them, the store does not.
            CREATE TABLE policies (
                id                TEXT COLLATE "C" NOT NULL PRIMARY KEY,
                app_hostname      TEXT COLLATE "C" NOT NULL REFERENCES apps (hostname),
                name              TEXT COLLATE "C" NOT NULL,
                action            TEXT COLLATE "C" NOT NULL,
                precedence        INTEGER NOT NULL,
                include_selectors TEXT COLLATE "C" NOT NULL,
                require_selectors TEXT COLLATE "C" NOT NULL,
                exclude_selectors TEXT COLLATE "C" NOT NULL,
                created_at        BIGINT NOT NULL
            );
            -- Precedence orders an app's policies, so it is unique within the app.
            CREATE UNIQUE INDEX policies_app_precedence ON policies (app_hostname, precedence);

            CREATE TABLE user_sessions (
                id             TEXT COLLATE "C" NOT NULL PRIMARY KEY,
                secret_hash    TEXT COLLATE "C" NOT NULL,
                email          TEXT COLLATE "C" NOT NULL,
                display_name   TEXT COLLATE "C" NULL,
                groups_json    TEXT COLLATE "C" NOT NULL,
                login_method   TEXT COLLATE "C" NOT NULL,
                client_address TEXT COLLATE "C" NULL,
                created_at     BIGINT NOT NULL,
                expires_at     BIGINT NOT NULL,
                revoked_at     BIGINT NULL,
                revoked_reason TEXT COLLATE "C" NULL
            );
            -- "Revoke everything of alice@example.com".
            CREATE INDEX user_sessions_email ON user_sessions (email);

            CREATE TABLE signing_keys (
                key_id            TEXT COLLATE "C" NOT NULL PRIMARY KEY,
                algorithm         TEXT COLLATE "C" NOT NULL,
                private_key_pkcs8 TEXT COLLATE "C" NOT NULL,
                created_at        BIGINT NOT NULL,
                retired_at        BIGINT NULL
            );

            -- Append-only. id grows with each append, so it orders events of one millisecond.
            CREATE TABLE audit_events (
                id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                at             BIGINT NOT NULL,
                kind           TEXT COLLATE "C" NOT NULL,
                actor          TEXT COLLATE "C" NOT NULL,
                app            TEXT COLLATE "C" NULL,
                outcome        TEXT COLLATE "C" NOT NULL,
                policy         TEXT COLLATE "C" NULL,
                client_address TEXT COLLATE "C" NULL,
                bytes_up       BIGINT NULL,
                bytes_down     BIGINT NULL,
                duration_ms    BIGINT NULL,
                detail         TEXT COLLATE "C" NULL
            );
            CREATE INDEX audit_events_at ON audit_events (at);
            CREATE INDEX audit_events_actor_at ON audit_events (actor, at);
            CREATE INDEX audit_events_app_at ON audit_events (app, at);
            """),
    ];

    public static int LatestVersion => All[^1].Version;

    /// <summary>
    /// Brings the schema to <see cref="LatestVersion"/> in one transaction (PostgreSQL's DDL is
    /// transactional: all steps or none) and returns the version it found. The transaction first
    /// takes <see cref="MigrationLockKey"/>, so edges starting at once against one fresh database
    /// migrate one after the other: the second finds the schema applied and does nothing.
    /// </summary>
    public static async Task<int> ApplyAsync(
        NpgsqlConnection connection, string location, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await SqlEdgeStore.ExecuteAsync(
            connection, transaction, "SELECT pg_advisory_xact_lock(@key);", cancellationToken, ("@key", MigrationLockKey));
        var found = await SchemaMigrator.ApplyAsync(
            connection, transaction, All, location, time, logger, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return found;
    }
}
