namespace StableSnn.Client.Hosting;

/// <summary>A user-facing error: printed as is (it names the field or thing and the fix), exit code 2.</summary>
public sealed class CliException(string message) : Exception(message);
