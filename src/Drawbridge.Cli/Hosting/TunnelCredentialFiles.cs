using Drawbridge.Protocol.Credentials;

namespace Drawbridge.Cli.Hosting;

/// <summary>Tunnel credentials kept by the CLI: one owner-only JSON file per tunnel under the user's config directory.</summary>
internal static class TunnelCredentialFiles
{
    public static string Save(TunnelCredential credential)
    {
        string path = UserPaths.TunnelCredential(credential.TunnelId);
        CredentialFile.WriteOwnerOnly(path, credential.ToJson());
        return path;
    }

    public static TunnelCredential Load(string path) => TunnelCredential.Parse(CredentialFile.ReadOwnerOnly(path));

    /// <summary>The saved credential of the tunnel named or numbered <paramref name="reference"/>; null when there is none.</summary>
    public static TunnelCredential? Find(string reference)
    {
        if (Guid.TryParse(reference, out Guid id) && File.Exists(UserPaths.TunnelCredential(id)))
        {
            return Load(UserPaths.TunnelCredential(id));
        }

        if (!Directory.Exists(UserPaths.TunnelsDirectory))
        {
            return null;
        }

        foreach (string file in Directory.EnumerateFiles(UserPaths.TunnelsDirectory, "*.json"))
        {
            TunnelCredential credential = Load(file);
            if (credential.TunnelName == reference)
            {
                return credential;
            }
        }

        return null;
    }

    public static void Delete(Guid tunnelId) => File.Delete(UserPaths.TunnelCredential(tunnelId));
}
