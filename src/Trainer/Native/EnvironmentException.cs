namespace StableSnn.Trainer.Native;

/// <summary>The machine lacks something the trainer needs (CUDA, tcmalloc): exit 4, retried after the node is fixed.</summary>
public sealed class EnvironmentException(string message) : Exception(message);
