// Invokes a deployed Lambda bundle the way the Node.js Lambda runtime does, because the emulator cannot run
// Lambda: resolve `_HANDLER` ("file.export") inside LAMBDA_TASK_ROOT (.js, .mjs, .cjs, in the runtime's order),
// import it, call it with the event and a Lambda context, and report the result or the error.
// Plain Node (no tsx, no TypeScript), like the runtime. The harness sets the environment: the function's own
// variables from GetFunctionConfiguration, the runtime's reserved ones, and the emulator endpoint.
//
// Usage: node lambda-runner.mjs EVENT_FILE RESULT_FILE [INVOCATIONS]
//   INVOCATIONS > 1 invokes the same module again in the same process (a warm container).
//   NETRECON_E2E_GATE=PREFIX: before each invocation after the first, write PREFIX.N.ready and wait for
//   PREFIX.N.go (the fault suite changes the faults between a failed invocation and its warm retry).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [eventFile, resultFile, invocationsArg] = process.argv.slice(2);
const taskRoot = process.env.LAMBDA_TASK_ROOT;
const handlerSpec = process.env._HANDLER;
if (!eventFile || !resultFile || !taskRoot || !handlerSpec) {
  console.error('usage: LAMBDA_TASK_ROOT=... _HANDLER=file.export node lambda-runner.mjs EVENT_FILE RESULT_FILE [INVOCATIONS]');
  process.exit(64);
}

async function loadHandler() {
  const dot = handlerSpec.lastIndexOf('.');
  const modulePath = handlerSpec.slice(0, dot);
  const exportName = handlerSpec.slice(dot + 1);
  const candidates = ['.js', '.mjs', '.cjs'].map((ext) => join(taskRoot, modulePath + ext));
  const file = candidates.find((f) => existsSync(f));
  if (!file) throw new Error(`Runtime.ImportModuleError: none of ${candidates.join(', ')} exists (handler "${handlerSpec}")`);
  const mod = await import(pathToFileURL(file).href);
  const fn = mod[exportName] ?? mod.default?.[exportName];
  if (typeof fn !== 'function') throw new Error(`Runtime.HandlerNotFound: ${file} has no export "${exportName}"`);
  return { fn, file };
}

function makeContext() {
  const timeoutMs = Number(process.env.NETRECON_E2E_TIMEOUT_SECONDS ?? '900') * 1000;
  const deadline = Date.now() + timeoutMs;
  const name = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'function';
  return {
    functionName: name,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION ?? '$LATEST',
    invokedFunctionArn: process.env.NETRECON_E2E_FUNCTION_ARN ?? `arn:aws:lambda:${process.env.AWS_REGION}:123456789012:function:${name}`,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '128',
    awsRequestId: randomUUID(),
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

function invoke(fn, event, context) {
  return new Promise((resolve, reject) => {
    const callback = (error, value) => (error ? reject(error) : resolve(value));
    try {
      const returned = fn(event, context, callback);
      if (returned && typeof returned.then === 'function') returned.then(resolve, reject);
    } catch (error) {
      reject(error);
    }
  });
}

const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const invocations = Math.max(1, Number(invocationsArg ?? '1'));
const results = [];
let loaded;
try {
  const started = performance.now();
  loaded = await loadHandler();
  results.push({ phase: 'init', ms: performance.now() - started, file: loaded.file });
} catch (error) {
  results.push({ phase: 'init', ok: false, errorType: error?.name ?? 'Error', errorMessage: String(error?.message ?? error) });
}
async function passGate(i) {
  const gate = process.env.NETRECON_E2E_GATE;
  if (!gate || i === 0) return;
  writeFileSync(`${gate}.${i}.ready`, '');
  while (!existsSync(`${gate}.${i}.go`)) await sleep(20);
}

if (loaded) {
  for (let i = 0; i < invocations; i += 1) {
    await passGate(i);
    const started = performance.now();
    try {
      const value = await invoke(loaded.fn, event, makeContext());
      results.push({ phase: 'invoke', ok: true, ms: performance.now() - started, result: value ?? null });
    } catch (error) {
      results.push({ phase: 'invoke', ok: false, ms: performance.now() - started, errorType: error?.name ?? 'Error', errorMessage: String(error?.message ?? error) });
    }
    // After each invocation, so a process killed later still tells what its earlier invocations did.
    writeFileSync(resultFile, JSON.stringify(results, null, 2));
  }
}
writeFileSync(resultFile, JSON.stringify(results, null, 2));
// Lambda freezes the process after the response; here it ends, even if the bundle left sockets or timers open.
process.exit(0);
