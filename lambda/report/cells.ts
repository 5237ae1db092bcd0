/**
 * How a report figure is written in a cell, shared by the terminal table and the HTML report so that both
 * print the same text for the same number (one formatter: ../core/format-bytes.ts).
 */
import { displayName } from '../core/display-text';
import { formatBytes, formatPercent } from '../core/format-bytes';

export const cellBytes = (v: number | null): string => (v === null ? '-' : formatBytes(v));
export const cellPercent = (v: number | null): string => (v === null ? '-' : formatPercent(v));
/** Both halves of a pair (in + out, rx + tx), or null when either is missing. */
export const sumPair = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a + b);
/** `2022-10-05 09:05` from an ISO time, always UTC. */
export const clock = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
/** `ip-192-168-55-245` from `ip-192-168-55-245.eu-west-1.compute.internal`; escaped and bounded (a node name is input). */
export const shortNodeName = (name: string | null): string => (name === null ? '-' : displayName(name.split('.')[0]!, 64));
/** Counts with thousands separators: 100,000 nodes. */
export const cellCount = (n: number): string => n.toLocaleString('en-US');
