// A full garbage collection in another process, through its inspector (node --inspect): memory
// per connection is a difference of two RSS readings, and garbage left by the upgrades would
// otherwise be counted as connection state. No session stays attached while load is measured.
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

/** Inspector on a free port of the loopback interface. */
export const INSPECT_ARG = '--inspect=127.0.0.1:0';
const INSPECTOR_TIMEOUT_MS = 60_000;
const INSPECTOR_LINE = /^Debugger listening on (ws:\/\/\S+)/;
const INSPECTOR_CHATTER =
  /^(Debugger listening on|For help, see|Debugger attached|Debugger ending on|Waiting for the debugger)/;

/**
 * Forwards a child's stderr (prefixed) and resolves with its inspector URL when it prints one.
 * The inspector's own notices are not forwarded.
 */
export function followStderr(child: ChildProcess, prefix: string): { inspector: Promise<string>; tail(): string } {
  const lines: string[] = [];
  const inspector = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${prefix} printed no inspector URL`)), INSPECTOR_TIMEOUT_MS);
    timer.unref();
    createInterface({ input: child.stderr! }).on('line', (line) => {
      const url = INSPECTOR_LINE.exec(line)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve(url);
      }
      if (INSPECTOR_CHATTER.test(line)) return;
      lines.push(line);
      if (lines.length > 50) lines.shift();
      console.error(`${prefix} ${line}`);
    });
  });
  // Only processes started with --inspect print one; the others' promise is never awaited.
  inspector.catch(() => undefined);
  return { inspector, tail: () => lines.join('\n') };
}

/** Runs a full GC in the process behind `inspectorUrl`; resolves with its JS heap in use after it. */
export async function collectGarbage(inspectorUrl: string): Promise<number> {
  const ws = new WebSocket(inspectorUrl, { perMessageDeflate: false });
  const calls = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let next = 1;
  const call = (method: string) =>
    new Promise<unknown>((resolve, reject) => {
      calls.set(next, { resolve, reject });
      ws.send(JSON.stringify({ id: next++, method }));
    });
  ws.on('message', (data) => {
    const reply = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
    const waiting = reply.id === undefined ? undefined : calls.get(reply.id);
    if (!waiting) return;
    if (reply.error) waiting.reject(new Error(`inspector: ${reply.error.message}`));
    else waiting.resolve(reply.result);
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  try {
    await call('HeapProfiler.collectGarbage');
    return ((await call('Runtime.getHeapUsage')) as { usedSize: number }).usedSize;
  } finally {
    ws.close();
    await new Promise((resolve) => ws.once('close', resolve));
  }
}
