using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Drawbridge.Cli.Hosting;

/// <summary>
/// <c>-o table|json</c> for the commands that list or show: JSON is the admin API's answer as it
/// came (the same source-generated contract), a table is the command's own. Read before the
/// request, so a bad <c>-o</c> fails without touching the edge.
/// </summary>
internal sealed class CliOutput
{
    private readonly bool _json;

    private CliOutput(bool json) => _json = json;

    public static Option<string> Option() => new("--output", "-o")
    {
        Description = "Output format: table or json (the admin API's answer)",
        DefaultValueFactory = _ => "table",
    };

    public static CliOutput From(ParseResult parse, Option<string> option) =>
        parse.GetValue(option) switch
        {
            "json" => new(json: true),
            "table" => new(json: false),
            var other => throw new FormatException($"--output '{other}': use table or json"),
        };

    public void Write<T>(T value, JsonTypeInfo<T> type, Action<T> table)
    {
        if (_json)
        {
            Console.WriteLine(JsonSerializer.Serialize(value, type));
        }
        else
        {
            table(value);
        }
    }
}
