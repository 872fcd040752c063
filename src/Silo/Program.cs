// The silo host. Clustering/storage providers, slot discovery, trainer launching and telemetry arrive with the
// sweep-engine and telemetry issues; for now it hosts Orleans on localhost with health endpoints.
var builder = WebApplication.CreateBuilder(args);
builder.UseOrleans(silo => silo.UseLocalhostClustering());
builder.Services.AddHealthChecks();

var app = builder.Build();
app.MapHealthChecks("/health/live");
app.MapHealthChecks("/health/ready");
app.MapHealthChecks("/health/startup");
app.Run();
