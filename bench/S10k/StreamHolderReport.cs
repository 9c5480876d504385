using System.Globalization;

namespace Drawbridge.Bench.S10k;

/// <summary>What one S10k run saw; <see cref="ToLine"/> is the line bench/run parses.</summary>
internal sealed record StreamHolderReport(
    int Count, int Opened, int Failed, string? FirstError, long RssBeforeKib, long RssAfterKib, IReadOnlyList<long> RssDeltaKibByPid, TimeSpan OpenTime)
{
    public double BytesPerStream => Opened == 0 ? 0 : (RssAfterKib - RssBeforeKib) * 1024.0 / Opened;

    public string ToLine()
    {
        string line = string.Create(
            CultureInfo.InvariantCulture,
            $"count={Count} opened={Opened} failed={Failed} rss_before_kib={RssBeforeKib} rss_after_kib={RssAfterKib} bytes_per_stream={BytesPerStream:F0} rss_delta_kib_by_pid={string.Join(',', RssDeltaKibByPid)} open_seconds={OpenTime.TotalSeconds:F1}");
        return FirstError is null ? line : $"{line} first_error=\"{FirstError.Replace('"', '\'')}\"";
    }
}
