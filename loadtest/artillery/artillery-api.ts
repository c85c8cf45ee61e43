// The part of artillery 2's processor API the scenarios use (it ships no types). A processor
// function gets the virtual user's context and an event emitter; `counter` and `histogram` events
// end up in artillery's report, summed or summarised over every virtual user.
import type WebSocket from 'ws';

export interface Events {
  emit(kind: 'counter', name: string, value: number): void;
  emit(kind: 'histogram', name: string, value: number): void;
}

export type Vars = Record<string, unknown>;

export interface Context {
  vars: Vars;
  /** The ws engine's socket, open from the first step on. */
  ws?: WebSocket;
}

/** A `function:` step: artillery awaits the promise. */
export type Step = (context: Context, events: Events) => Promise<void>;

/** What the ws engine hands a `connect: { function }` before it opens the socket. */
export interface WsArgs {
  target: string;
  subprotocols: string[];
  options: { headers?: Record<string, string> };
}

/** A `connect: { function }` in the ws engine (callback style: the engine calls it that way). */
export type ConnectFn = (args: WsArgs, context: Context, done: (err?: Error) => void) => void;

export interface HttpRequest {
  json?: unknown;
}

/** A `beforeRequest` / `afterResponse` hook in the http engine. */
export type BeforeRequest = (req: HttpRequest, context: Context, events: Events, done: (err?: Error) => void) => void;
export type AfterResponse = (
  req: HttpRequest,
  res: { statusCode: number; body: unknown },
  context: Context,
  events: Events,
  done: (err?: Error) => void,
) => void;
