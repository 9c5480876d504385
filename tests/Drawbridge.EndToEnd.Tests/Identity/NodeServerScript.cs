using Drawbridge.EndToEnd.Tests.Fixtures;

namespace Drawbridge.EndToEnd.Tests.Identity;

/// <summary>
/// The Node.js test servers kept in this repository (<c>tests/oidc-provider</c>,
/// <c>tests/smtp-server</c>): each folder has a <c>server.js</c> and a committed
/// <c>package-lock.json</c>, installed by <c>./test.sh</c> with <c>npm ci</c>.
/// </summary>
internal static class NodeServerScript
{
    private const string SolutionFileName = "Drawbridge.slnx";

    private static readonly Lazy<string> RepositoryRootPath = new(FindRepositoryRoot);

    /// <summary>The folder holding Drawbridge.slnx, found by walking up from the test binaries.</summary>
    public static string RepositoryRoot => RepositoryRootPath.Value;

    /// <summary>
    /// Starts <c>node tests/<paramref name="folder"/>/server.js <paramref name="arguments"/></c>
    /// in that folder. Throws with the install command when its packages are missing.
    /// </summary>
    public static ExternalProcess Start(string folder, IEnumerable<string> arguments)
    {
        string directory = Path.Combine(RepositoryRoot, "tests", folder);
        if (!Directory.Exists(Path.Combine(directory, "node_modules")))
        {
            throw new InvalidOperationException(
                $"{directory}/node_modules is missing. Run `npm ci --no-audit --no-fund` in {directory} " +
                "(./test.sh does it for every test server).");
        }

        return ExternalProcess.Start("node", [Path.Combine(directory, "server.js"), .. arguments], workingDirectory: directory);
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, SolutionFileName)))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException(
            $"No {SolutionFileName} above {AppContext.BaseDirectory}: the tests must run from a build inside the repository.");
    }
}
