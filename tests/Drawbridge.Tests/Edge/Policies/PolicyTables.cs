using System.Net;
using System.Text.RegularExpressions;
using Drawbridge.Edge.Policies;

namespace Drawbridge.Tests.Edge.Policies;

/// <summary>
/// Policies and subjects written as one line each, so evaluation tests read as tables:
/// <c>allow engineers 1 | include group:eng | require ip:10.0.0.0/8 | exclude email:bob@example.com</c>,
/// <c>user alice@example.com groups=eng,ops login=okta ip=10.1.2.3</c>,
/// <c>token ci id=0123….access ip=10.0.0.5</c>, <c>anonymous ip=203.0.113.9</c>.
/// </summary>
internal static partial class PolicyTables
{
    public const string App = "db.example.com";

    /// <summary>The client address when a subject line gives none (TEST-NET-2, RFC 5737).</summary>
    public const string DefaultIp = "198.51.100.7";

    public static Policy Policy(string line)
    {
        var parts = line.Split('|', StringSplitOptions.TrimEntries);
        var head = parts[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var rules = new Dictionary<string, List<Selector>> { ["include"] = [], ["require"] = [], ["exclude"] = [] };
        foreach (var part in parts.Skip(1))
        {
            var words = part.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            rules[words[0]].AddRange(words.Skip(1).Select(Selector.Parse));
        }

        return new Policy(
            Guid.NewGuid(), App, head[1], PolicyActionNames.Parse(head[0]), int.Parse(head[2], System.Globalization.CultureInfo.InvariantCulture),
            rules["include"], rules["require"], rules["exclude"]);
    }

    public static IReadOnlyList<Policy> Policies(IEnumerable<string> lines) => lines.Select(Policy).ToArray();

    public static AccessSubject Subject(string line)
    {
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var options = Options().Matches(line).ToDictionary(m => m.Groups["key"].Value, m => m.Groups["value"].Value);
        var ip = IPAddress.Parse(options.GetValueOrDefault("ip", DefaultIp));
        return words[0] switch
        {
            "user" => AccessSubject.User(
                words[1],
                options.TryGetValue("groups", out var groups) ? groups.Split(',') : [],
                options.GetValueOrDefault("login"),
                ip),
            "token" => AccessSubject.ServiceToken(words[1], options.GetValueOrDefault("id"), ip),
            "anonymous" => AccessSubject.Anonymous(ip),
            _ => throw new ArgumentException($"unknown subject line: {line}", nameof(line)),
        };
    }

    /// <summary><c>key=value</c> pairs; a value runs to the next key, so group names may hold spaces.</summary>
    [GeneratedRegex(@"(?<key>groups|login|id|ip)=(?<value>.*?)(?=\s+(?:groups|login|id|ip)=|$)")]
    private static partial Regex Options();
}
