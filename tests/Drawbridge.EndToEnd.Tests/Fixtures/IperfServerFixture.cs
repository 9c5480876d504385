using System.Globalization;
using System.Text.Json;

namespace Drawbridge.EndToEnd.Tests.Fixtures;

/// <summary>
/// A real iperf3 server on 127.0.0.1 for throughput tests. iperf3 serves one test at a
/// time (a second concurrent client is told the server is busy), and opens a control and
/// a data connection per test, both to the same port.
/// </summary>
internal sealed class IperfServerFixture : IAsyncDisposable
{
    private readonly ExternalProcess iperf;

    private IperfServerFixture(ExternalProcess iperf, int port)
    {
        this.iperf = iperf;
        Port = port;
    }

    public int Port { get; }

    /// <summary>iperf3's report so far, for failure messages.</summary>
    public string Output => iperf.Output;

    public static async Task<IperfServerFixture> StartAsync()
    {
        (ExternalProcess iperf, int port) = await ExternalProcess.StartListeningAsync(
            port => ExternalProcess.Start(
                "iperf3", ["-s", "-p", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1"]));
        return new IperfServerFixture(iperf, port);
    }

    /// <summary>
    /// Runs an iperf3 client against <paramref name="host"/>:<paramref name="port"/> (the
    /// server or a tunnel to it) for <paramref name="seconds"/> and returns the receiver's
    /// measured bits per second. <paramref name="reverse"/> makes the server send (-R).
    /// </summary>
    public static async Task<double> MeasureBitsPerSecondAsync(string host, int port, int seconds, bool reverse = false)
    {
        List<string> arguments =
        [
            "-c", host,
            "-p", port.ToString(CultureInfo.InvariantCulture),
            "-t", seconds.ToString(CultureInfo.InvariantCulture),
            "--json",
        ];
        if (reverse)
        {
            arguments.Add("-R");
        }

        // The run itself plus set-up and the final exchange of results.
        TimeSpan timeout = TimeSpan.FromSeconds(seconds + 30);
        ProcessResult result = await ExternalProcess.RunAsync("iperf3", arguments, timeout);
        try
        {
            using JsonDocument report = JsonDocument.Parse(result.StandardOutput);
            if (report.RootElement.TryGetProperty("error", out JsonElement error))
            {
                throw new InvalidOperationException($"iperf3 failed: {error.GetString()}\n{result}");
            }

            return report.RootElement
                .GetProperty("end")
                .GetProperty("sum_received")
                .GetProperty("bits_per_second")
                .GetDouble();
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException)
        {
            throw new InvalidOperationException($"iperf3 printed no usable report:\n{result}", exception);
        }
    }

    public ValueTask DisposeAsync() => iperf.DisposeAsync();
}
