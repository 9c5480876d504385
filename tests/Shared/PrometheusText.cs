using System.Globalization;
using System.Text;

namespace Drawbridge.Testing;

/// <summary>
/// A strict reader of the Prometheus text exposition format 0.0.4, as a scraper reads
/// <c>/metrics</c>: every line must be a HELP, a TYPE or a sample of the family announced
/// last; counters end in <c>_total</c>; a series appears once; a histogram's buckets are
/// cumulative and its <c>+Inf</c> bucket equals its count. Compiled into both test projects.
/// </summary>
internal sealed class PrometheusText
{
    private readonly Dictionary<string, Family> _families;

    private PrometheusText(Dictionary<string, Family> families) => _families = families;

    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
    {
        public bool Has(IEnumerable<(string Label, string Value)> filter) =>
            filter.All(f => Labels.TryGetValue(f.Label, out string? value) ? value == f.Value : f.Value.Length == 0);
    }

    public sealed record Family(string Name, string Type, List<Sample> Samples)
    {
        public string Help { get; set; } = "";
    }

    public IReadOnlyDictionary<string, Family> Families => _families;

    public static PrometheusText Parse(string text)
    {
        if (text.Length > 0 && !text.EndsWith('\n'))
        {
            throw new FormatException("the exposition does not end with a newline");
        }

        var families = new Dictionary<string, Family>(StringComparer.Ordinal);
        var series = new HashSet<string>(StringComparer.Ordinal);
        string? help = null, helpFor = null;
        Family? current = null;
        int number = 0;
        foreach (string line in text.Split('\n').SkipLast(1))
        {
            number++;
            string where = $"line {number} '{line}'";
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                // Before its TYPE (the classic order) or right after it (the OpenTelemetry exporter's).
                (helpFor, help) = SplitNameAndRest(line["# HELP ".Length..], where);
                if (current?.Name == helpFor && current.Samples.Count == 0)
                {
                    current.Help = help;
                }
            }
            else if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                (string name, string type) = SplitNameAndRest(line["# TYPE ".Length..], where);
                if (type is not ("counter" or "gauge" or "histogram" or "summary" or "untyped"))
                {
                    throw new FormatException($"{where}: unknown type '{type}'");
                }

                if (type == "counter" && !name.EndsWith("_total", StringComparison.Ordinal))
                {
                    throw new FormatException($"{where}: the counter {name} does not end in _total");
                }

                current = new Family(name, type, []) { Help = helpFor == name ? help! : "" };
                if (!families.TryAdd(name, current))
                {
                    throw new FormatException($"{where}: {name} is announced twice");
                }
            }
            else if (line.StartsWith('#') || line.Length == 0)
            {
                throw new FormatException($"{where}: not a HELP, TYPE or sample line");
            }
            else
            {
                Sample sample = ParseSample(line, where);
                if (current is null || !BelongsTo(sample.Name, current))
                {
                    throw new FormatException($"{where}: the sample is not of the family announced last ({current?.Name ?? "none"})");
                }

                string key = sample.Name + "{" + string.Join(',', sample.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")) + "}";
                if (!series.Add(key))
                {
                    throw new FormatException($"{where}: the series {key} appears twice");
                }

                current.Samples.Add(sample);
            }
        }

        foreach (Family family in families.Values.Where(f => f.Type == "histogram"))
        {
            CheckHistogram(family);
        }

        return new PrometheusText(families);
    }

    public string TypeOf(string family) =>
        _families.TryGetValue(family, out Family? found) ? found.Type : throw new KeyNotFoundException($"no family {family}; there are: {string.Join(", ", _families.Keys)}");

    /// <summary>The one sample named <paramref name="name"/> whose labels are exactly <paramref name="labels"/>; 0 when there is none (a counter never added to).</summary>
    public double Value(string name, params (string Label, string Value)[] labels)
    {
        Sample[] matching = [.. All(name).Where(s => s.Labels.Count == labels.Length && s.Has(labels))];
        return matching.Length switch
        {
            0 => 0,
            1 => matching[0].Value,
            _ => throw new InvalidOperationException($"{matching.Length} samples of {name} match"),
        };
    }

    /// <summary>The sum of the samples named <paramref name="name"/> that carry (at least) the labels of <paramref name="filter"/>.</summary>
    public double Sum(string name, params (string Label, string Value)[] filter) => All(name).Where(s => s.Has(filter)).Sum(s => s.Value);

    /// <summary>Every sample named <paramref name="name"/>; the family must exist.</summary>
    public IEnumerable<Sample> All(string name)
    {
        string family = name.EndsWith("_bucket", StringComparison.Ordinal) ? name[..^"_bucket".Length]
            : name.EndsWith("_count", StringComparison.Ordinal) && _families.ContainsKey(name[..^"_count".Length]) ? name[..^"_count".Length]
            : name.EndsWith("_sum", StringComparison.Ordinal) && _families.ContainsKey(name[..^"_sum".Length]) ? name[..^"_sum".Length]
            : name;
        TypeOf(family);
        return _families[family].Samples.Where(s => s.Name == name);
    }

    private static bool BelongsTo(string sample, Family family) =>
        sample == family.Name
        || (family.Type is "histogram" && (sample == family.Name + "_bucket" || sample == family.Name + "_sum" || sample == family.Name + "_count"))
        || (family.Type is "summary" && (sample == family.Name + "_sum" || sample == family.Name + "_count"));

    private static void CheckHistogram(Family family)
    {
        foreach (var group in family.Samples.GroupBy(s => string.Join(',', s.Labels.Where(l => l.Key != "le").OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"))))
        {
            double previous = 0;
            double? infinity = null;
            foreach (Sample bucket in group.Where(s => s.Name == family.Name + "_bucket"))
            {
                if (bucket.Value < previous)
                {
                    throw new FormatException($"{family.Name}{{{group.Key}}}: buckets are not cumulative");
                }

                previous = bucket.Value;
                if (bucket.Labels["le"] == "+Inf")
                {
                    infinity = bucket.Value;
                }
            }

            double count = group.Single(s => s.Name == family.Name + "_count").Value;
            if (infinity != count)
            {
                throw new FormatException($"{family.Name}{{{group.Key}}}: the +Inf bucket ({infinity}) is not the count ({count})");
            }
        }
    }

    private static (string Name, string Text) SplitNameAndRest(string text, string where)
    {
        int space = text.IndexOf(' ', StringComparison.Ordinal);
        string name = space < 0 ? text : text[..space];
        if (!IsName(name) || space < 0)
        {
            throw new FormatException($"{where}: expected a metric name and text");
        }

        return (name, text[(space + 1)..]);
    }

    private static Sample ParseSample(string line, string where)
    {
        int at = 0;
        while (at < line.Length && line[at] != '{' && line[at] != ' ')
        {
            at++;
        }

        string name = line[..at];
        if (!IsName(name))
        {
            throw new FormatException($"{where}: '{name}' is not a metric name");
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (at < line.Length && line[at] == '{')
        {
            at++;
            while (line[at] != '}')
            {
                int equals = line.IndexOf('=', at);
                string label = line[at..equals];
                if (!IsLabelName(label) || line[equals + 1] != '"')
                {
                    throw new FormatException($"{where}: bad label '{label}'");
                }

                var value = new StringBuilder();
                at = equals + 2;
                for (; line[at] != '"'; at++)
                {
                    if (line[at] == '\\')
                    {
                        at++;
                        value.Append(line[at] switch { 'n' => '\n', '\\' => '\\', '"' => '"', _ => throw new FormatException($"{where}: bad escape") });
                    }
                    else
                    {
                        value.Append(line[at]);
                    }
                }

                if (!labels.TryAdd(label, value.ToString()))
                {
                    throw new FormatException($"{where}: label {label} twice");
                }

                at++;
                if (line[at] == ',')
                {
                    at++;
                }
            }

            at++;
        }

        string[] rest = line[at..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (rest.Length is 0 or > 2 || !TryParseValue(rest[0], out double number))
        {
            throw new FormatException($"{where}: expected a value (and an optional timestamp) after the labels");
        }

        return new Sample(name, labels, number);
    }

    private static bool TryParseValue(string text, out double value)
    {
        switch (text)
        {
            case "+Inf": value = double.PositiveInfinity; return true;
            case "-Inf": value = double.NegativeInfinity; return true;
            case "NaN": value = double.NaN; return true;
            default: return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }

    private static bool IsName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':');

    private static bool IsLabelName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
