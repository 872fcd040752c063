using System.Text.RegularExpressions;

namespace StableSnn.Deploy.Tests;

/// <summary>The Dockerfiles cannot be built here (no Docker engine); these check what can be read.</summary>
public class DockerfileTests
{
    static string Read(string name) => File.ReadAllText(Path.Combine(Manifests.Root, "deploy", "docker", name));

    public static TheoryData<string> Files => new() { "silo-gpu.Dockerfile", "silo-cpu.Dockerfile", "client.Dockerfile" };

    [Theory, MemberData(nameof(Files))]
    public void Base_images_are_pinned_and_nothing_secret_is_baked_in(string name)
    {
        var text = Read(name);
        var images = Regex.Matches(text, @"^ARG \w+_IMAGE=(\S+)$", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(images);
        foreach (var image in images)
            Assert.Matches(@":\d+\.\d+(\.\d+)?[-\w.]*$", image);
        Assert.DoesNotMatch(@"(?im)^FROM\s+\S+:latest", text);
        Assert.DoesNotMatch(@"(?i)password\s*=|ConnectionString\s*=|Storage__ConnectionString", text);
        Assert.Matches(@"(?m)^USER\s+[1-9]\d*", text);
        Assert.Contains("libtcmalloc-minimal4", text);
        Assert.Contains("LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4", text);
        Assert.True(File.Exists(Path.Combine(Manifests.Root, "deploy", "docker", name + ".dockerignore")));
    }

    [Fact]
    public void Gpu_image_builds_the_cuda_backend_on_a_cuda_12_8_runtime()
    {
        var text = Read("silo-gpu.Dockerfile");
        Assert.Matches(@"CUDA_RUNTIME_IMAGE=nvidia/cuda:12\.8\.\d+-[\w-]*runtime-ubuntu", text);
        Assert.Equal(2, Regex.Matches(text, "dotnet publish [^\n]*-p:TorchBackend=cuda").Count);
        Assert.DoesNotContain("TorchBackend=cpu", text);
    }

    [Theory]
    [InlineData("silo-gpu.Dockerfile")]
    [InlineData("silo-cpu.Dockerfile")]
    public void Silo_images_serve_http_on_8080_and_expose_the_orleans_ports(string name)
    {
        var text = Read(name);
        Assert.Contains("ASPNETCORE_URLS=http://+:8080", text);
        Assert.Matches(@"(?m)^EXPOSE 8080 11111 30000 8081$", text);
        Assert.Contains("ENTRYPOINT [\"dotnet\", \"/app/StableSnn.Silo.dll\"]", text);
        Assert.Contains("src/Trainer/StableSnn.Trainer.csproj", text);
    }
}
