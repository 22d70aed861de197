/**
 * Inputs the hardening tests share: cmark's pathological cases (generated
 * here, at the sizes of issue #8), a small workspace to check them in, and
 * helpers to time things and read a process's CPU time.
 */
import * as fs from 'node:fs';
import { tempWorkspace } from '../helpers/repo';

/** cmark's pathological inputs (test/pathological_tests.py there), at the sizes the issue names. */
export const PATHOLOGICAL: Record<string, () => string> = {
  '60,000 nested *': () => '*'.repeat(60_000) + 'a' + '*'.repeat(60_000),
  '50,000 nested >': () => '> '.repeat(50_000) + 'a\n',
  '1,000-deep lists': () => Array.from({ length: 1_000 }, (_, depth) => '  '.repeat(depth) + '* a\n').join(''),
  '30,000 unclosed links [a](b': () => '[a](b'.repeat(30_000),
  '400,000 <': () => '<'.repeat(400_000),
  // After 8,000 bytes of prose, so that the piece is analysed rather than skipped as binary.
  '100,000 NULs': () => 'The harbour wall was finished in May.\n\n'.repeat(220) + 'abc\u0000de\u0000'.repeat(50_000),
  '20,000 nested brackets': () => '['.repeat(20_000) + 'a' + ']'.repeat(20_000),
};

/** A file name for each case. */
export function fileName(name: string): string {
  return `pathological/${name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase()}.md`;
}

export const SOURCE = `Council approves harbour wall

The council approved the new harbour wall on Monday. "It will protect the old town for a hundred years," the engineer said.
`;

/** A piece with one known problem: a misquotation of SOURCE. */
export const NORMAL_PIECE = 'The engineer said it "will protect the old town for a thousand years" [@harbour-wall].\n';

export function workspaceWith(files: Record<string, string | Uint8Array>): string {
  return tempWorkspace({ 'sources/harbour-wall.txt': SOURCE, 'normal.md': NORMAL_PIECE, ...files });
}

/** Milliseconds since `start` (from performance.now()). */
export function since(start: number): number {
  return Math.round(performance.now() - start);
}

/** CPU time (user + system, ms) a process has used so far, from /proc; undefined where there is no /proc. */
export function cpuTimeMs(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/** Peak resident memory of a process (MiB), from /proc; undefined where there is none. */
export function peakRssMiB(pid: number): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    return kb ? Math.round(Number(kb) / 1024) : undefined;
  } catch {
    return undefined;
  }
}
