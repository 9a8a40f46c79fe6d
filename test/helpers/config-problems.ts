/** What `loadConfig` says is wrong with an environment: the message of the ConfigError it throws. */
import assert from 'node:assert/strict';
import { ConfigError } from '../../config/config-error';
import { loadConfig } from '../../config/env';

export function configProblems(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.message;
  }
  assert.fail('expected a ConfigError');
}
