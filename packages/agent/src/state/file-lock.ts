// An exclusive lock file (`agent.json.lock`, agent-protocol.md §4.1) around read-modify-write of
// agent.json. It holds the owner's pid so a lock left by a dead process is taken over.

import { open, readFile, unlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

export interface FileLockOptions {
  /** How long to wait for a live holder before giving up; default 5000 ms. */
  readonly timeoutMs?: number;
  readonly retryMs?: number;
}

/** Thrown when another live process keeps the lock; the CLI exits 1. */
export class FileLockError extends Error {
  override readonly name = 'FileLockError';
}

export async function withFileLock<T>(lockFile: string, run: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const retryMs = options.retryMs ?? 50;
  const attempts = Math.max(1, Math.ceil((options.timeoutMs ?? 5000) / retryMs));
  for (let attempt = 1; ; attempt++) {
    const acquired = await tryAcquire(lockFile);
    if (acquired) break;
    if (attempt >= attempts) throw new FileLockError(`${lockFile} is held by another process; try again when it has finished`);
    await sleep(retryMs);
  }
  try {
    return await run();
  } finally {
    await unlink(lockFile);
  }
}

async function tryAcquire(lockFile: string): Promise<boolean> {
  try {
    const handle = await open(lockFile, 'wx', 0o600);
    try {
      await handle.writeFile(`${process.pid}\n`);
    } finally {
      await handle.close();
    }
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if (await holderIsAlive(lockFile)) return false;
  // Stale: its holder died mid-write. Remove it and let the next attempt race for it fairly.
  await unlink(lockFile).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
  return false;
}

async function holderIsAlive(lockFile: string): Promise<boolean> {
  let pid: number;
  try {
    pid = Number.parseInt(await readFile(lockFile, 'utf8'), 10);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  // A lock without a pid yet may be mid-creation by its owner: treat it as live.
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
