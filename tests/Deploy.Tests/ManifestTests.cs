using System.Reflection;
using k8s;
using k8s.Models;
using StableSnn.Grains;
using StableSnn.Silo.Nodes;
using StableSnn.Silo.Storage;
using YamlDotNet.RepresentationModel;

namespace StableSnn.Deploy.Tests;

public class ManifestTests
{
    static readonly HashSet<Type> KnownKinds =
    [
        typeof(V1Namespace), typeof(V1ServiceAccount), typeof(V1Role), typeof(V1RoleBinding), typeof(V1Service),
        typeof(V1Deployment), typeof(V1StatefulSet), typeof(V1Job), typeof(V1PersistentVolumeClaim), typeof(V1Pod),
        typeof(V1PodDisruptionBudget), typeof(V1NetworkPolicy), typeof(V1ConfigMap), typeof(V1Secret),
    ];

    /// <summary>Configuration keys the silo reads, as environment variables ("__" for ":").</summary>
    public static readonly HashSet<string> SiloSettings =
        Section("Storage", typeof(StorageOptions)).Concat(Section("Node", typeof(NodeOptions))).Concat(Section("Engine", typeof(EngineOptions)))
            .Concat(Section(StableSnn.Silo.Network.NetworkOptions.Section, typeof(StableSnn.Silo.Network.NetworkOptions)))
            .Concat(Section(StableSnn.Silo.Security.TlsOptions.Section, typeof(StableSnn.Silo.Security.TlsOptions)))
            .Concat(Section(StableSnn.Silo.Telemetry.OperatorDashboardOptions.Section, typeof(StableSnn.Silo.Telemetry.OperatorDashboardOptions)))
            .Append("ASPNETCORE_URLS").ToHashSet(StringComparer.Ordinal);

