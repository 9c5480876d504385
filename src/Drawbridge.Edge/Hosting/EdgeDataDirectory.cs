namespace Drawbridge.Edge.Hosting;

/// <summary>The files <c>drawbridge edge init</c> lays out in the data directory.</summary>
internal sealed record EdgeDataDirectory(string Root)
{
    public string Database => Path.Combine(Root, "edge.db");

    public string Settings => Path.Combine(Root, "edge.json");

    public string CaCertificate => Path.Combine(Root, "ca.pem");

    public string CaKey => Path.Combine(Root, "ca-key.pem");

    public string EdgeCertificate => Path.Combine(Root, "edge.pem");

    public string EdgeKey => Path.Combine(Root, "edge-key.pem");

    public string AdminCredential => Path.Combine(Root, "admin.json");

    /// <summary><c>/var/lib/drawbridge</c> as root (a service), else <c>~/.local/share/drawbridge</c>.</summary>
    public static string DefaultRoot()
    {
        if (Environment.GetEnvironmentVariable("DRAWBRIDGE_DATA_DIR") is { Length: > 0 } configured)
        {
            return configured;
        }

        if (OperatingSystem.IsLinux() && Environment.UserName == "root")
        {
            return "/var/lib/drawbridge";
        }

        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "drawbridge");
    }
}
