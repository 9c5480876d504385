using System.Text.Json.Serialization;

namespace Drawbridge.Edge.Hosting;

/// <summary>The JSON body of a refusal before the upgrade (SPEC.md §1): its outcome's wire name and a sentence.</summary>
internal sealed record RefusalBody(
    [property: JsonPropertyName("outcome")] string Outcome,
    [property: JsonPropertyName("message")] string Message);
