using System.Text.Json;
using System.Text.Json.Serialization;

namespace Drawbridge.Edge.Admin;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
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
internal sealed partial class AdminJsonContext : JsonSerializerContext;
