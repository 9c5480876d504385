namespace Drawbridge.Edge.Identity;

/// <summary>RFC 8628 §3.5 answers to the CLI's poll.</summary>
internal enum DevicePollOutcome
{
    /// <summary><c>authorization_pending</c>: the user has not approved yet.</summary>
    Pending,

    /// <summary><c>slow_down</c>: polled faster than the interval; the interval grows by 5 s.</summary>
    SlowDown,

    /// <summary><c>access_denied</c>: the user refused.</summary>
    Denied,

    /// <summary><c>expired_token</c>: the device code is unknown, used or past its lifetime.</summary>
    Expired,

    Approved,
}
