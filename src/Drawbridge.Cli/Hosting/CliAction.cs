using System.CommandLine;
using Drawbridge.Cli.Admin;
using Drawbridge.Configuration;
using Drawbridge.Connector.Ingress;
using Drawbridge.Edge.Certificates;
using Drawbridge.Edge.Storage;
using Drawbridge.Protocol.Credentials;
using Drawbridge.Protocol.Transport;

namespace Drawbridge.Cli.Hosting;

/// <summary>Runs a command's action and turns the failures a user can cause into one clear line and exit code 1.</summary>
internal static class CliAction
{
    public static void Set(Command command, Func<ParseResult, CancellationToken, Task<int>> action) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                return await action(parse, cancellationToken);
            }
            catch (Exception ex) when (IsUserFacing(ex))
            {
                await Console.Error.WriteLineAsync($"drawbridge: error: {ex.Message}");
                return 1;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return 130;
            }
        });

    private static bool IsUserFacing(Exception ex) => ex is
        AdminApiException or CredentialFormatException or CredentialFileException or ConfigException or
        CertificateFileException or EdgeDialException or FormatException or InvalidOperationException or
        FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or ArgumentException or IOException or
        StoreConnectionException or StoreSchemaException;
}
