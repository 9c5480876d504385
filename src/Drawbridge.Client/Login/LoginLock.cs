namespace Drawbridge.Client.Login;

/// <summary>
/// One sign-in at a time per hostname across processes: parallel connections (or parallel ssh
/// sessions) wait for the first sign-in instead of opening a browser each (cloudflared#1673).
/// An exclusive open of a lock file; the OS releases it if the process dies.
/// </summary>
internal static class LoginLock
{
    public static async Task<FileStream> AcquireAsync(string path, Action waiting, TimeProvider time, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        bool told = false;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException)
            {
                if (!told)
                {
                    waiting();
                    told = true;
                }

                // Another process is signing in; its lock goes when it finishes (or dies).
                await Task.Delay(TimeSpan.FromMilliseconds(250), time, cancellationToken);
            }
        }
    }
}
