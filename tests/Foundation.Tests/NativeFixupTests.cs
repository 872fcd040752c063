using StableSnn.NativeFixup;

namespace StableSnn.Foundation.Tests;

/// <summary>The GLIBCXX fix-up on the real libLibTorchSharp.so shipped in the NuGet package (a copy of it).</summary>
public sealed class NativeFixupTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("nativefixup").FullName;
    readonly string _library;

    public NativeFixupTests()
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var original = Path.Combine(packages, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        _library = Path.Combine(_dir, "libLibTorchSharp.so");
        File.Copy(original, _library);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static IReadOnlySet<string> AllVersionsOf(ElfFile library) =>
        library.VersionNeeds().Select(n => n.Version).ToHashSet();

    ElfFile Read() => new(File.ReadAllBytes(_library), _library);

    [Fact]
    public void OriginalLibraryNeedsGlibcxx3432OnlyThroughAnUnboundMarker()
    {
        var need = Read().VersionNeeds().Single(n => n.Version == "GLIBCXX_3.4.32");
        Assert.Equal("libstdc++.so.6", need.File);
        Assert.False(need.IsWeak);
        var symbols = Read().SymbolsWithVersion(need.Index);
        Assert.Equal(["_ZSt21ios_base_library_initv"], symbols.Select(s => s.Name));
        Assert.False(symbols.Single().BoundByRelocation);
    }

    [Fact]
    public void PatchesOnlyTheMissingVersionAndIsIdempotent()
    {
        var before = File.ReadAllBytes(_library);
        var system = AllVersionsOf(Read()).Where(v => v != "GLIBCXX_3.4.32").ToHashSet();

        var (outcome, _) = LibStdCxxVersionFix.Apply(_library, system);

        Assert.Equal(FixOutcome.Patched, outcome);
        var after = File.ReadAllBytes(_library);
        Assert.Equal(before.Length, after.Length);
        Assert.Equal(1, before.Zip(after).Count(p => p.First != p.Second)); // one flag byte: VER_FLG_WEAK
        var needs = Read().VersionNeeds();
        Assert.True(needs.Single(n => n.Version == "GLIBCXX_3.4.32").IsWeak);
        Assert.All(needs.Where(n => n.Version != "GLIBCXX_3.4.32"), n => Assert.False(n.IsWeak));

        Assert.Equal(FixOutcome.AlreadyWeak, LibStdCxxVersionFix.Apply(_library, system).Outcome);
    }

    [Fact]
    public void DoesNothingWhereTheSystemProvidesEveryVersion()
    {
        var before = File.ReadAllBytes(_library);
        Assert.Equal(FixOutcome.NotNeeded, LibStdCxxVersionFix.Apply(_library, AllVersionsOf(Read())).Outcome);
        Assert.Equal(before, File.ReadAllBytes(_library));
    }

    [Fact]
    public void RefusesWhenAMissingVersionHasBoundSymbols()
    {
        // GLIBCXX_3.4.30 carries symbols the library really calls; a system without it must not be papered over.
        var before = File.ReadAllBytes(_library);
        var system = AllVersionsOf(Read()).Where(v => v is not ("GLIBCXX_3.4.32" or "GLIBCXX_3.4.30")).ToHashSet();

        var error = Assert.Throws<UnsafeFixException>(() => LibStdCxxVersionFix.Apply(_library, system));

        Assert.Contains("GLIBCXX_3.4.30", error.Message);
        Assert.Equal(before, File.ReadAllBytes(_library));
    }

    [Fact]
    public void BuildOutputLibraryLoadsAgainstThisMachinesLibStdCxx()
    {
        var shipped = Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so");
        var system = new ElfFile(File.ReadAllBytes(LibStdCxxVersionFix.FindSystemLibStdCxx()!), "libstdc++").DefinedVersions();
        var strongMissing = LibStdCxxVersionFix.MissingNeeds(new ElfFile(File.ReadAllBytes(shipped), shipped), system)
            .Where(n => !n.IsWeak);
        Assert.Empty(strongMissing);
    }
}
