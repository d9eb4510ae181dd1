// Crash-safe file replacement: write a 0600 temp sibling, fsync, rename over the target, fsync the
// directory. Readers see the old or the new file, never a torn one; no temp file is left behind.

import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** File mode of the result; default 0600. */
  readonly mode?: number;
  /** Source of the temp-name suffix (injected so tests can force a collision). */
  readonly random?: (bytes: number) => Buffer;
}

export async function writeFileAtomic(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const mode = options.mode ?? 0o600;
  const suffix = (options.random ?? randomBytes)(6).toString('hex');
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${suffix}.tmp`);
  const handle = await open(temp, 'wx', mode);
  try {
    try {
      await handle.chmod(mode); // open() applies the umask; the mode must be exact
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (err) {
    await unlink(temp).catch((cleanup: NodeJS.ErrnoException) => {
      if (cleanup.code !== 'ENOENT') throw cleanup;
    });
    throw err;
  }
  await syncDirectory(dirname(file));
}

/** Makes the rename durable: without it a power cut can undo the new directory entry. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
