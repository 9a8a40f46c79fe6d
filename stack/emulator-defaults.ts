/**
 * Threadline's configuration → the emulator's defaults. The emulator stands alone and knows nothing of Threadline's
 * configuration; this mapping is what lets one set of values (BANDWIDTH_*, CALLBACK_*, THREADLINE_ROUTES) configure
 * both sides.
 */
import { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, type Config } from '../config/env';
import type { EmulatorDefaults } from '../emulator';

/** The emulator defaults Threadline's configuration implies: one set of values configures both sides. */
export function emulatorDefaultsFromConfig(config: Config): EmulatorDefaults {
  const auth = config.bandwidth.auth;
  return {
    accountId: config.bandwidth.accountId,
    applicationId: config.bandwidth.applicationId,
    number: config.bandwidth.number,
    clientId: auth.kind === 'oauth2' && auth.clientId ? auth.clientId : DEFAULT_CLIENT_ID,
    clientSecret: auth.kind === 'oauth2' && auth.clientSecret ? auth.clientSecret : DEFAULT_CLIENT_SECRET,
    username: auth.kind === 'basic' ? auth.username : undefined,
    password: auth.kind === 'basic' ? auth.password : undefined,
    callbackUrl: config.emulator.callbackUrl,
    callbackUsername: config.callbackAuth?.username,
    callbackPassword: config.callbackAuth?.password,
    otherNumbers: Object.keys(config.routing.routes).filter(
      (key) => key.startsWith('+') && key !== config.bandwidth.number,
    ),
  };
}
