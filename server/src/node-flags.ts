// The node flags the server runs with. package.json's start script and the Dockerfile spell them out
// too (keep the three together); the fan-out benchmark and the profiling scripts start the server
// with these, and bench:ingest runs its persister under them, so they measure what production runs.
//
// --single-threaded-gc: V8 otherwise spreads garbage collection over four helper threads whatever
// the machine has; on two cores they compete with the embedded database's thread and the event loop.
// Draining a tick backlog into the embedded engine, the helpers took half a core and the persister
// reached about 91k ticks/s; without them, about 104k (docs/benchmarks.md, ingest). CPU per
// delivered delta and event-loop delay under the fan-out load did not change measurably. On a
// machine with cores to spare, the server can be started without it.
export const SERVER_NODE_FLAGS: readonly string[] = ['--single-threaded-gc'];
