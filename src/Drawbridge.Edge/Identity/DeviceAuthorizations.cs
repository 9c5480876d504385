using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Drawbridge.Protocol.Credentials;

namespace Drawbridge.Edge.Identity;

/// <summary>
/// The device authorization grant (RFC 8628) for machines without a browser: the CLI gets a
/// device code and shows a user code; the person approves it in any browser; the CLI polls.
/// Device codes are kept only as hashes; user codes use RFC 8628 §6.1's 20-consonant alphabet,
/// 8 characters (≈ 34 bits), and are valid for 10 minutes.
/// </summary>
internal sealed class DeviceAuthorizations(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(5);

    /// <summary>RFC 8628 §6.1: no vowels (no words), no look-alikes.</summary>
    private const string UserCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ";

    private const int Capacity = 10_000;

    private readonly ConcurrentDictionary<string, DeviceGrant> _byDeviceCode = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DeviceGrant> _byUserCode = new(StringComparer.Ordinal);

    /// <summary>Starts a grant; null when too many are pending.</summary>
    public (string DeviceCode, DeviceGrant Grant)? Start(string app)
    {
        DateTimeOffset now = time.GetUtcNow();
        if (_byDeviceCode.Count >= Capacity)
        {
            DropExpired(now);
            if (_byDeviceCode.Count >= Capacity)
            {
                return null;
            }
        }

        string deviceCode = SecretHash.ToBase64Url(RandomNumberGenerator.GetBytes(32));
        string userCode;
        DeviceGrant grant;
        do
        {
            userCode = NewUserCode();
            grant = new DeviceGrant(Hash(deviceCode), userCode, app, now + Lifetime, DefaultInterval);
        }
        while (!_byUserCode.TryAdd(userCode, grant));

        _byDeviceCode[grant.DeviceCodeHash] = grant;
        return (deviceCode, grant);
    }

    /// <summary>The pending grant for a typed user code (any case, with or without the dash).</summary>
    public DeviceGrant? FindByUserCode(string? typed)
    {
        string? code = Normalize(typed);
        return code is not null && _byUserCode.TryGetValue(code, out DeviceGrant? grant) &&
               grant.ExpiresAt > time.GetUtcNow() && grant.ApprovedSession is null && !grant.Denied
            ? grant
            : null;
    }

    public bool Approve(string userCode, Guid sessionId) => Decide(userCode, grant => grant.ApprovedSession = sessionId);

    public bool Deny(string userCode) => Decide(userCode, grant => grant.Denied = true);

    public (DevicePollOutcome Outcome, DeviceGrant? Grant) Poll(string? deviceCode)
    {
        DateTimeOffset now = time.GetUtcNow();
        if (deviceCode is null || deviceCode.Length > 100 || !_byDeviceCode.TryGetValue(Hash(deviceCode), out DeviceGrant? grant) || grant.ExpiresAt <= now)
        {
            return (DevicePollOutcome.Expired, null);
        }

        lock (grant)
        {
            if (grant.LastPoll is { } last && now - last < grant.Interval)
            {
                grant.LastPoll = now;
                grant.Interval += TimeSpan.FromSeconds(5); // RFC 8628 §3.5
                return (DevicePollOutcome.SlowDown, grant);
            }

            grant.LastPoll = now;
            if (grant.Denied)
            {
                Remove(grant);
                return (DevicePollOutcome.Denied, grant);
            }

            if (grant.ApprovedSession is not null)
            {
                Remove(grant); // single use: the token is handed out once
                return (DevicePollOutcome.Approved, grant);
            }

            return (DevicePollOutcome.Pending, grant);
        }
    }

    /// <summary>Shows the code as XXXX-XXXX for people.</summary>
    public static string Display(string userCode) => $"{userCode[..4]}-{userCode[4..]}";

    private bool Decide(string userCode, Action<DeviceGrant> decide)
    {
        DeviceGrant? grant = FindByUserCode(userCode);
        if (grant is null)
        {
            return false;
        }

        lock (grant)
        {
            decide(grant);
        }

        return true;
    }

    private static string? Normalize(string? typed)
    {
        if (typed is null || typed.Length > 20)
        {
            return null;
        }

        string code = new([.. typed.ToUpperInvariant().Where(c => c != '-' && !char.IsWhiteSpace(c))]);
        return code.Length == 8 && code.All(c => UserCodeAlphabet.Contains(c, StringComparison.Ordinal)) ? code : null;
    }

    private static string NewUserCode()
    {
        Span<char> code = stackalloc char[8];
        for (int i = 0; i < code.Length; i++)
        {
            code[i] = UserCodeAlphabet[RandomNumberGenerator.GetInt32(UserCodeAlphabet.Length)];
        }

        return new string(code);
    }

    private static string Hash(string deviceCode) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(deviceCode)));

    private void Remove(DeviceGrant grant)
    {
        _byDeviceCode.TryRemove(grant.DeviceCodeHash, out _);
        _byUserCode.TryRemove(grant.UserCode, out _);
    }

    private void DropExpired(DateTimeOffset now)
    {
        foreach (DeviceGrant grant in _byDeviceCode.Values)
        {
            if (grant.ExpiresAt <= now)
            {
                Remove(grant);
            }
        }
    }
}
