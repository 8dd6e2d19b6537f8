import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { cidOfBytes, isCidOfBytes, kinds } from '@zi/spec';

const rawCid = kinds.cid('raw');

/**
 * True for the canonical text of a raw CIDv1 with sha2-256 (`bafkrei…`, ENC-2): the only names
 * the store uses, so a name can never be a path.
 */
export function isRawCid(cid: string): boolean {
  try {
    rawCid.fromJson(cid, 'cid');
    return true;
  } catch {
    return false;
  }
}

/**
 * Content-addressed files under `<dataDir>/content/<cid>`: bundles, manifests and result files
 * (ENC-2). A file is named by the CID of its bytes, written to a temp file, fsynced and renamed
 * into place, so a reader sees all of it or nothing.
 *
 * @example
 * const store = new ContentStore(join(dataDir, 'content'));
 * const cid = await store.put(bundleBytes); // 'bafkrei…'
 * await store.get(cid); // the bytes
 */
export class ContentStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** Stores bytes under their CID and returns it; storing the same bytes again changes nothing. */
  async put(bytes: Uint8Array): Promise<string> {
    if (!(bytes instanceof Uint8Array)) throw new TypeError('ContentStore.put: bytes must be a Uint8Array');
    const cid = cidOfBytes(bytes);
    if (this.has(cid)) return cid;
    mkdirSync(this.dir, { recursive: true });
    const path = join(this.dir, cid);
    const temp = join(this.dir, `.${cid}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const file = await open(temp, 'wx', 0o644);
      try {
        await file.writeFile(bytes);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temp, path);
    } finally {
      await rm(temp, { force: true });
    }
    return cid;
  }

  /**
   * Stores bytes fetched by `cid` after checking they hash to it (ENC-2).
   *
   * @throws RangeError when they do not
   */
  async putVerified(cid: string, bytes: Uint8Array): Promise<void> {
    if (!isCidOfBytes(cid, bytes)) throw new RangeError(`ContentStore.putVerified: the bytes are not those of ${cid}`);
    await this.put(bytes);
  }

  /** The bytes stored under `cid`, or undefined. A `maxBytes` limit leaves bigger files unread. */
  async get(cid: string, maxBytes?: number): Promise<Uint8Array | undefined> {
    if (!isRawCid(cid)) throw new TypeError(`ContentStore.get: "${String(cid).slice(0, 80)}" is not a raw CID (bafkrei…)`);
    const path = join(this.dir, cid);
    try {
      if (maxBytes !== undefined && (await stat(path)).size > maxBytes) return undefined;
      return new Uint8Array(await readFile(path));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  has(cid: string): boolean {
    return isRawCid(cid) && existsSync(join(this.dir, cid));
  }
}
