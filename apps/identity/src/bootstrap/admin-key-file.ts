import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { ADMIN_KEY_FILE } from '@siteops/runtime';

/**
 * Writes the admin key to `<dataDir>/admin-api-key`, readable by its owner
 * only. The directory is created 0700 when missing (an existing one is left
 * as the operator made it). The key goes to a temporary file that is synced
 * and then renamed over the target, so a crash never leaves half a key.
 */
export async function writeAdminKeyFile(dataDir: string, key: string): Promise<string> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const target = path.join(dataDir, ADMIN_KEY_FILE);
  const temporary = `${target}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const file = await open(temporary, 'wx', 0o600);
    try {
      await file.writeFile(`${key}\n`, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return target;
}
