namespace Drawbridge.Configuration;

/// <summary>A configuration file is wrong; the message names the file, the line and what is allowed.</summary>
public sealed class ConfigException : Exception
{
    public ConfigException(string message) : base(message) { }

    public ConfigException() { }

    public ConfigException(string message, Exception inner) : base(message, inner) { }
}
