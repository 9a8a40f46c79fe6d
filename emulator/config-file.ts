/**
 * The emulator's config file (JSON, `EMULATOR_CONFIG` or `configFile`): accounts, applications, numbers, scripted
 * number behaviour and simulation settings. Applied at every start on top of the env defaults; each listed entity
 * is merged over what the database already holds (listed fields win), so runtime changes to anything the file does
 * not mention survive restarts.
 *
 * ```json
 * {
 *   "accounts": [{ "id": "9900001", "credentials": [{ "clientId": "ci", "clientSecret": "cs" }],
 *                  "features": { "carrierName": true }, "limits": { "messagesPerSecond": 10 } }],
 *   "applications": [{ "id": "app-2", "accountId": "9900001", "inboundCallbackUrl": "http://127.0.0.1:4000/in" }],
 *   "numbers": [{ "number": "+19195550111", "accountId": "9900001", "applicationId": "app-2" }],
 *   "behaviors": { "+19195550123": { "failWith": 4720 } },
 *   "settings": { "callbacks": { "duplicateRate": 0.05 } }
 * }
 * ```
 */
import fs from 'node:fs';
import { z } from 'zod';
import { type Directory } from './directory';

export const ConfigFileSchema = z.object({
  accounts: z.array(z.looseObject({ id: z.string() })).default([]),
  applications: z.array(z.looseObject({ id: z.string() })).default([]),
  numbers: z.array(z.looseObject({ number: z.string() })).default([]),
  behaviors: z.record(z.string(), z.unknown()).default({}),
  settings: z.unknown().optional(),
});
export type ConfigFile = z.infer<typeof ConfigFileSchema>;

/** Thrown when the config file cannot be read or is invalid; the message names the file and the problem. */
export class ConfigFileError extends Error {
  constructor(file: string, problem: string) {
    super(`emulator config file ${file}: ${problem}`);
    this.name = 'ConfigFileError';
  }
}

export function loadConfigFile(file: string): ConfigFile {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigFileError(file, err instanceof Error ? err.message : String(err));
  }
  const parsed = ConfigFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigFileError(file, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  return parsed.data;
}

/** Merges the file's entities into the directory (accounts, then applications, numbers and behaviours). */
export function applyConfigFile(directory: Directory, file: ConfigFile): void {
  try {
    for (const a of file.accounts) directory.putAccount({ ...directory.account(a.id), ...a });
    for (const a of file.applications) directory.putApplication({ ...directory.application(a.id), ...a } as never);
    for (const n of file.numbers) directory.putNumber({ ...directory.number(n.number), ...n } as never);
    for (const [tn, b] of Object.entries(file.behaviors)) directory.putBehavior(tn, b);
  } catch (err) {
    const message =
      err instanceof z.ZodError
        ? err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
        : err instanceof Error
          ? err.message
          : String(err);
    throw new ConfigFileError('(applying)', message);
  }
}
