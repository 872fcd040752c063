using k8s;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace StableSnn.Deploy.Tests;

/// <summary>The files under deploy/: Kubernetes objects (loaded with KubernetesClient's typed models, strictly) and kustomizations.</summary>
public static class Manifests
{
    public static readonly string Root = FindRoot();
    public static readonly string K8sDir = Path.Combine(Root, "deploy", "k8s");

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "StableSnn.sln"))) return dir.FullName;
        throw new InvalidOperationException("StableSnn.sln not found above " + AppContext.BaseDirectory);
    }

    public static bool IsKustomization(string path) => Path.GetFileName(path) == "kustomization.yaml";

    public static IReadOnlyList<string> YamlFiles() =>
        Directory.EnumerateFiles(K8sDir, "*.yaml", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(K8sDir, "*.yml", SearchOption.AllDirectories))
            .Order(StringComparer.Ordinal).ToList();

    public static IReadOnlyList<string> ObjectFiles() => YamlFiles().Where(f => !IsKustomization(f)).ToList();
    public static IReadOnlyList<string> KustomizationFiles() => YamlFiles().Where(IsKustomization).ToList();

    /// <summary>Every document of a file as its typed model; unknown fields and unknown apiVersion/kind throw.</summary>
    public static IReadOnlyList<object> Load(string path) => LoadText(File.ReadAllText(path));

    public static IReadOnlyList<object> LoadText(string yaml) =>
        KubernetesYaml.LoadAllFromString(yaml, typeMap: null, strict: true).Where(o => o is not null).ToList();

    /// <summary>Objects of the files that kustomizations list as resources (patches are partial objects and excluded).</summary>
    public static IReadOnlyList<(string File, object Obj)> Resources() =>
        ObjectFiles().Where(f => !PatchFiles().Contains(f)).SelectMany(f => Load(f).Select(o => (f, o))).ToList();

    public static HashSet<string> PatchFiles() =>
        KustomizationFiles().SelectMany(k => Referenced(k, "patches")).ToHashSet();

    public static YamlMappingNode Kustomization(string path)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(File.ReadAllText(path));
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    /// <summary>Full paths a kustomization lists under resources/components (strings) or patches (entries with path).</summary>
    public static IEnumerable<string> Referenced(string kustomization, string key)
    {
        var map = Kustomization(kustomization);
        if (!map.Children.TryGetValue(key, out var node)) yield break;
        var dir = Path.GetDirectoryName(kustomization)!;
        foreach (var item in ((YamlSequenceNode)node).Children)
        {
            string? rel = item switch
            {
                YamlScalarNode s => s.Value,
                YamlMappingNode m when m.Children.TryGetValue("path", out var p) => ((YamlScalarNode)p).Value,
                _ => null,
            };
            if (rel is not null) yield return Path.GetFullPath(Path.Combine(dir, rel));
        }
    }

    public static IEnumerable<V1Deployment> Silos() =>
        Resources().Select(r => r.Obj).OfType<V1Deployment>()
            .Where(d => d.Spec.Template.Metadata.Labels.TryGetValue("app.kubernetes.io/name", out var n) && n == "stablesnn-silo");

    public static V1Container SiloContainer(V1PodSpec spec) => spec.Containers.Single(c => c.Name == "silo");

    /// <summary>Renders an overlay with `kubectl kustomize` (null when kubectl is not installed).</summary>
    public static string? Render(string overlay)
    {
        var kubectl = Environment.GetEnvironmentVariable("PATH")?.Split(':')
            .Select(d => Path.Combine(d, "kubectl")).FirstOrDefault(File.Exists);
        if (kubectl is null)
        {
            // scripts/test.sh (what CI runs) requires it: there a missing kubectl must fail, not read as a skip.
            if (Environment.GetEnvironmentVariable("STABLESNN_REQUIRE_KUBECTL") == "1")
                Assert.Fail("kubectl is not on PATH but STABLESNN_REQUIRE_KUBECTL=1 (set by scripts/test.sh): install kubectl (with kustomize) to render the overlays");
            return null;
        }
        var start = new System.Diagnostics.ProcessStartInfo(kubectl) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "kustomize", Path.Combine(K8sDir, "overlays", overlay) }) start.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"kubectl kustomize overlays/{overlay} failed: {stderr}");
        return stdout.Result;
    }
}
