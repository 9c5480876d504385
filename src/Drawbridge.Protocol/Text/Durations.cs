using System.Globalization;

namespace Drawbridge.Protocol.Text;

/// <summary>Durations as people write them in flags and config files: <c>500ms</c>, <c>30s</c>, <c>2m</c>, <c>8h</c>, <c>7d</c>.</summary>
public static class Durations
{
    private static readonly (string Unit, double Seconds)[] Units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)];

    /// <summary>Parses a non-negative duration no longer than <paramref name="max"/>; false for anything else.</summary>
    public static bool TryParse(string? text, TimeSpan max, out TimeSpan duration)
    {
        duration = default;
        if (text is null || text.Length is 0 or > 32)
        {
            return false;
        }

        foreach (var (unit, seconds) in Units)
        {
            if (text.EndsWith(unit, StringComparison.Ordinal) &&
                double.TryParse(text[..^unit.Length], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double amount) &&
                double.IsFinite(amount) && amount * seconds <= max.TotalSeconds)
            {
                duration = TimeSpan.FromSeconds(amount * seconds);
                return true;
            }
        }

        return false;
    }

    /// <summary>The shortest exact spelling: <c>24h</c>, <c>90m</c>, <c>45s</c>.</summary>
    public static string Format(TimeSpan duration)
    {
        foreach (var (unit, seconds) in Units.Reverse())
        {
            double amount = duration.TotalSeconds / seconds;
            if (amount >= 1 && Math.Abs(amount - Math.Round(amount)) < 1e-9)
            {
                return Math.Round(amount).ToString(CultureInfo.InvariantCulture) + unit;
            }
        }

        return ((long)duration.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";
    }
}
