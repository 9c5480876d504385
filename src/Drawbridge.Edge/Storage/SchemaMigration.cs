namespace Drawbridge.Edge.Storage;

/// <summary>One step of a store's schema: applied once, in version order, and recorded in <c>schema_migrations</c>.</summary>
/// <param name="Version">1, 2, 3, …: never reused, never edited once released.</param>
/// <param name="Name">What the step does, for the log and the <c>schema_migrations</c> table.</param>
/// <param name="Sql">The statements, run inside the migration's transaction.</param>
internal sealed record SchemaMigration(int Version, string Name, string Sql);
