using Microsoft.Extensions.Logging;

namespace Drawbridge.Edge.Storage;

/// <summary>Log messages of the storage feature; event ids 1100–1199 of the edge.</summary>
internal static partial class StorageLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information,
        Message = "Applied schema migration {Version} ({MigrationName}) to {Database}")]
    public static partial void MigrationApplied(ILogger logger, int version, string migrationName, string database);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information,
        Message = "Opened edge store {Database} at schema version {Version}")]
    public static partial void StoreOpened(ILogger logger, string database, int version);
}
