namespace StableSnn.Silo.Telemetry;

/// <summary>
/// The Orleans Dashboard (grains, silos, call rates, reminders) on its own port, section "Dashboard". Off by default and
/// never in the CLI's embedded silo; the Kubernetes manifests turn it on and their NetworkPolicy keeps the port inside
/// the cluster. It has no authentication: never expose the port beyond the operators' network.
/// </summary>
public sealed record OperatorDashboardOptions(bool Enabled = false, int Port = 8081)
{
    public const string Section = "Dashboard";

    public OperatorDashboardOptions Validate() => Port is > 0 and <= 65535 ? this
        : throw new ArgumentException($"{Section}:Port: {Port} is not a TCP port; give a number from 1 to 65535");
}
