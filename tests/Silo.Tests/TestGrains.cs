using StableSnn.Grains;
using StableSnn.Silo.Storage;

namespace StableSnn.Silo.Tests;

[GenerateSerializer]
public sealed class NoteState
{
    [Id(0)] public string Text { get; set; } = "";
    [Id(1)] public int Writes { get; set; }
}

public interface INoteGrain : IGrainWithStringKey
{
    Task Write(string text);
    Task<NoteState> Read();
    Task<string> Silo();
}

/// <summary>A grain whose state lives in the StableSnn grain storage.</summary>
public sealed class NoteGrain([PersistentState("state", GrainStorage.Name)] IPersistentState<NoteState> state)
    : Grain, INoteGrain
{
    public async Task Write(string text)
    {
        state.State.Text = text;
        state.State.Writes++;
        await state.WriteStateAsync();
    }

    public Task<NoteState> Read() => Task.FromResult(state.State);

    public Task<string> Silo() => Task.FromResult(RuntimeIdentity);
}
