/** A search or export query the store cannot run: a bad limit, time, cursor or filter. The message says which. */
export class RecordQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordQueryError';
  }
}

/** A record the store will not write, such as one whose `eventTime` is not an ISO 8601 time. */
export class RecordInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordInputError';
  }
}

/** The database could not be opened or migrated; the message says which database (password hidden) and why. */
export class RecordStoreOpenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RecordStoreOpenError';
  }
}
