"""HTTP plumbing shared by the faces: dependencies, problem details, guards, middleware,
metrics, health probes and the API reference. Knows Litestar; holds no business rules."""
