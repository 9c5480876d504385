using Drawbridge.Tests.Fixtures;

namespace Drawbridge.Tests.Edge.Storage;

// The store contract (the abstract EdgeStore*Tests) run against a real PostgreSQL server: one
// cluster for the run (PostgresCollection), a new database for each test.

[Collection(PostgresCollection.Name)]
public sealed class PostgresEdgeStoreAppTests(PostgresServer server) : EdgeStoreAppTests(server);

[Collection(PostgresCollection.Name)]
public sealed class PostgresEdgeStoreAuditTests(PostgresServer server) : EdgeStoreAuditTests(server);

[Collection(PostgresCollection.Name)]
public sealed class PostgresEdgeStorePolicyTests(PostgresServer server) : EdgeStorePolicyTests(server);

[Collection(PostgresCollection.Name)]
public sealed class PostgresEdgeStoreSessionTests(PostgresServer server) : EdgeStoreSessionTests(server);

[Collection(PostgresCollection.Name)]
public sealed class PostgresEdgeStoreSigningKeyTests(PostgresServer server) : EdgeStoreSigningKeyTests(server);

[Collection(PostgresCollection.Name)]
public sealed class PostgresEdgeStoreTokenTests(PostgresServer server) : EdgeStoreTokenTests(server);

[Collection(PostgresCollection.Name)]
public sealed class PostgresEdgeStoreTests(PostgresServer server) : EdgeStoreTests(server);

[Collection(PostgresCollection.Name)]
public sealed class PostgresEdgeStoreSchemaTests(PostgresServer server) : EdgeStoreSchemaTests(server);
