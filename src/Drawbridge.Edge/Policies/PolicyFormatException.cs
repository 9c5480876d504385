namespace Drawbridge.Edge.Policies;

/// <summary>
/// A selector, action or policy breaks its rule. The message names the field, says what is
/// wrong and, for selectors, lists the allowed forms; it echoes at most 60 characters of the
/// input, with control characters shown as '?'.
/// </summary>
internal sealed class PolicyFormatException : Exception
{
    public PolicyFormatException()
    {
    }

    public PolicyFormatException(string message)
        : base(message)
    {
    }

    public PolicyFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
