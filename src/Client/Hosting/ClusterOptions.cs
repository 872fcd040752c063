using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace StableSnn.Client.Hosting;

/// <summary>Options every command shares: where the cluster is, or where the embedded silo keeps its data.</summary>
public class ClusterSettings : CommandSettings
{
    [CommandOption("--cluster <HOST:PORT>")]
    [Description("Orleans gateway of a running cluster (e.g. localhost:30000). Without it, an embedded single-node silo starts in this process.")]
    public string? Cluster { get; init; }

    [CommandOption("--cluster-id <ID>")]
    [Description("With --cluster: the cluster's Storage__ClusterId (default 'default'; the manifests use the label orleans/clusterId).")]
    public string ClusterId { get; init; } = "default";

    [CommandOption("--service-id <ID>")]
    [Description("With --cluster: the cluster's Storage__ServiceId (default 'stablesnn').")]
    public string ServiceId { get; init; } = "stablesnn";

    [CommandOption("--data-dir <DIR>")]
    [Description("Embedded silo: where its SQLite state and artifacts (checkpoints, results) live. Default: ./stablesnn-data.")]
    public string DataDir { get; init; } = "stablesnn-data";

    [CommandOption("--gateway-port <PORT>")]
    [Description("Embedded silo: the gateway port other stablesnn commands can join with --cluster localhost:PORT (default 30000).")]
    public int GatewayPort { get; init; } = 30000;

    [CommandOption("--silo-port <PORT>")]
    [Description("Embedded silo: its silo-to-silo port (default 11111).")]
    public int SiloPort { get; init; } = 11111;

    [CommandOption("--verbose")]
    [Description("Also show the host's logs (Orleans, storage, trainer launching) on the console; they always go to DATA_DIR/logs/stablesnn.log.")]
    public bool Verbose { get; init; }

    [CommandOption("--cpu-slots <N>")]
    [Description("Embedded silo: how many experiments run at once on this machine's CPU (default: one per core, as memory allows at 2 GB each; none when GPUs are found, which are found automatically). See docs/slot-sizing.md.")]
    public int? CpuSlots { get; init; }

    [CommandOption("--threads-per-slot <N>")]
    [Description("Embedded silo: intra-op threads of each CPU slot's trainer (default: the cores divided evenly among the slots).")]
    public int? ThreadsPerSlot { get; init; }

    [CommandOption("--tls-cert <FILE>")]
    [Description("With --cluster, for a cluster with mutual TLS: the PEM certificate this client presents, issued by the cluster's CA (default: $STABLESNN_TLS_CERT). Needs --tls-key and --tls-ca.")]
    public string? TlsCert { get; init; }

    [CommandOption("--tls-key <FILE>")]
    [Description("With --cluster: the PEM private key of --tls-cert (default: $STABLESNN_TLS_KEY).")]
    public string? TlsKey { get; init; }

    [CommandOption("--tls-ca <FILE>")]
    [Description("With --cluster: the PEM certificate of the CA the gateway's certificate must be issued by (default: $STABLESNN_TLS_CA).")]
    public string? TlsCa { get; init; }

    public override ValidationResult Validate()
    {
        if (CpuSlots is < 1)
            return ValidationResult.Error($"--cpu-slots: {CpuSlots} runs nothing on a CPU node; give 1 or more (docs/slot-sizing.md says how many)");
        if (ThreadsPerSlot is < 1)
            return ValidationResult.Error($"--threads-per-slot: {ThreadsPerSlot} is not a thread count; give 1 or more, or leave it out to divide the cores evenly");
        return base.Validate();
    }
}
