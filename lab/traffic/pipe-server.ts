/**
 * A server that joins each connection to a fresh upstream socket, both ways, and closes both when either closes or
 * fails. The lab's two forwarders are this: Prometheus' scrape into a node namespace over a Unix socket
 * (lab/prometheus.ts) and, inside the namespace, that socket to node_exporter's 127.0.0.1 (traffic/endpoint.ts).
 */
import { createServer, type Server, type Socket } from 'node:net';

export function pipeServer(connectUpstream: () => Socket): Server {
  return createServer((client) => {
    const upstream = connectUpstream();
    const close = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.pipe(upstream).pipe(client);
  });
}
