/**
 * The server's configuration: routing, records, operator token and metrics port, parsed through the one env schema,
 * with start-up errors that say what to fix.
 */
import { configProblems } from '../helpers/config-problems';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, DEV_OPERATOR_TOKEN, loadConfig, requireOperatorToken } from '../../config/env';
import { createBotRouter, routingProblems } from '../../server/bot-router';
import { knownBots } from '../../stack/bots';

const REAL_API = {
  BANDWIDTH_BASE_URL: 'https://messaging.bandwidth.com/api/v2',
  BANDWIDTH_CLIENT_ID: 'id',
  BANDWIDTH_CLIENT_SECRET: 'secret',
};

const problemsOf = configProblems;

describe('server configuration', () => {
  it('defaults to SQLite records with text, the default bot for every number, and the dev token on the emulator', () => {
    const config = loadConfig({});
    assert.deepEqual(config.records, { databaseUrl: undefined, storeText: true });
    assert.deepEqual(config.routing, { routes: {}, defaultBot: 'greeterBot', unrouted: 'default' });
    assert.deepEqual(config.operator, { token: DEV_OPERATOR_TOKEN, devDefault: true });
    assert.equal(config.workerMetricsPort, undefined);
    assert.deepEqual(config.consent, { scope: 'number', programName: 'Threadline', overrides: {} });
  });

  it('reads routes, the unrouted policy, PostgreSQL, privacy mode, the operator token, the worker metrics port and the consent scope', () => {
    const config = loadConfig({
      THREADLINE_ROUTES: '{"+19195550100":"pizzaBot","app:93de2206-9669-4e07-948d-329f4b722ee2":"surveyBot"}',
      THREADLINE_UNROUTED: 'ignore',
      DATABASE_URL: 'postgres://threadline:pw@db.internal:5432/threadline',
      THREADLINE_STORE_TEXT: 'false',
      OPERATOR_TOKEN: 'a-long-random-operator-secret',
      WORKER_METRICS_PORT: '9464',
      THREADLINE_CONSENT_SCOPE: 'account',
    });
    assert.deepEqual(config.routing.routes, {
      '+19195550100': 'pizzaBot',
      'app:93de2206-9669-4e07-948d-329f4b722ee2': 'surveyBot',
    });
    assert.equal(config.routing.unrouted, 'ignore');
    assert.deepEqual(config.records, {
      databaseUrl: 'postgres://threadline:pw@db.internal:5432/threadline',
      storeText: false,
    });
    assert.deepEqual(config.operator, { token: 'a-long-random-operator-secret', devDefault: false });
    assert.equal(config.workerMetricsPort, 9464);
    assert.deepEqual(config.consent, { scope: 'account', programName: 'Threadline', overrides: {} });
  });

  it('names each bad setting and what to put there', () => {
    const message = problemsOf({
      THREADLINE_ROUTES: '{"9195550100":"pizzaBot","+19195550101":"pizza-bot"}',
      THREADLINE_UNROUTED: 'drop',
      DATABASE_URL: 'mysql://db/threadline',
      THREADLINE_STORE_TEXT: 'maybe',
      OPERATOR_TOKEN: 'short',
      THREADLINE_CONSENT_SCOPE: 'brand',
    });
    assert.match(message, /THREADLINE_ROUTES\.9195550100: "9195550100" is neither one of our numbers in E\.164/);
    assert.match(message, /THREADLINE_ROUTES\.\+19195550101: must be the name of a bot workflow/);
    assert.match(message, /THREADLINE_UNROUTED: must be default .* or ignore/);
    assert.match(message, /DATABASE_URL: must be a PostgreSQL URL/);
    assert.match(message, /THREADLINE_STORE_TEXT: must be true or false/);
    assert.match(message, /OPERATOR_TOKEN: must be at least 16 characters; generate one with: openssl rand -hex 32/);
    assert.match(message, /THREADLINE_CONSENT_SCOPE: must be number .*, application or account/);
    assert.match(problemsOf({ THREADLINE_ROUTES: '{pizza' }), /THREADLINE_ROUTES: must be a JSON object such as/);
  });

  it('reads the consent program name and per-number keywords and answers, and names a bad one', () => {
    const config = loadConfig({
      THREADLINE_PROGRAM_NAME: 'Acme Dental',
      THREADLINE_CONSENT: '{"+19195550100":{"help":["HELP","AIDE"],"helpReply":"Acme Dental: call 919-555-0100."}}',
    });
    assert.deepEqual(config.consent, {
      scope: 'number',
      programName: 'Acme Dental',
      overrides: { '+19195550100': { help: ['HELP', 'AIDE'], helpReply: 'Acme Dental: call 919-555-0100.' } },
    });
    const message = problemsOf({ THREADLINE_CONSENT: '{"shop":{"helpReply":""},"+19195550100":{"stop":["X"]}}' });
    assert.match(message, /THREADLINE_CONSENT\.shop: "shop" is neither one of our numbers/);
    assert.match(message, /THREADLINE_CONSENT\.shop\.helpReply/);
    assert.match(message, /THREADLINE_CONSENT\.\+19195550100: Unrecognized key/);
    assert.match(problemsOf({ THREADLINE_CONSENT: '{oops' }), /THREADLINE_CONSENT: must be a JSON object such as/);
  });

  it('requires an operator token against the real Bandwidth API', () => {
    const config = loadConfig(REAL_API);
    assert.equal(config.operator, null);
    assert.throws(
      () => requireOperatorToken(config),
      (err: unknown) =>
        err instanceof ConfigError && /OPERATOR_TOKEN: required .*openssl rand -hex 32/.test(err.message),
    );
    const withToken = loadConfig({ ...REAL_API, OPERATOR_TOKEN: 'a-long-random-operator-secret' });
    assert.deepEqual(requireOperatorToken(withToken), { token: 'a-long-random-operator-secret', devDefault: false });
  });

  it("routes a number to its bot before its application's, and the rest by the unrouted policy", () => {
    const routes = { '+19195550100': 'pizzaBot', 'app:a1': 'surveyBot' };
    const byDefault = createBotRouter({ routes, defaultBot: 'greeterBot', unrouted: 'default' });
    assert.equal(byDefault({ ourNumber: '+19195550100', applicationId: 'a1' }), 'pizzaBot');
    assert.equal(byDefault({ ourNumber: '+19195550101', applicationId: 'a1' }), 'surveyBot');
    assert.equal(byDefault({ ourNumber: '+19195550101', applicationId: 'a2' }), 'greeterBot');
    const ignoring = createBotRouter({ routes, defaultBot: 'greeterBot', unrouted: 'ignore' });
    assert.equal(ignoring({ ourNumber: '+19195550101', applicationId: 'a2' }), null);
    assert.equal(ignoring({ ourNumber: '+19195550100' }), 'pizzaBot');
  });

  it("sizes the worker's cache from its memory budget, unless a size is given", () => {
    assert.equal(loadConfig({}).maxCachedWorkflows, 833, '150 MB at 180 kB per cached conversation');
    assert.equal(loadConfig({ WORKER_CACHE_MEMORY_MB: '400' }).maxCachedWorkflows, 2222);
    assert.equal(loadConfig({ WORKER_CACHE_MEMORY_MB: '1' }).maxCachedWorkflows, 40, 'never fewer than 40');
    assert.equal(loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '300' }).maxCachedWorkflows, 300);
    assert.equal(loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '' }).maxCachedWorkflows, 833, 'empty means unset');
    assert.throws(() => loadConfig({ WORKER_CACHE_MEMORY_MB: 'lots' }), /WORKER_CACHE_MEMORY_MB/);
  });

  it("caps the workflow thread's heap to what the cache needs, unless a limit is given or 0 lifts it", () => {
    assert.equal(loadConfig({}).workflowHeapMb, 256, 'the least limit, for the default cache of 833');
    assert.equal(loadConfig({ WORKER_CACHE_MEMORY_MB: '1000' }).workflowHeapMb, 1622, '5,555 cached conversations');
    assert.equal(loadConfig({ WORKER_WORKFLOW_HEAP_MB: '512' }).workflowHeapMb, 512);
    assert.equal(loadConfig({ WORKER_WORKFLOW_HEAP_MB: '0' }).workflowHeapMb, null, "0: V8's own limit");
    assert.throws(() => loadConfig({ WORKER_WORKFLOW_HEAP_MB: '-1' }), /WORKER_WORKFLOW_HEAP_MB/);
  });

  it('refuses routes to bots the workers do not have, naming the bots there are', () => {
    const bots = knownBots();
    assert.ok(bots.includes('greeterBot'));
    assert.deepEqual(
      routingProblems(
        { routes: { '+19195550100': 'greeterBot' }, defaultBot: 'greeterBot', unrouted: 'default' },
        bots,
      ),
      [],
    );
    const problems = routingProblems(
      { routes: { '+19195550100': 'pizaBot' }, defaultBot: 'greterBot', unrouted: 'default' },
      bots,
    );
    assert.equal(problems.length, 2);
    assert.match(problems[0]!, /THREADLINE_DEFAULT_BOT: there is no bot named greterBot; the bots are .*greeterBot/);
    assert.match(problems[1]!, /THREADLINE_ROUTES: \+19195550100 routes to pizaBot, which is not a bot/);
    assert.deepEqual(
      routingProblems({ routes: {}, defaultBot: 'nobody', unrouted: 'ignore' }, bots),
      [],
      'with unrouted=ignore the default bot is never used',
    );
  });
});
