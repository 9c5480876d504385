namespace Drawbridge.Edge.Identity;

/// <summary>
/// Where the browser goes after sign-in: only a path on the edge itself. "//evil.example",
/// "/\evil.example", "https://evil.example" and control characters would turn the sign-in page
/// into an open redirect, so they fall back to the default.
/// </summary>
internal static class ReturnPath
{
    public const string Default = "/_drawbridge/signed-in";

    public static string Sanitize(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 2048 || value[0] != '/')
        {
            return Default;
        }

        if (value.Length > 1 && value[1] is '/' or '\\')
        {
            return Default;
        }

        if (value.Any(c => char.IsControl(c) || c == '\\'))
        {
            return Default;
        }

        return value;
    }
}
