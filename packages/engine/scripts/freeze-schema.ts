// `npm run db:freeze`: records new migrations in migrations.lock.json (never changing a released
// entry) and rewrites schema.snapshot.json from a freshly migrated embedded database.

import { writeFileSync } from 'node:fs';
import { pino } from 'pino';
import { dumpCatalog } from '../src/db/catalog-dump';
import { openDatabase } from '../src/db/database';
import { migrateToLatest } from '../src/db/migrate';
import { hashMigration, LOCK_FILE, migrationFiles, readLock, SNAPSHOT_FILE } from '../src/db/migrations-lock';

const lock = (() => {
  try {
    return readLock();
  } catch {
    return {};
  }
})();
for (const name of migrationFiles()) {
  const hash = hashMigration(name);
  if (lock[name] && lock[name] !== hash) {
    console.error(`${name} changed after release; write a new migration instead`);
    process.exit(1);
  }
  lock[name] = hash;
}
writeFileSync(LOCK_FILE, `${JSON.stringify(lock, null, 2)}\n`);

const database = await openDatabase({ kind: 'pglite', dataDir: null });
await migrateToLatest(database, { log: pino({ level: 'warn' }) });
writeFileSync(SNAPSHOT_FILE, `${JSON.stringify(await dumpCatalog(database.db), null, 2)}\n`);
await database.close();
console.log(`locked ${Object.keys(lock).length} migrations; snapshot written`);
