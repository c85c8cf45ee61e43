import { login, startTestApp } from '../../server/test/harness.js';
import { runLighthouse } from './lighthouse.js';
const t = await startTestApp({ DEMO_HISTORY_DAYS: '30' });
const token = await login(t.app.url, 'demo', 'demo');
await new Promise((r) => setTimeout(r, 25000));
const out: string[] = [];
for (let i = 0; i < Number(process.env.RUNS ?? 2); i++) {
  const s = await runLighthouse('/usr/bin/chromium', `${t.app.url}/`, 'mobile', `session=${token}`, '/tmp/lh');
  out.push(`${s.performance} tbt=${s.tbt.toFixed(0)} lcp=${s.lcp.toFixed(0)}`);
}
console.log(process.env.LABEL, out.join(' | '));
await t.stop();
process.exit(0);
