using StableSnn.Silo.Nodes;
using StableSnn.Silo.Storage;

// A silo: Orleans with durable storage (SQLite on one machine, PostgreSQL on clusters), this node's slots and
// trainer launching, and health endpoints. Settings: section "Storage" (Provider, ConnectionString, ServiceId,
// ClusterId), "Node" (NodeOptions) and "Engine" (EngineOptions); environment variables use "__" for ":".
var builder = WebApplication.CreateBuilder(args);
var storage = builder.Configuration.GetSection("Storage").Get<StorageOptions>() ?? new StorageOptions();
builder.UseOrleans(silo => silo.UseStableSnnStorage(storage));
builder.Services.AddStableSnnNode(builder.Configuration);
builder.Services.AddHealthChecks();

var app = builder.Build();
app.MapHealthChecks("/health/live");
app.MapHealthChecks("/health/ready");
app.MapHealthChecks("/health/startup");
app.Run();
