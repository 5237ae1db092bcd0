// Loaded with `node --require` (through NODE_OPTIONS) into every Node process the e2e suite starts: the CDK
// CLI, the CDK app it synthesizes, the deployed bundle's handler and the netrecon CLI. It refuses any TCP
// connection that does not go to the loopback interface and appends it to the file named by
// NETRECON_E2E_NET_LOG, which the suite reads at the end: the run fails if a real endpoint was ever tried.
// Plain CommonJS with no dependencies, so it loads before any module of the process under test.
'use strict';

const net = require('node:net');
const fs = require('node:fs');

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|::1|::ffff:127(\.\d{1,3}){3}|\[::1\])$/i;

function describeTarget(args) {
  const first = args[0];
  if (Array.isArray(first)) return describeTarget(first); // the normalized form net uses internally
  if (first && typeof first === 'object') {
    if (first.path) return { local: true, target: `unix:${first.path}` };
    return { local: LOOPBACK.test(String(first.host ?? 'localhost')), target: `${first.host ?? 'localhost'}:${first.port}` };
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return { local: true, target: `unix:${first}` };
  const host = typeof args[1] === 'string' ? args[1] : 'localhost';
  return { local: LOOPBACK.test(host), target: `${host}:${first}` };
}

const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  const { local, target } = describeTarget(args);
  if (!local) {
    const line = `${new Date().toISOString()} pid=${process.pid} ${process.argv.slice(1, 3).join(' ')} -> ${target}\n`;
    const log = process.env.NETRECON_E2E_NET_LOG;
    if (log) {
      try {
        fs.appendFileSync(log, line);
      } catch {
        // The log is evidence, not a dependency: a write failure must not change the process's behaviour.
      }
    }
    const error = new Error(`netrecon e2e: refused a connection to ${target}: only loopback (the emulator) may be contacted`);
    error.code = 'ECONNREFUSED';
    process.nextTick(() => this.destroy(error));
    return this;
  }
  return originalConnect.apply(this, args);
};
