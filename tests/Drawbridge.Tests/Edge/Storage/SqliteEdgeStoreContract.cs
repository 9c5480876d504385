using Drawbridge.Tests.Fixtures;

namespace Drawbridge.Tests.Edge.Storage;

// The store contract (the abstract EdgeStore*Tests) run against SQLite, the embedded default.

public sealed class SqliteEdgeStoreAppTests() : EdgeStoreAppTests(server: null);

public sealed class SqliteEdgeStoreAuditTests() : EdgeStoreAuditTests(server: null);

public sealed class SqliteEdgeStorePolicyTests() : EdgeStorePolicyTests(server: null);

public sealed class SqliteEdgeStoreSessionTests() : EdgeStoreSessionTests(server: null);

public sealed class SqliteEdgeStoreSigningKeyTests() : EdgeStoreSigningKeyTests(server: null);

public sealed class SqliteEdgeStoreTokenTests() : EdgeStoreTokenTests(server: null);

public sealed class SqliteEdgeStoreTests() : EdgeStoreTests(server: null);

public sealed class SqliteEdgeStoreSchemaTests() : EdgeStoreSchemaTests(server: null);
