using System.Text.RegularExpressions;
using k8s.Models;

namespace StableSnn.Deploy.Tests;

/// <summary>
/// The two build paths make one runtime layout (the production Dockerfiles on Microsoft's images; the registry-free
/// Containerfiles on a Debian base, which scripts/build-images.sh builds and the cluster test runs), and the manifests
/// name and run the images the build makes.
/// </summary>
public class ImageLayoutTests
{
    static readonly Dictionary<string, string> Images = File.ReadAllLines(Path.Combine(Manifests.Root, "deploy", "images", "images.env"))
        .Where(l => l.Contains('=') && !l.StartsWith('#')).Select(l => l.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);

    /// <summary>What a runtime takes from an image: the directives after the last FROM that shape the running container.</summary>
    sealed record Layout(string? WorkDir, string? User, string? Entrypoint, IReadOnlySet<int> Exposed, IReadOnlyDictionary<string, string> Env);

    static Layout Read(string path)
    {
        var text = Regex.Replace(File.ReadAllText(Path.Combine(Manifests.Root, path)), @"\\\r?\n\s*", " ");
        var lines = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        var runtime = lines.Skip(lines.FindLastIndex(l => l.StartsWith("FROM ", StringComparison.Ordinal))).ToList();
        string? Last(string directive) => runtime.LastOrDefault(l => l.StartsWith(directive + " ", StringComparison.Ordinal))?[(directive.Length + 1)..].Trim();
        var env = new Dictionary<string, string>();
        foreach (var line in runtime.Where(l => l.StartsWith("ENV ", StringComparison.Ordinal)))
            foreach (Match m in Regex.Matches(line[4..], @"(\w+)=(\S+)")) env[m.Groups[1].Value] = m.Groups[2].Value;
        var exposed = runtime.Where(l => l.StartsWith("EXPOSE ", StringComparison.Ordinal))
            .SelectMany(l => l[7..].Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(int.Parse).ToHashSet();
        return new Layout(Last("WORKDIR"), Last("USER"), Last("ENTRYPOINT"), exposed, env);
    }

    [Theory]
    [InlineData("deploy/docker/silo-cpu.Dockerfile", "deploy/images/silo-cpu.Containerfile")]
    [InlineData("deploy/docker/client.Dockerfile", "deploy/images/client.Containerfile")]
    public void Both_build_paths_give_the_same_user_paths_environment_ports_and_entrypoint(string dockerfile, string containerfile)
    {
        Layout production = Read(dockerfile), debian = Read(containerfile);
        Assert.Equal(production.WorkDir, debian.WorkDir);
        Assert.Equal(production.User, debian.User);
        Assert.Equal(production.Entrypoint, debian.Entrypoint);
        Assert.Equal(production.Exposed.Order(), debian.Exposed.Order());
        Assert.Equal(production.Env.OrderBy(kv => kv.Key), debian.Env.OrderBy(kv => kv.Key));
        Assert.Equal($"{Images["APP_UID"]}:{Images["APP_UID"]}", debian.User);
    }

    [SkippableFact]
    public void The_dev_overlay_runs_the_silo_image_the_build_makes_as_its_user()
    {
        var rendered = Manifests.Render("dev");
        Skip.If(rendered is null, "kubectl not installed");
        var silo = Manifests.LoadText(rendered).OfType<V1Deployment>().Single(d => d.Metadata.Name.StartsWith("stablesnn-silo", StringComparison.Ordinal));
        var container = Manifests.SiloContainer(silo.Spec.Template.Spec);
        // podman names a local image localhost/NAME:TAG; an unqualified name would be looked up on docker.io instead.
        Assert.Equal($"localhost/{Images["SILO_CPU_IMAGE"]}:{Images["IMAGE_TAG"]}", container.Image);
        Assert.Equal(long.Parse(Images["APP_UID"]), silo.Spec.Template.Spec.SecurityContext.RunAsUser);
    }

    [Theory]
    [InlineData("silo-cpu", "deploy/docker/silo-cpu.Dockerfile")]
    [InlineData("silo-gpu", "deploy/docker/silo-gpu.Dockerfile")]
    public void Each_silo_deployment_matches_its_image_user_ports_and_probe_port(string component, string dockerfile)
    {
        var image = Read(dockerfile);
        var deployment = Manifests.Load(Path.Combine(Manifests.K8sDir, "base", component, "deployment.yaml")).OfType<V1Deployment>().Single();
        var pod = deployment.Spec.Template.Spec;
        var container = Manifests.SiloContainer(pod);
        Assert.Equal(image.User, $"{pod.SecurityContext.RunAsUser}:{pod.SecurityContext.RunAsGroup}");
        Assert.Equal(image.Exposed.Order(), container.Ports.Select(p => p.ContainerPort).Order());
        var http = int.Parse(Regex.Match(image.Env["ASPNETCORE_URLS"], @":(\d+)$").Groups[1].Value);
        foreach (var probe in new[] { container.StartupProbe, container.ReadinessProbe, container.LivenessProbe })
            Assert.Equal(http.ToString(), probe.HttpGet.Port.Value);
        Assert.Contains(container.VolumeMounts, m => image.Env["Node__ArtifactRoot"].StartsWith(m.MountPath + "/", StringComparison.Ordinal));
    }

    [Fact]
    public void The_cli_pod_runs_the_client_image_as_its_user()
    {
        var pod = Manifests.Load(Path.Combine(Manifests.K8sDir, "tools", "cli-pod.yaml")).OfType<V1Pod>().Single();
        var image = Read("deploy/images/client.Containerfile");
        Assert.Matches($@"/{Regex.Escape(Images["CLIENT_IMAGE"])}:\d+\.\d+\.\d+$", pod.Spec.Containers.Single().Image);
        Assert.Equal(image.User!.Split(':')[0], pod.Spec.SecurityContext.RunAsUser.ToString());
        Assert.Equal(image.WorkDir, pod.Spec.Containers.Single().WorkingDir);
    }
}
