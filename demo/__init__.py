"""The demo district: its generator, its seeding and the simulator that keeps
it alive. Top of the layers: it drives the domain apps through their services
and nothing imports it."""