    static IEnumerable<string> Section(string name, Type options) =>
        options.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.GetMethod!.IsPublic)
            .Select(p => $"{name}__{p.Name}");

    static bool IsAllowedEnv(string name) =>
        SiloSettings.Contains(name) || name.StartsWith("POD_", StringComparison.Ordinal) || name.StartsWith("ORLEANS_", StringComparison.Ordinal);

    [Fact]
    public void Every_silo_turns_on_Orleans_kubernetes_hosting()
    {
        foreach (var silo in Manifests.Silos())
        {
            var env = Manifests.SiloContainer(silo.Spec.Template.Spec).Env;
            Assert.Contains(env, e => e.Name == StableSnn.Silo.SiloHost.KubernetesHostingVariable && e.Value == "true");
            Assert.Contains(env, e => e.Name == "POD_IP" && e.ValueFrom?.FieldRef?.FieldPath == "status.podIP");
        }
    }

    [Fact]
    public void There_are_manifests_and_kustomizations()
    {
        Assert.NotEmpty(Manifests.ObjectFiles());
        Assert.Contains(Manifests.KustomizationFiles(), f => f.EndsWith(Path.Combine("base", "kustomization.yaml")));
        Assert.True(File.Exists(Path.Combine(Manifests.K8sDir, "overlays", "dev", "kustomization.yaml")));
        Assert.True(File.Exists(Path.Combine(Manifests.K8sDir, "overlays", "gpu-cluster", "kustomization.yaml")));
    }

    [Fact]
    public void Every_object_loads_strictly_as_a_known_kind()
    {
        foreach (var file in Manifests.ObjectFiles())
        {
            IReadOnlyList<object> objects;
            try { objects = Manifests.Load(file); }
            catch (Exception e) { throw new Xunit.Sdk.XunitException($"{file}: {e.Message}"); }
            Assert.True(objects.Count > 0, $"{file}: no Kubernetes object");
            foreach (var o in objects)
            {
                Assert.True(KnownKinds.Contains(o.GetType()), $"{file}: unexpected kind {o.GetType().Name}");
                var meta = ((IMetadata<V1ObjectMeta>)o).Metadata;
                Assert.False(string.IsNullOrEmpty(meta?.Name), $"{file}: {o.GetType().Name} without a name");
            }
        }
    }

    [Fact]
    public void Strict_loading_rejects_unknown_fields_and_kinds()
    {
        Assert.ThrowsAny<Exception>(() => Manifests.LoadText("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndatta: {}\n"));
        Assert.ThrowsAny<Exception>(() => Manifests.LoadText("apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: x}\n"));
    }

    [Fact]
    public void Kustomizations_reference_existing_files_and_every_manifest()
    {
        var referenced = new HashSet<string>();
        foreach (var k in Manifests.KustomizationFiles())
        {
            var map = Manifests.Kustomization(k);
            var kind = ((YamlScalarNode)map["kind"]).Value;
            var api = ((YamlScalarNode)map["apiVersion"]).Value;
            Assert.True((kind, api) is ("Kustomization", "kustomize.config.k8s.io/v1beta1") or ("Component", "kustomize.config.k8s.io/v1alpha1"),
                $"{k}: {api} {kind}");
            foreach (var key in new[] { "resources", "components", "patches" })
                foreach (var path in Manifests.Referenced(k, key))
                {
                    Assert.True(File.Exists(path) || File.Exists(Path.Combine(path, "kustomization.yaml")), $"{k}: {key} entry {path} does not exist");
                    referenced.Add(path);
                }
        }
        var tools = Path.Combine(Manifests.K8sDir, "tools");
        foreach (var file in Manifests.ObjectFiles().Where(f => !f.StartsWith(tools, StringComparison.Ordinal)))
            Assert.True(referenced.Contains(file), $"{file} is in no kustomization");
    }

    [Fact]
    public void There_are_a_cpu_and_a_gpu_silo()
    {
        var names = Manifests.Silos().Select(d => d.Metadata.Name).Order().ToList();
        Assert.Equal(["stablesnn-silo-cpu", "stablesnn-silo-gpu"], names);
    }

    [Fact]
    public void Silo_containers_expose_http_silo_gateway_and_dashboard_ports()
    {
        var dashboardPort = new StableSnn.Silo.Telemetry.OperatorDashboardOptions().Port;
        foreach (var silo in Manifests.Silos())
        {
            var container = Manifests.SiloContainer(silo.Spec.Template.Spec);
            var ports = container.Ports.ToDictionary(p => p.Name, p => p.ContainerPort);
            Assert.Equal(new Dictionary<string, int> { ["http"] = 8080, ["silo"] = 11111, ["gateway"] = 30000, ["dashboard"] = dashboardPort }, ports);
            Assert.Contains(container.Env, e => e.Name == "Dashboard__Enabled" && e.Value == "true"); // on in the cluster
        }
    }

    [Fact]
    public void Probes_use_the_health_endpoints_on_8080()
    {
        foreach (var silo in Manifests.Silos())
        {
            var c = Manifests.SiloContainer(silo.Spec.Template.Spec);
            foreach (var (probe, path) in new[] { (c.StartupProbe, "/health/startup"), (c.ReadinessProbe, "/health/ready"), (c.LivenessProbe, "/health/live") })
            {
                Assert.NotNull(probe?.HttpGet);
                Assert.Equal(path, probe.HttpGet.Path);
                Assert.Equal("8080", probe.HttpGet.Port.Value);
            }
            // The paths are the silo's own constants.
            Assert.Equal("/health/startup", StableSnn.Silo.Telemetry.TelemetryExtensions.StartupPath);
            Assert.Equal("/health/ready", StableSnn.Silo.Telemetry.TelemetryExtensions.ReadyPath);
            Assert.Equal("/health/live", StableSnn.Silo.Telemetry.TelemetryExtensions.LivePath);
        }
    }

    [Fact]
    public void Every_silo_env_var_is_a_setting_the_silo_reads()
    {
        var containers = Manifests.Silos().Select(d => Manifests.SiloContainer(d.Spec.Template.Spec))
            .Concat(Manifests.PatchFiles().SelectMany(Manifests.Load).OfType<V1Deployment>()
                .SelectMany(d => d.Spec?.Template?.Spec?.Containers ?? []).Where(c => c.Name == "silo"));
        int count = 0;
        foreach (var c in containers)
            foreach (var env in c.Env ?? [])
            {
                count++;
                Assert.True(IsAllowedEnv(env.Name), $"container {c.Name}: {env.Name} is not a setting the silo reads");
            }
        Assert.True(count > 0);
    }

    [Fact]
    public void Silo_pods_are_configured_for_a_postgresql_cluster_and_the_shared_volume()
    {
        foreach (var silo in Manifests.Silos())
        {
            var pod = silo.Spec.Template;
            var env = Manifests.SiloContainer(pod.Spec).Env.ToDictionary(e => e.Name);
            Assert.Equal("postgresql", env["Storage__Provider"].Value);
            Assert.Equal("stablesnn-postgres", env["Storage__ConnectionString"].ValueFrom.SecretKeyRef.Name);
            Assert.Equal("connection-string", env["Storage__ConnectionString"].ValueFrom.SecretKeyRef.Key);
            Assert.Equal("/artifacts/runs", env["Node__ArtifactRoot"].Value);
            Assert.Equal("http://+:8080", env["ASPNETCORE_URLS"].Value);
            foreach (var (name, field) in new[] { ("POD_NAME", "metadata.name"), ("POD_NAMESPACE", "metadata.namespace"), ("POD_IP", "status.podIP") })
                Assert.Equal(field, env[name].ValueFrom.FieldRef.FieldPath);

            Assert.Equal("stablesnn", pod.Metadata.Labels["orleans/serviceId"]);
            Assert.Equal("default", pod.Metadata.Labels["orleans/clusterId"]);
            Assert.Equal("stablesnn", pod.Metadata.Labels["app.kubernetes.io/part-of"]);
            Assert.Equal(new StorageOptions().ServiceId, pod.Metadata.Labels["orleans/serviceId"]);
            Assert.Equal(new StorageOptions().ClusterId, pod.Metadata.Labels["orleans/clusterId"]);

            Assert.Equal("true", pod.Metadata.Annotations["prometheus.io/scrape"]);
            Assert.Equal("8080", pod.Metadata.Annotations["prometheus.io/port"]);
            Assert.Equal("/metrics", pod.Metadata.Annotations["prometheus.io/path"]);

            Assert.True(pod.Spec.TerminationGracePeriodSeconds >= 300, $"{silo.Metadata.Name}: grace period too short to checkpoint");
            Assert.Equal("stablesnn-silo", pod.Spec.ServiceAccountName);

            var mount = Manifests.SiloContainer(pod.Spec).VolumeMounts.Single(m => m.MountPath == "/artifacts");
            var volume = pod.Spec.Volumes.Single(v => v.Name == mount.Name);
            Assert.Equal("stablesnn-artifacts", volume.PersistentVolumeClaim.ClaimName);
        }
        var pvc = Manifests.Resources().Select(r => r.Obj).OfType<V1PersistentVolumeClaim>().Single(p => p.Metadata.Name == "stablesnn-artifacts");
        Assert.Contains("ReadWriteMany", pvc.Spec.AccessModes);
    }

    [Fact]
    public void Gpu_silo_requests_gpus_on_gpu_nodes()
    {
        var gpu = Manifests.Silos().Single(d => d.Metadata.Name == "stablesnn-silo-gpu");
        var spec = gpu.Spec.Template.Spec;
        var res = Manifests.SiloContainer(spec).Resources;
        Assert.True(res.Limits.ContainsKey("nvidia.com/gpu"), "GPU limit missing");
        Assert.True(res.Limits["nvidia.com/gpu"].ToInt32() >= 1);
        Assert.NotEmpty(spec.NodeSelector);
        Assert.Contains(spec.Tolerations, t => t.Key == "nvidia.com/gpu");
        Assert.Contains(Manifests.SiloContainer(spec).Env, e => e.Name == "Node__SlotsPerGpu");

        var cpu = Manifests.Silos().Single(d => d.Metadata.Name == "stablesnn-silo-cpu");
        Assert.False(Manifests.SiloContainer(cpu.Spec.Template.Spec).Resources.Limits?.ContainsKey("nvidia.com/gpu") ?? false);
    }

    [Fact]
    public void Rbac_lets_the_silo_account_read_and_watch_pods()
    {
        var objs = Manifests.Resources().Select(r => r.Obj).ToList();
        var role = objs.OfType<V1Role>().Single(r => r.Metadata.Name == "stablesnn-silo");
        var pods = role.Rules.Where(r => r.ApiGroups.Contains("") && r.Resources.Contains("pods")).SelectMany(r => r.Verbs).ToHashSet();
        Assert.Superset(new HashSet<string> { "get", "list", "watch", "delete" }, pods);
        var binding = objs.OfType<V1RoleBinding>().Single(b => b.Metadata.Name == "stablesnn-silo");
        Assert.Equal(("Role", "stablesnn-silo"), (binding.RoleRef.Kind, binding.RoleRef.Name));
        Assert.Contains(binding.Subjects, s => s.Kind == "ServiceAccount" && s.Name == "stablesnn-silo");
        Assert.Contains(objs.OfType<V1ServiceAccount>(), a => a.Metadata.Name == "stablesnn-silo");
    }

    [Fact]
    public void Services_and_network_policy_match_the_silo_ports()
    {
        var objs = Manifests.Resources().Select(r => r.Obj).ToList();
        var gateway = objs.OfType<V1Service>().Single(s => s.Metadata.Name == "stablesnn-gateway");
        Assert.Equal(30000, gateway.Spec.Ports.Single().Port);
        Assert.Equal("stablesnn-silo", gateway.Spec.Selector["app.kubernetes.io/name"]);

        var policy = objs.OfType<V1NetworkPolicy>().Single(p => p.Metadata.Name == "stablesnn-silo");
        var orleans = policy.Spec.Ingress.Single(r => r.Ports.Any(p => p.Port.Value == "11111"));
        // The dashboard has no authentication: only StableSnn pods (and port-forwards) reach it, like the Orleans ports.
        Assert.Equal(["11111", "30000", "8081"], orleans.Ports.Select(p => p.Port.Value).Order());
        Assert.Equal("stablesnn", orleans.FromProperty.Single().PodSelector.MatchLabels["app.kubernetes.io/part-of"]);
        Assert.Null(orleans.FromProperty.Single().NamespaceSelector);
        var http = policy.Spec.Ingress.Single(r => r.Ports.Any(p => p.Port.Value == "8080"));
        Assert.Equal(["8080"], http.Ports.Select(p => p.Port.Value));
        Assert.Equal("monitoring", http.FromProperty.Single().NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"]);
        Assert.NotNull(http.FromProperty.Single().PodSelector);

        var pdb = objs.OfType<V1PodDisruptionBudget>().Single();
        Assert.Equal("stablesnn-silo", pdb.Spec.Selector.MatchLabels["app.kubernetes.io/name"]);
    }

    [Fact]
    public void Dashboard_config_map_equals_the_dashboard_file()
    {
        var file = File.ReadAllText(Path.Combine(Manifests.Root, "deploy", "grafana", "stablesnn-dashboard.json"));
        var map = Manifests.Resources().Select(r => r.Obj).OfType<V1ConfigMap>().Single(c => c.Metadata.Name == "stablesnn-grafana-dashboard");
        Assert.True(file == map.Data["stablesnn-dashboard.json"],
            "deploy/k8s/base/grafana-dashboard-configmap.yaml differs from deploy/grafana/stablesnn-dashboard.json: run deploy/k8s/update-dashboard.sh");
    }

    [SkippableFact]
    public void Overlays_render_as_intended()
    {
        var dev = Manifests.Render("dev");
        var gpu = Manifests.Render("gpu-cluster");
        // Reported as skipped, never as passed: kubectl is not a Debian 12 package (the file-level tests above still run).
        Skip.If(dev is null || gpu is null, "kubectl is not installed, so the overlays cannot be rendered; install kubectl to run this check");

        var devObjs = Manifests.LoadText(dev!);
        Assert.Contains(devObjs.OfType<V1Deployment>(), d => d.Metadata.Name == "stablesnn-silo-cpu");
        Assert.DoesNotContain(devObjs.OfType<V1Deployment>(), d => d.Metadata.Name == "stablesnn-silo-gpu");
        Assert.Contains(devObjs.OfType<V1StatefulSet>(), s => s.Metadata.Name == "stablesnn-postgres");
        var secret = devObjs.OfType<V1Secret>().Single(s => s.Metadata.Name == "stablesnn-postgres");
        Assert.True(secret.Data?.ContainsKey("connection-string") == true || secret.StringData?.ContainsKey("connection-string") == true);

        var gpuObjs = Manifests.LoadText(gpu!);
        var silo = gpuObjs.OfType<V1Deployment>().Single();
        Assert.Equal("stablesnn-silo-gpu", silo.Metadata.Name);
        Assert.True(silo.Spec.Replicas > 1);
        Assert.DoesNotContain(gpuObjs, o => o is V1StatefulSet or V1Secret); // external PostgreSQL, Secret made by hand
        var env = Manifests.SiloContainer(silo.Spec.Template.Spec).Env;
        Assert.Equal(env.Count, env.Select(e => e.Name).Distinct().Count());
        Assert.All(env, e => Assert.True(IsAllowedEnv(e.Name), e.Name));
        Assert.All(gpuObjs.Concat(devObjs).OfType<IMetadata<V1ObjectMeta>>().Where(o => o is not V1Namespace),
            o => Assert.Equal("stablesnn", o.Metadata.NamespaceProperty));
    }

    [Fact]
    public void Mutual_tls_is_on_in_the_gpu_cluster_from_the_secret_and_off_in_dev_and_base()
    {
        foreach (var deployment in Manifests.Silos()) // base: off
            Assert.DoesNotContain(Manifests.SiloContainer(deployment.Spec.Template.Spec).Env, e => e.Name.StartsWith("Tls__", StringComparison.Ordinal));

        var dev = Manifests.Render("dev");
        var gpu = Manifests.Render("gpu-cluster");
        if (dev is null || gpu is null) return; // kubectl not installed
        var devSilo = Manifests.LoadText(dev).OfType<V1Deployment>().Single(d => d.Metadata.Name == "stablesnn-silo-cpu");
        Assert.DoesNotContain(Manifests.SiloContainer(devSilo.Spec.Template.Spec).Env, e => e.Name.StartsWith("Tls__", StringComparison.Ordinal));

        var pod = Manifests.LoadText(gpu).OfType<V1Deployment>().Single().Spec.Template.Spec;
        var silo = Manifests.SiloContainer(pod);
        var env = silo.Env.ToDictionary(e => e.Name, e => e.Value);
        Assert.Equal("true", env["Tls__Enabled"]);
        var mount = silo.VolumeMounts.Single(m => m.Name == "tls");
        Assert.True(mount.ReadOnlyProperty);
        foreach (var (setting, file) in new[] { ("Tls__CertificatePath", "tls.crt"), ("Tls__KeyPath", "tls.key"), ("Tls__CaPath", "ca.crt") })
            Assert.Equal($"{mount.MountPath}/{file}", env[setting]);
        var volume = pod.Volumes.Single(v => v.Name == "tls");
        Assert.Equal("stablesnn-tls", volume.Secret.SecretName);
        Assert.NotEqual(true, volume.Secret.Optional); // a silo without its certificate must not start
        Assert.Equal(0b100_100_000, volume.Secret.DefaultMode); // 0440
    }

    [Fact]
    public void The_cli_pod_mounts_the_tls_secret_optionally_and_leaves_tls_off_for_dev()
    {
        var pod = Manifests.Load(Path.Combine(Manifests.K8sDir, "tools", "cli-pod.yaml")).OfType<V1Pod>().Single();
        var cli = pod.Spec.Containers.Single();
        var mount = cli.VolumeMounts.Single(m => m.Name == "tls");
        Assert.True(mount.ReadOnlyProperty);
        var volume = pod.Spec.Volumes.Single(v => v.Name == "tls");
        Assert.Equal("stablesnn-tls", volume.Secret.SecretName);
        Assert.True(volume.Secret.Optional == true, "the dev overlay has no Secret stablesnn-tls: the pod must start without it");
        // Set by hand for a cluster with TLS (the file's comment says how); set here, they would break the dev overlay.
        Assert.DoesNotContain(cli.Env ?? [], e => e.Name.StartsWith("STABLESNN_TLS_", StringComparison.Ordinal));
        var text = File.ReadAllText(Path.Combine(Manifests.K8sDir, "tools", "cli-pod.yaml"));
        foreach (var (variable, file) in new[] { ("STABLESNN_TLS_CERT", "tls.crt"), ("STABLESNN_TLS_KEY", "tls.key"), ("STABLESNN_TLS_CA", "ca.crt") })
            Assert.Contains($"#   - name: {variable}\n      #     value: {mount.MountPath}/{file}", text.Replace("\r\n", "\n"));
    }

    [Fact]
    public void The_guide_lists_every_setting_the_silo_reads()
    {
        var guide = File.ReadAllText(Path.Combine(Manifests.Root, "deploy", "README.md"));
        foreach (var setting in SiloSettings)
            Assert.True(guide.Contains($"`{setting}`", StringComparison.Ordinal), $"deploy/README.md does not list {setting}");
    }
}
