namespace StableSnn.Trainer.Data;

/// <summary>
/// A dataset file is missing or malformed. The message names the file, what is wrong, and how to fix it,
/// because it is shown as-is to whoever launched the run.
/// </summary>
public sealed class DatasetException : Exception
{
    public DatasetException(string message) : base(message) { }

    public DatasetException(string message, Exception inner) : base(message, inner) { }
}
