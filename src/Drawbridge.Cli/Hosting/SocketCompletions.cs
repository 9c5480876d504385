namespace Drawbridge.Cli.Hosting;

/// <summary>
/// Runs socket completions on the runtime's epoll thread instead of handing each one to the
/// thread pool. Every relayed chunk crosses several sockets per process (access client: local
/// socket and edge link; connector: link and origin), and each hand-off costs a thread-pool
/// dispatch and a wake-up. Measured with <c>bench/run --paths ssh,drawbridge --measures T1,L1,R50</c>
/// on 2 cores: L1 p50 0.255 → 0.183 ms, CPU per GB 9.7 → 7.2 s, T1 +15–20%.
/// </summary>
/// <remarks>
/// Safe because nothing in the process blocks a socket continuation (no sync-over-async on a
/// socket path); Kestrel still dispatches application code to the thread pool, so only its
/// transport loop runs inline. The runtime reads the variable once, when the first socket is
/// created, so this must run first. An operator's explicit setting (including <c>0</c>) wins.
/// </remarks>
internal static class SocketCompletions
{
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static void PreferInline()
    {
        if (Environment.GetEnvironmentVariable(Variable) is null)
        {
            Environment.SetEnvironmentVariable(Variable, "1");
        }
    }
}
