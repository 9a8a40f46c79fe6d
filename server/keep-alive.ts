/**
 * How long the webhook server keeps an idle keep-alive connection open (`HTTP_KEEP_ALIVE_TIMEOUT_MS`, default 65 s).
 * Node closes one after 5 s of its own accord. Behind a load balancer that keeps its connections to the server open
 * longer (AWS's ALB: 60 s idle by default), the balancer can send a request on a connection the server has just
 * closed, and answers it 502: Bandwidth would retry the callback, but every such retry is a late reply. The server must
 * outlast the balancer, so the default is a little over a minute; `headersTimeout` stays a second longer still, as
 * Node requires for a request that arrives at the last moment.
 */
import type http from 'node:http';

export function keepIdleConnections(server: http.Server, timeoutMs: number): void {
  server.keepAliveTimeout = timeoutMs;
  server.headersTimeout = timeoutMs + 1000;
}
