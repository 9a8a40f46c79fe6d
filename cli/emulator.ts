/**
 * `npm run emulator`: the Bandwidth emulator on its own (no Temporal needed), configured from the environment
 * (config/env.ts): EMULATOR_PORT, EMULATOR_TIME_SCALE, EMULATOR_CONFIG, EMULATOR_CALLBACK_URL, THREADLINE_DATA_DIR,
 * and the BANDWIDTH_* / CALLBACK_* values that define the default account, application and number. SIGINT or SIGTERM
 * stops it within THREADLINE_SHUTDOWN_TIMEOUT_MS; queued messages and pending callbacks resume at the next start.
 */
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../config/env';
import { createEmulator } from '../emulator';
import { emulatorDefaultsFromConfig } from '../stack/emulator-defaults';
import { emulatorPart } from '../stack/parts';
import { handleShutdownSignals } from '../stack/process-shutdown';

async function run(): Promise<void> {
  const config = loadConfig();
  const logger = pino({ level: config.logLevel, name: 'emulator' });
  const shutdown = handleShutdownSignals({ timeoutMs: config.shutdown.timeoutMs });
  const emulator = createEmulator({
    defaults: emulatorDefaultsFromConfig(config),
    timeScale: config.emulator.timeScale,
    dataDir: config.emulator.inMemory ? undefined : path.join(config.dataDir, 'emulator'),
    configFile: config.emulator.configFile,
    logger,
    publicUrl: config.emulator.baseUrl,
  });
  shutdown.register([[emulatorPart(emulator)]]);
  const { url } = await emulator.listen(config.emulator.port, config.emulator.host);
  const d = emulatorDefaultsFromConfig(config);
  console.log(`Bandwidth emulator on ${url}
  API          ${url}/api/v2/users/${d.accountId}/messages  (also ${url}/users/...)
  OAuth2       POST ${url}/api/v1/oauth2/token  (client id ${d.clientId})
  Phone page   ${url}/  (text our numbers from simulated handsets in a browser)
  Handsets     POST ${url}/emulator/handsets/{phone}/messages
  Admin        ${url}/emulator
  Callbacks →  ${d.callbackUrl}
  Time scale   ${config.emulator.timeScale}x`);
}

/** Runs `threadline emulator` (and `npm run emulator`); on failure, says why on stderr and exits 1. */
export function main(): void {
  run().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
