// A frame meant for one trader reaches every socket that trader has open, on whichever gateway
// holds it, and no other trader's socket. Two gateways share one Redis, as in a scaled-out setup.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/auth/passwords.js';
import { createUser } from '../src/store/users.js';
import { login, startTestApp, TestSocket, type TestApp } from './harness.js';

let a: TestApp;
let b: TestApp;

beforeAll(async () => {
  a = await startTestApp();
  // Same Redis prefix: same sessions and channels; its own database seeded with the same demo user.
  b = await startTestApp({ REDIS_KEY_PREFIX: a.config.redisKeyPrefix });
  await createUser(b.app.db, { username: 'other', displayName: 'Other', passwordHash: await hashPassword('other-pw') });
});
afterAll(async () => {
  await b?.app.close();
  await a?.stop();
});

describe('user notices', () => {
  it('reach every socket of the user on every gateway, and nobody else', async () => {
    const demoToken = await login(a.app.url, 'demo', 'demo');
    const otherToken = await login(b.app.url, 'other', 'other-pw');
    const onA = await TestSocket.open(a.wsUrl, demoToken);
    // This one authenticates with a frame after an anonymous upgrade: it must join the topic too.
    const onB = await TestSocket.open(b.wsUrl);
    onB.send({ op: 'auth', token: demoToken });
    const demo = await onB.next((f) => f.type === 'hello' && f.user !== null);
    const stranger = await TestSocket.open(b.wsUrl, otherToken);
    await stranger.next((f) => f.type === 'hello');

    const frame = JSON.stringify({ type: 'notice-test', v: 1, text: 'for demo only' });
    await a.app.notices.send((demo.user as { id: number }).id, frame);

    expect(await onA.next((f) => f.type === 'notice-test')).toEqual(JSON.parse(frame));
    expect(await onB.next((f) => f.type === 'notice-test')).toEqual(JSON.parse(frame));
    // The stranger's socket proves it is still served, and that nothing else arrived before.
    stranger.send({ op: 'ping' });
    await stranger.next((f) => f.type === 'pong');
    expect(stranger.frames.map((f) => f.type)).toEqual(['hello', 'pong']);
    for (const s of [onA, onB, stranger]) s.close();
  });
});
