namespace Drawbridge.Edge.Hosting;

/// <summary>Options of <c>drawbridge edge init</c>.</summary>
internal sealed record EdgeInitOptions
{
    /// <summary>Where the database, certificates and credentials go.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The edge's public name (default <c>localhost</c>): connectors and the CLI dial it.</summary>
    public string Hostname { get; init; } = "localhost";

    /// <summary>The port clients reach the edge on (default 443).</summary>
    public int PublicPort { get; init; } = 443;

    /// <summary>
    /// Who administers the edge: selectors (<c>email:</c>, <c>email-domain:</c>, <c>group:</c>, …; a
    /// bare address means <c>email:</c>) for the allow policy of the admin application, the app named
    /// by the edge's own hostname. They sign in with <c>drawbridge tunnel login</c>.
    /// </summary>
    public IReadOnlyList<string> Administrators { get; init; } = [];

    /// <summary>Overwrite an existing data directory's settings and admin credential.</summary>
    public bool Force { get; init; }

    /// <summary>A PostgreSQL store (see <see cref="Storage.StoreLocation"/>), saved in the settings for <c>edge run</c>; null = SQLite in the data directory.</summary>
    public string? Store { get; init; }
}
