namespace Drawbridge.Client.Config;

/// <summary><c>access.yml</c>: the forwards one <c>drawbridge access run</c> process serves.</summary>
/// <param name="FileName">The file it came from, for messages that name it.</param>
/// <param name="EdgeAddress"><c>edge:</c>, like <c>--edge</c>; null = each hostname on 443.</param>
/// <param name="CaCertificatePath"><c>ca-cert:</c>, resolved against the file's directory.</param>
/// <param name="Warnings">Things to tell the user once at start-up (a secret readable by others).</param>
internal sealed record AccessConfig(
    string FileName,
    string? EdgeAddress,
    string? CaCertificatePath,
    IReadOnlyList<ForwardConfig> Forwards,
    IReadOnlyList<string> Warnings);
