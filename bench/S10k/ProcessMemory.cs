using System.Globalization;

namespace Drawbridge.Bench.S10k;

/// <summary>Resident memory of another process, from the kernel's own accounting.</summary>
internal static class ProcessMemory
{
    /// <summary>VmRSS from /proc/PID/status, in KiB (the unit the kernel prints).</summary>
    public static long ResidentKib(int pid)
    {
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmRSS:".Length..].Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"/proc/{pid}/status has no VmRSS line");
    }
}
