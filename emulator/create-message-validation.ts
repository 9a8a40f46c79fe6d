/**
 * Validation of `POST /users/{accountId}/messages` bodies, with Bandwidth's field error wording where it is known
 * (reference §2.1, §2.5). Every problem is collected, so one 400 lists all of them.
 */
import { type Directory } from './directory';
import { type Account } from './directory-schemas';
import { type FieldError } from './http-errors';

const E164 = /^\+[1-9]\d{1,14}$/;
/** Alphanumeric sender ID: up to 11 of A-Z a-z 0-9 space - + _ &, at least one letter. */
const SENDER_ID = /^(?=.*[A-Za-z])[A-Za-z0-9 \-+_&]{1,11}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export const MAX_RECIPIENTS = 10;
export const MAX_TEXT = 2048;
export const MAX_MEDIA_URL = 4096;
export const MAX_TAG = 1024;

export interface ValidMessageRequest {
  applicationId: string;
  to: string[];
  from: string;
  text?: string;
  media?: string[];
  tag?: string;
  priority: 'default' | 'high';
  expiration?: string;
  expirationMs?: number;
}

export type ValidationResult = { ok: true; value: ValidMessageRequest } | { ok: false; fieldErrors: FieldError[] };

const invalidE164 = (v: unknown) => `'${String(v)}' must be replaced with a valid E164 formatted telephone number`;

export function validateCreateMessage(
  body: unknown,
  account: Account,
  directory: Directory,
  nowMs: number,
): ValidationResult {
  const errors: FieldError[] = [];
  const add = (fieldName: string, description: string) => errors.push({ fieldName, description });
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, fieldErrors: [{ fieldName: 'body', description: 'The request body must be a JSON object' }] };
  }
  const b = body as Record<string, unknown>;

  // applicationId
  let applicationId: string | undefined;
  if (b.applicationId === undefined || b.applicationId === null || b.applicationId === '') {
    add('applicationId', "'applicationId' is required");
  } else if (typeof b.applicationId !== 'string') {
    add('applicationId', "'applicationId' must be a string");
  } else {
    const app = directory.application(b.applicationId);
    if (!app || app.accountId !== account.id) {
      add('applicationId', `'${b.applicationId}' is not a valid application for account ${account.id}`);
    } else applicationId = b.applicationId;
  }

  // to: an array of unique E.164 numbers (a bare string is accepted, as older docs allow)
  let to: string[] = [];
  const rawTo = typeof b.to === 'string' ? [b.to] : b.to;
  if (rawTo === undefined || rawTo === null || (Array.isArray(rawTo) && rawTo.length === 0)) {
    add('to', "'to' must contain at least one telephone number");
  } else if (!Array.isArray(rawTo)) {
    add('to', "'to' must be an array of telephone numbers");
  } else {
    for (const v of rawTo) if (typeof v !== 'string' || !E164.test(v)) add('to', invalidE164(v));
    to = rawTo.filter((v): v is string => typeof v === 'string');
    if (new Set(to).size !== to.length) add('to', "'to' must not contain duplicate telephone numbers");
    if (rawTo.length > MAX_RECIPIENTS) {
      add('to', `'to' must contain no more than ${MAX_RECIPIENTS} telephone numbers`);
    }
  }

  // from: a number on this account and application, or an alphanumeric sender ID
  let from: string | undefined;
  if (typeof b.from !== 'string' || b.from === '') {
    add('from', "'from' must contain exactly one telephone number");
  } else if (E164.test(b.from)) {
    const number = directory.number(b.from);
    if (!number || number.accountId !== account.id) {
      add('from', `'${b.from}' is not a Bandwidth number on account ${account.id}`);
    } else if (applicationId !== undefined && number.applicationId !== applicationId) {
      add('from', `'${b.from}' is not associated with application ${applicationId}`);
    } else from = b.from;
  } else if (!b.from.startsWith('+') && SENDER_ID.test(b.from)) {
    from = b.from;
  } else {
    add('from', invalidE164(b.from));
  }

  // media
  let media: string[] | undefined;
  if (b.media !== undefined && b.media !== null) {
    if (!Array.isArray(b.media)) add('media', "'media' must be an array of URLs");
    else {
      media = [];
      for (const m of b.media) {
        if (typeof m !== 'string' || !isHttpUrl(m)) add('media', `'${String(m)}' is not a valid media URL`);
        else if (m.length > MAX_MEDIA_URL) add('media', `media URLs must be ${MAX_MEDIA_URL} characters or less`);
        else media.push(m);
      }
      if (new Set(media).size !== media.length) add('media', "'media' must not contain duplicate URLs");
      if (media.length === 0) media = undefined;
    }
  }

  // text
  let text: string | undefined;
  if (b.text !== undefined && b.text !== null) {
    if (typeof b.text !== 'string') add('text', "'text' must be a string");
    else if ([...b.text].length > MAX_TEXT) add('text', `'text' must be ${MAX_TEXT} characters or less`);
    else text = b.text;
  }
  if ((text === undefined || text === '') && media === undefined) {
    add('text', "'text' is required unless media is included");
  }

  // tag
  let tag: string | undefined;
  if (b.tag !== undefined && b.tag !== null) {
    if (typeof b.tag !== 'string') add('tag', "'tag' must be a string");
    else if ([...b.tag].length > MAX_TAG) add('tag', `'tag' must be ${MAX_TAG} characters or less`);
    else tag = b.tag;
  }

  // priority
  let priority: 'default' | 'high' = 'default';
  if (b.priority !== undefined && b.priority !== null) {
    if (b.priority === 'default' || b.priority === 'high') priority = b.priority;
    else add('priority', `'${JSON.stringify(b.priority)}' is not a valid priority; use 'default' or 'high'`);
  }

  // expiration
  let expiration: string | undefined;
  let expirationMs: number | undefined;
  if (b.expiration !== undefined && b.expiration !== null) {
    const ms = typeof b.expiration === 'string' && RFC3339.test(b.expiration) ? Date.parse(b.expiration) : NaN;
    if (Number.isNaN(ms)) add('expiration', "'expiration' must be a valid RFC-3339 date-time");
    else if (ms <= nowMs) add('expiration', "'expiration' must be a date-time in the future");
    else {
      expiration = b.expiration as string;
      expirationMs = ms;
    }
  }

  if (errors.length > 0 || applicationId === undefined || from === undefined) {
    return { ok: false, fieldErrors: errors };
  }
  return { ok: true, value: { applicationId, to, from, text, media, tag, priority, expiration, expirationMs } };
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}
