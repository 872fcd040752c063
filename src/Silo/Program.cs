using StableSnn.Silo;

// A silo (SiloHost): Orleans, this node's slots, /metrics and /health/{live,ready,startup}.
SiloHost.Build(args).Run();
