namespace Drawbridge.Edge.Identity;

/// <summary>What happened to a one-time PIN request or attempt.</summary>
internal enum PinOutcome
{
    /// <summary>A new code was made; send it.</summary>
    Issued,

    /// <summary>A code was sent moments ago; wait before asking again.</summary>
    Throttled,

    Verified,

    /// <summary>Wrong code; tries remain.</summary>
    Wrong,

    Expired,

    /// <summary>Five wrong codes: this one is void; ask for a new one.</summary>
    TooManyTries,

    /// <summary>No code was asked for this address (or it was used).</summary>
    NoCode,
}
