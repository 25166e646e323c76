import { randomUUID } from 'node:crypto';
import type { Kv } from './kv.js';

/** The write, read and delete behind `Kv.check`, shared by every implementation. */
export async function writeReadDelete(kv: Pick<Kv, 'set' | 'get' | 'del'>, key: string): Promise<void> {
  const value = randomUUID();
  await kv.set(key, value, 10_000);
  const read = await kv.get(key);
  await kv.del(key);
  if (read !== value) throw new Error('the store did not return the value just written');
}
