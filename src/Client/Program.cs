using Spectre.Console.Cli;
using StableSnn.Client.Commands;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("stablesnn");
    config.AddCommand<RunCommand>("run")
        .WithDescription("Run a sweep spec to the end on the embedded single-node silo and write the results.");
});
return await app.RunAsync(args);
