import { type Db } from './database';
import {
  AccountSchema,
  ApplicationSchema,
  BehaviorSchema,
  PhoneNumberSchema,
  type Account,
  type AccountInput,
  type Application,
  type ApplicationInput,
  type Behavior,
  type PhoneNumber,
  type PhoneNumberInput,
} from './directory-schemas';

/**
 * Accounts, applications, numbers and scripted number behaviour. Held in memory for the hot paths and written
 * through to SQLite so that admin changes survive a restart.
 */
export class Directory {
  private readonly accounts = new Map<string, Account>();
  private readonly applications = new Map<string, Application>();
  private readonly numbers = new Map<string, PhoneNumber>();
  private readonly behaviors = new Map<string, Behavior>();

  constructor(private readonly db: Db) {
    for (const row of db.prepare('SELECT data FROM accounts').all() as { data: string }[]) {
      const a = AccountSchema.parse(JSON.parse(row.data));
      this.accounts.set(a.id, a);
    }
    for (const row of db.prepare('SELECT data FROM applications').all() as { data: string }[]) {
      const a = ApplicationSchema.parse(JSON.parse(row.data));
      this.applications.set(a.id, a);
    }
    for (const row of db.prepare('SELECT data FROM numbers').all() as { data: string }[]) {
      const n = PhoneNumberSchema.parse(JSON.parse(row.data));
      this.numbers.set(n.number, n);
    }
    for (const row of db.prepare('SELECT number, data FROM behaviors').all() as { number: string; data: string }[]) {
      this.behaviors.set(row.number, BehaviorSchema.parse(JSON.parse(row.data)));
    }
  }

  // Accounts

  account(id: string): Account | undefined {
    return this.accounts.get(id);
  }

  listAccounts(): Account[] {
    return [...this.accounts.values()];
  }

  putAccount(input: AccountInput): Account {
    const account = AccountSchema.parse(input);
    this.accounts.set(account.id, account);
    this.db
      .prepare('INSERT INTO accounts (id, data) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data')
      .run(account.id, JSON.stringify(account));
    return account;
  }

  deleteAccount(id: string): boolean {
    if (!this.accounts.delete(id)) return false;
    this.db.prepare('DELETE FROM accounts WHERE id = ?').run(id);
    for (const app of this.listApplications(id)) this.deleteApplication(app.id);
    for (const n of this.listNumbers(id)) this.deleteNumber(n.number);
    return true;
  }

  /** The account and credential owning an OAuth2 client id. */
  findByClientId(clientId: string): { account: Account; credential: Account['credentials'][number] } | undefined {
    for (const account of this.accounts.values()) {
      const credential = account.credentials.find((c) => c.clientId === clientId);
      if (credential) return { account, credential };
    }
    return undefined;
  }

  /** Accounts on which `username` is a legacy API user. */
  findByUsername(username: string): { account: Account; user: Account['apiUsers'][number] }[] {
    const found: { account: Account; user: Account['apiUsers'][number] }[] = [];
    for (const account of this.accounts.values()) {
      const user = account.apiUsers.find((u) => u.username === username);
      if (user) found.push({ account, user });
    }
    return found;
  }

  // Applications

  application(id: string): Application | undefined {
    return this.applications.get(id);
  }

  listApplications(accountId?: string): Application[] {
    return [...this.applications.values()].filter((a) => accountId === undefined || a.accountId === accountId);
  }

  putApplication(input: ApplicationInput): Application {
    const app = ApplicationSchema.parse(input);
    if (!this.accounts.has(app.accountId)) throw new DirectoryError(`account ${app.accountId} does not exist`);
    this.applications.set(app.id, app);
    this.db
      .prepare(
        'INSERT INTO applications (id, account_id, data) VALUES (?, ?, ?) ' +
          'ON CONFLICT(id) DO UPDATE SET account_id = excluded.account_id, data = excluded.data',
      )
      .run(app.id, app.accountId, JSON.stringify(app));
    return app;
  }

  deleteApplication(id: string): boolean {
    if (!this.applications.delete(id)) return false;
    this.db.prepare('DELETE FROM applications WHERE id = ?').run(id);
    return true;
  }

  // Numbers

  number(tn: string): PhoneNumber | undefined {
    return this.numbers.get(tn);
  }

  listNumbers(accountId?: string): PhoneNumber[] {
    return [...this.numbers.values()].filter((n) => accountId === undefined || n.accountId === accountId);
  }

  putNumber(input: PhoneNumberInput): PhoneNumber {
    const n = PhoneNumberSchema.parse(input);
    if (!this.accounts.has(n.accountId)) throw new DirectoryError(`account ${n.accountId} does not exist`);
    if (n.applicationId !== undefined) {
      const app = this.applications.get(n.applicationId);
      if (!app) throw new DirectoryError(`application ${n.applicationId} does not exist`);
      if (app.accountId !== n.accountId) {
        throw new DirectoryError(`application ${n.applicationId} belongs to account ${app.accountId}`);
      }
    }
    this.numbers.set(n.number, n);
    this.db
      .prepare(
        'INSERT INTO numbers (number, account_id, data) VALUES (?, ?, ?) ' +
          'ON CONFLICT(number) DO UPDATE SET account_id = excluded.account_id, data = excluded.data',
      )
      .run(n.number, n.accountId, JSON.stringify(n));
    return n;
  }

  deleteNumber(tn: string): boolean {
    if (!this.numbers.delete(tn)) return false;
    this.db.prepare('DELETE FROM numbers WHERE number = ?').run(tn);
    return true;
  }

  // Behaviours

  behavior(tn: string): Behavior | undefined {
    return this.behaviors.get(tn);
  }

  listBehaviors(): { number: string; behavior: Behavior }[] {
    return [...this.behaviors.entries()].map(([number, behavior]) => ({ number, behavior }));
  }

  putBehavior(tn: string, input: unknown): Behavior {
    const behavior = BehaviorSchema.parse(input);
    this.behaviors.set(tn, behavior);
    this.db
      .prepare(
        'INSERT INTO behaviors (number, data) VALUES (?, ?) ON CONFLICT(number) DO UPDATE SET data = excluded.data',
      )
      .run(tn, JSON.stringify(behavior));
    return behavior;
  }

  deleteBehavior(tn: string): boolean {
    if (!this.behaviors.delete(tn)) return false;
    this.db.prepare('DELETE FROM behaviors WHERE number = ?').run(tn);
    return true;
  }
}

/** A directory change that would leave it inconsistent (unknown account, foreign application...). */
export class DirectoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DirectoryError';
  }
}
