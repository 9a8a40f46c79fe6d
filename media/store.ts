/**
 * The durable media store: where inbound MMS media is copied before Bandwidth deletes it (48 hours after the message,
 * reference §2.3). Pluggable: the activities take any {@link MediaStore}; Threadline ships a local directory store
 * (the default, under `<THREADLINE_DATA_DIR>/media`) and an in-memory one for tests. An S3-compatible store implements
 * the same methods (put = PutObject, get = GetObject, removeMessage = DeleteObjects under the message's prefix).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** A stored file's bytes and type. */
export interface MediaObject {
  bytes: Buffer;
  contentType: string;
}

export interface MediaStore {
  /** A short name for logs, e.g. `local:/srv/threadline/media`. */
  readonly description: string;
  /** Stores `bytes` under `id` (overwriting: a retried copy writes the same file again); resolves with its URL. */
  put(id: string, object: MediaObject): Promise<{ url: string }>;
  /** The file stored under `id`, or null. */
  get(id: string): Promise<MediaObject | null>;
  /**
   * Deletes every file stored for one message (ids `<messageId>/...`), for retention and erasure; resolves with how
   * many went (0 when none: deleting again is harmless).
   */
  removeMessage(messageId: string): Promise<number>;
}

/** Ids are paths inside the store (`<messageId>/<index>/<name>`): no absolute paths, no `..`, no empty segments. */
export function checkMediaId(id: string): string {
  const segments = id.split('/');
  if (!id || id.startsWith('/') || segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\\'))) {
    throw new Error(`not a valid media id: ${JSON.stringify(id)}`);
  }
  return id;
}

/**
 * Media in a local directory: each file beside a `<file>.meta.json` holding its content type. Writes go to a temporary
 * file first and are renamed into place, so a reader never sees half a file.
 *
 * @param options.publicBaseUrl where the directory is served over HTTP, if it is (URLs are `file://` otherwise)
 */
export function createLocalMediaStore(dir: string, options: { publicBaseUrl?: string } = {}): MediaStore {
  const root = path.resolve(dir);
  const fileOf = (id: string) => path.join(root, ...checkMediaId(id).split('/'));
  const urlOf = (id: string) =>
    options.publicBaseUrl
      ? `${options.publicBaseUrl.replace(/\/$/, '')}/${id.split('/').map(encodeURIComponent).join('/')}`
      : pathToFileURL(fileOf(id)).href;
  return {
    description: `local:${root}`,
    async put(id, object) {
      const file = fileOf(id);
      await fs.mkdir(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
      await fs.writeFile(tmp, object.bytes);
      await fs.writeFile(`${file}.meta.json`, JSON.stringify({ contentType: object.contentType }));
      await fs.rename(tmp, file);
      return { url: urlOf(id) };
    },
    async get(id) {
      const file = fileOf(id);
      try {
        const [bytes, meta] = await Promise.all([fs.readFile(file), fs.readFile(`${file}.meta.json`, 'utf8')]);
        return { bytes, contentType: (JSON.parse(meta) as { contentType: string }).contentType };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
    async removeMessage(messageId) {
      const dir = fileOf(messageId);
      let entries: string[];
      try {
        entries = await fs.readdir(dir, { recursive: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
        throw err;
      }
      const files = entries.filter((e) => !e.endsWith('.meta.json') && !e.endsWith('.tmp'));
      let removed = 0;
      for (const entry of files) {
        const stat = await fs.stat(path.join(dir, entry)).catch(() => null);
        if (stat?.isFile()) removed++;
      }
      await fs.rm(dir, { recursive: true, force: true });
      return removed;
    },
  };
}

/** Media in memory (tests). */
export function createMemoryMediaStore(): MediaStore & { readonly size: number } {
  const files = new Map<string, MediaObject>();
  return {
    description: 'memory',
    get size() {
      return files.size;
    },
    async put(id, object) {
      files.set(checkMediaId(id), { bytes: Buffer.from(object.bytes), contentType: object.contentType });
      return { url: `memory:///${id}` };
    },
    async get(id) {
      return files.get(id) ?? null;
    },
    async removeMessage(messageId) {
      const prefix = `${checkMediaId(messageId)}/`;
      const ids = [...files.keys()].filter((id) => id.startsWith(prefix));
      for (const id of ids) files.delete(id);
      return ids.length;
    },
  };
}
