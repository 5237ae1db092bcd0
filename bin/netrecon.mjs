#!/usr/bin/env node
// The netrecon CLI in a checkout: the compiled CLI (dist/cli/, built by `npm run build`, which `npm ci` runs), which
// itself falls back to the sources when they changed after that build; before any build, the sources (tsx).
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/netrecon.mjs', import.meta.url);
await import(existsSync(compiled) ? compiled.href : './netrecon-sources.mjs');
