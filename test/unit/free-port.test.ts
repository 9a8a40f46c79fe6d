/**
 * `freePort` (toolchain/temporal.ts) hands out loopback ports for the servers a test, bench or chaos run starts. The
 * kernel picks a `listen(0)` port at random, so before the fix two calls made before the first port was bound could
 * return the same one: the second server then failed to bind, and whatever held the port answered in its place.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { freePort } from '../../toolchain/temporal';

void describe('free ports', () => {
  void it('never hands out the same port twice in one process, even when none of them is bound yet', async () => {
    const ports: number[] = [];
    for (let i = 0; i < 1500; i++) ports.push(await freePort());
    assert.equal(new Set(ports).size, ports.length);
  });

  void it('hands out a port that a server can then listen on', async () => {
    const port = await freePort();
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    assert.equal((server.address() as net.AddressInfo).port, port);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
