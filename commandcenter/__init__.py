"""The shared core: organisation, users and roles, the access policy, the
event log and its live stream. It imports no other app of the project."""
