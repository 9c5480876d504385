using System.Net;

namespace Drawbridge.Bench.S10k;

/// <param name="Target">The access listener the streams go through.</param>
/// <param name="Count">Streams to hold open at once.</param>
/// <param name="Pids">Processes whose RSS is read before and after (the edge and the connector).</param>
/// <param name="Timeout">Limit for the whole run: opening, holding and checking.</param>
internal sealed record StreamHolderOptions(IPEndPoint Target, int Count, IReadOnlyList<int> Pids, TimeSpan Timeout);
