using System.Text.Json;
using System.Text.Json.Serialization;

namespace Drawbridge.Edge.Admin;

// Strict numbers: a number sent as a string is a type error, as an unknown field is (AdminRequestBody).
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(CreateTunnelRequest))]
[JsonSerializable(typeof(CreatedTunnel))]
[JsonSerializable(typeof(TunnelView))]
[JsonSerializable(typeof(IReadOnlyList<TunnelView>))]
[JsonSerializable(typeof(RouteRequest))]
[JsonSerializable(typeof(RouteView))]
[JsonSerializable(typeof(IReadOnlyList<RouteView>))]
[JsonSerializable(typeof(CreateServiceTokenRequest))]
[JsonSerializable(typeof(CreatedServiceToken))]
[JsonSerializable(typeof(ServiceTokenView))]
[JsonSerializable(typeof(IReadOnlyList<ServiceTokenView>))]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(CreateAppRequest))]
[JsonSerializable(typeof(AppView))]
[JsonSerializable(typeof(IReadOnlyList<AppView>))]
[JsonSerializable(typeof(AddPolicyRequest))]
[JsonSerializable(typeof(PolicyView))]
[JsonSerializable(typeof(IReadOnlyList<PolicyView>))]
[JsonSerializable(typeof(PolicyTestRequest))]
[JsonSerializable(typeof(PolicyTestResult))]
[JsonSerializable(typeof(SessionView))]
[JsonSerializable(typeof(IReadOnlyList<SessionView>))]
[JsonSerializable(typeof(RevokeSessionsRequest))]
[JsonSerializable(typeof(RevokeSessionsResult))]
[JsonSerializable(typeof(AuditView))]
[JsonSerializable(typeof(IReadOnlyList<AuditView>))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
