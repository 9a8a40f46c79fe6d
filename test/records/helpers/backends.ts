/**
 * The databases the store contract runs against. Each test gets a fresh, empty database of its backend.
 */
import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { createRecordStore, type RecordStore, type RecordStoreOptions, type RecordStoreTarget } from '../../../records';
import { startTestPostgres, type TestPostgres } from '../../../toolchain/postgres';

export interface TestDatabase {
  /** How to open this database, also from another process (not for memory databases). */
  target: RecordStoreTarget;
  /** Opens a store on this database. For a memory backend every call opens a new, empty database. */
  open(options?: RecordStoreOptions): Promise<RecordStore>;
  /** Runs SQL directly against the database, for checks the store's API does not expose. */
  query<T>(sql: string): Promise<T[]>;
  drop(): Promise<void>;
}

export interface Backend {
  name: string;
  /** Whether several store instances (and processes) can open the same database. */
  shared: boolean;
  /** Prepares the backend; called in `before`. */
  start(): Promise<void>;
  createDatabase(): Promise<TestDatabase>;
  stop(): Promise<void>;
}

/**
 * For a suite on `backend`: starts it before the suite, stops it after, and gives each call of the returned `fresh` a
 * new, empty database, dropped after the suite.
 */
export function useDatabases(backend: Backend): { fresh: () => Promise<TestDatabase> } {
  const databases: TestDatabase[] = [];
  before(() => backend.start());
  after(async () => {
    await Promise.all(databases.map((db) => db.drop()));
    await backend.stop();
  });
  return {
    async fresh() {
      const db = await backend.createDatabase();
      databases.push(db);
      return db;
    },
  };
}

export function sqliteFileBackend(): Backend {
  let dir = '';
  let n = 0;
  return {
    name: 'SQLite file',
    shared: true,
    start() {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-records-'));
      return Promise.resolve();
    },
    createDatabase() {
      // A subdirectory that does not exist yet: the store must create it, as it does in a fresh data directory.
      const sqlitePath = path.join(dir, `db-${++n}`, 'records.sqlite');
      return Promise.resolve({
        target: { sqlitePath },
        open: (options) => createRecordStore({ sqlitePath }, options),
        query: <T>(sql: string) => {
          const db = new Database(sqlitePath, { readonly: true });
          try {
            return Promise.resolve(db.prepare(sql).all() as T[]);
          } finally {
            db.close();
          }
        },
        drop: () => Promise.resolve(),
      });
    },
    stop() {
      fs.rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

export function sqliteMemoryBackend(): Backend {
  return {
    name: 'SQLite memory',
    shared: false,
    start: () => Promise.resolve(),
    createDatabase() {
      return Promise.resolve({
        target: { memory: true },
        open: (options) => createRecordStore({ memory: true }, options),
        query: () => Promise.reject(new Error('a memory database cannot be inspected from outside its store')),
        drop: () => Promise.resolve(),
      });
    },
    stop: () => Promise.resolve(),
  };
}

/**
 * PostgreSQL: the server at `THREADLINE_TEST_DATABASE_URL` when set (the project test runner's), otherwise a
 * throwaway one started from Debian's package. Each test database is created fresh and dropped afterwards.
 */
export function postgresBackend(): Backend {
  let server: TestPostgres | null = null;
  let adminUrl = '';
  const admin = async <T>(work: (client: Client) => Promise<T>): Promise<T> => {
    const client = new Client({ connectionString: adminUrl });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  return {
    name: 'PostgreSQL',
    shared: true,
    async start() {
      const fromEnv = process.env.THREADLINE_TEST_DATABASE_URL;
      if (fromEnv) {
        adminUrl = fromEnv;
        process.stderr.write(`[records tests] using PostgreSQL from THREADLINE_TEST_DATABASE_URL\n`);
      } else {
        server = await startTestPostgres();
        adminUrl = server.url;
      }
    },
    async createDatabase() {
      const name = `threadline_records_${randomBytes(6).toString('hex')}`;
      await admin((c) => c.query(`CREATE DATABASE ${name}`));
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      const databaseUrl = url.toString();
      return {
        target: { databaseUrl },
        open: (options) => createRecordStore({ databaseUrl }, options),
        query: async <T>(sql: string) => {
          const client = new Client({ connectionString: databaseUrl });
          await client.connect();
          try {
            return (await client.query(sql)).rows as T[];
          } finally {
            await client.end();
          }
        },
        drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
      };
    },
    async stop() {
      await server?.stop();
    },
  };
}
