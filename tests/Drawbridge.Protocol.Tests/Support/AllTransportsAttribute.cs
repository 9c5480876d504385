using System.Reflection;
using Xunit.Sdk;

namespace Drawbridge.Protocol.Tests.Support;

/// <summary>Runs a theory once per <see cref="TransportKind"/>: the same test body over pipes,
/// TCP and TLS WebSockets (hashicorp/yamux's habit).</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class AllTransportsAttribute : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod) =>
        Enum.GetValues<TransportKind>().Select(kind => new object[] { kind });
}
