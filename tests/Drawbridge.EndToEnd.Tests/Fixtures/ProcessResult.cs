namespace Drawbridge.EndToEnd.Tests.Fixtures;

/// <summary>How a program run to completion by <see cref="ExternalProcess.RunAsync"/> ended.</summary>
internal sealed record ProcessResult(string CommandLine, int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Everything about the run, for assertion messages.</summary>
    public override string ToString() =>
        $"$ {CommandLine}\nexit code {ExitCode}\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";
}
