// A fired alert reaches the trader's mailbox: a real SMTP conversation with a local sink started
// here (smtp-server), which refuses the first attempt so the retry is exercised too.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, TickDriver, waitForState } from './alert-driver.js';
import { login, startTestApp, TestSocket, type TestApp } from './harness.js';

interface Received {
  from: string;
  to: string[];
  data: string;
}

let sink: SMTPServer;
let t: TestApp;
const received: Received[] = [];
let attempts = 0;

beforeAll(async () => {
  sink = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        // The first delivery is refused with a temporary failure: the mailer must try again.
        if (++attempts === 1) return callback(Object.assign(new Error('try again later'), { responseCode: 451 }));
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          data: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const port = (sink.server.address() as AddressInfo).port;
  t = await startTestApp({ SMTP_URL: `smtp://127.0.0.1:${port}`, SMTP_FROM: 'Desk <desk@tickdash.test>' });
}, 180_000);
afterAll(async () => {
  await t?.stop();
  await new Promise<void>((resolve) => sink.close(() => resolve()));
});

describe('alert email', () => {
  it('sends a fired alert to the trader over SMTP, retrying a refused delivery', async () => {
    await t.app.db.query(`UPDATE users SET email = 'trader@example.com' WHERE username = 'demo'`);
    const token = await login(t.app.url, 'demo', 'demo');
    const portfolio = ((await api(t.app.url, token, 'GET', '/portfolios')).body.portfolios as { id: number }[])[0]!.id;
    const socket = await TestSocket.open(t.wsUrl, token);
    socket.send({ op: 'subscribe', portfolios: [portfolio] });
    const snapshot = await socket.next((f) => f.type === 'snapshot');
    const p = (snapshot.positions as { symbol: string; price: number }[])[0]!;
    const level = Math.round(p.price * 100) + 500;
    const created = await api(t.app.url, token, 'POST', '/alerts', {
      kind: 'price',
      symbol: p.symbol,
      direction: 'above',
      level: level / 100,
    });
    await waitForState(t.app.url, token, created.body.id as number, 'armed');
    const ticks = new TickDriver(t.app.redis.connect('test-producer'), t.app.keys.ticks);
    await ticks.tickAndWait(socket, portfolio, p.symbol, level + 1);
    await socket.next((f) => f.type === 'alert');

    for (let i = 0; i < 400 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(attempts).toBe(2);
    expect(received).toHaveLength(1);
    const mail = received[0]!;
    expect(mail.from).toBe('desk@tickdash.test');
    expect(mail.to).toEqual(['trader@example.com']);
    expect(mail.data).toContain(`Subject: Alert: ${p.symbol} above ${level / 100}`);
    expect(mail.data).toContain(`Value: ${(level + 1) / 100}`);
    socket.close();
  });
});
