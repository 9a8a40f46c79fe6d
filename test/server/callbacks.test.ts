/**
 * The webhook edge over real HTTP: what it answers for good, malformed and unroutable callbacks, and that it asks
 * Bandwidth to retry (503) rather than acknowledge what Temporal has not accepted.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { createApp } from '../../server/app';
import { freePort } from '../../toolchain/temporal';
import { conversationId } from '../../workflows/ids';
import { connectToDevServer, uniqueTaskQueue } from '../helpers/temporal';

const OUR = '+19195550100';

function inbound(id: string, from: string) {
  return {
    type: 'message-received',
    time: '2025-06-20T16:25:00.512Z',
    description: 'Incoming message received',
    to: OUR,
    message: {
      id,
      owner: OUR,
      applicationId: '93de2206-9669-4e07-948d-329f4b722ee2',
      time: '2025-06-20T16:25:00.000Z',
      segmentCount: 1,
      direction: 'in',
      to: [OUR],
      from,
      text: 'hello',
    },
  };
}

async function serve(app: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function post(url: string, body: string, contentType = 'application/json; charset=utf-8') {
  return fetch(`${url}/callbacks/messaging`, { method: 'POST', headers: { 'content-type': contentType }, body });
}

describe('POST /callbacks/messaging with Temporal up', () => {
  let temporal: Awaited<ReturnType<typeof connectToDevServer>>;
  let server: Awaited<ReturnType<typeof serve>>;
  const taskQueue = uniqueTaskQueue('edge');

  before(async () => {
    temporal = await connectToDevServer();
    server = await serve(
      createApp({
        temporal: temporal.client,
        taskQueue,
        routeBot: () => 'greeterBot',
        logger: pino({ level: 'silent' }),
      }),
    );
  });
  after(async () => {
    await server?.close();
    await temporal?.close();
  });

  it('starts the conversation workflow for an inbound text, then answers 200', async () => {
    const from = '+19195550991';
    const response = await post(server.url, JSON.stringify([inbound('1718900700000z9x8c7v6b5n4m3l2', from)]));
    assert.equal(response.status, 200);
    const description = await temporal.client.workflow
      .getHandle(conversationId({ ourNumber: OUR, participants: [from] }))
      .describe();
    assert.equal(description.type, 'greeterBot');
    assert.equal(description.taskQueue, taskQueue);
    await temporal.client.workflow.getHandle(description.workflowId).terminate('test over');
  });

  it('acknowledges a status callback for a message Threadline did not send', async () => {
    const response = await post(
      server.url,
      JSON.stringify([
        {
          ...inbound('1718900000000k3j2h4g5f6d7s8a9', '+19195550123'),
          type: 'message-delivered',
          description: 'ok',
          to: '+19195550123',
          message: { ...inbound('x', OUR).message, direction: 'out', tag: 'order-42' },
        },
      ]),
    );
    assert.equal(response.status, 200);
  });

  it('answers 400 with the validation issues for a malformed body', async () => {
    const response = await post(server.url, JSON.stringify([{ type: 'message-received', to: OUR }]));
    assert.equal(response.status, 400);
    const body = (await response.json()) as { type: string; issues: unknown };
    assert.equal(body.type, 'invalid-callback');
    assert.match(JSON.stringify(body.issues), /message/);
  });

  it('answers 400 for a body that is not JSON at all', async () => {
    const response = await post(server.url, '[{"type":');
    assert.equal(response.status, 400);
  });
});

describe('POST /callbacks/messaging with Temporal down', () => {
  it('answers 503 with Retry-After, so Bandwidth retries and nothing is lost', async () => {
    const connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}` });
    const server = await serve(
      createApp({
        temporal: new Client({ connection }),
        taskQueue: 'nowhere',
        routeBot: () => 'greeterBot',
        logger: pino({ level: 'silent' }),
        handOffTimeoutMs: 1000,
      }),
    );
    try {
      const response = await post(
        server.url,
        JSON.stringify([inbound('1718900700000aaaaaaaaaaaaaaaa', '+19195550992')]),
      );
      assert.equal(response.status, 503);
      assert.equal(response.headers.get('retry-after'), '5');
    } finally {
      await server.close();
      await connection.close().catch(() => undefined);
    }
  });
});
