// The production shape stays wired the way docs/operations.md describes it: docker-compose.yml's
// services and healthchecks, environment every app service's config accepts, a balancer that
// proxies WebSocket upgrades, and an image that runs on glibc as a non-root user. The files are
// parsed, never run: no Docker engine is needed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../src/config.js';
import { PROJECT_ROOT } from '../src/paths.js';

interface Service {
  image?: string;
  build?: unknown;
  command?: string | string[];
  environment?: Record<string, unknown> | string[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  depends_on?: Record<string, { condition?: string }> | string[];
  deploy?: { replicas?: number };
  profiles?: string[];
  ports?: unknown[];
  volumes?: unknown[];
}

const read = (file: string) => readFileSync(join(PROJECT_ROOT, file), 'utf8');

/** docker-compose.yml as Compose sees it on a machine with no .env file and nothing exported. */
const compose = interpolated(parse(read('docker-compose.yml'), { merge: true })) as {
  services: Record<string, Service>;
};
const services = compose.services;
/** The services that run the app image: the ones built from the Dockerfile. */
const appServices = Object.keys(services).filter((name) => services[name]!.build !== undefined);

describe('docker-compose.yml', () => {
  it('runs TimescaleDB, Redis, several gateways behind a balancer, a persister, and a simulator on demand', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining(['timescaledb', 'redis', 'gateway', 'lb', 'persister', 'simulator']),
    );
    expect(services.timescaledb!.image).toMatch(/^timescale\/timescaledb:.*pg17$/);
    expect(services.redis!.image).toMatch(/^redis:7/);
    expect(services.gateway!.deploy?.replicas).toBeGreaterThanOrEqual(2);
    expect([...appServices].sort()).toEqual(['gateway', 'persister', 'simulator']);

    // A plain `docker compose up` starts everything but the simulator.
    expect(services.simulator!.profiles).toEqual(['simulator']);
    for (const name of Object.keys(services).filter((n) => n !== 'simulator')) {
      expect(services[name]!.profiles, name).toBeUndefined();
    }
    // Only the balancer is reachable from outside; replicas cannot share a published port anyway.
    for (const [name, service] of Object.entries(services)) {
      if (name === 'lb') expect(service.ports?.length).toBeGreaterThan(0);
      else expect(service.ports, name).toBeUndefined();
    }
  });

  it('gives every service a healthcheck and starts each after what it needs is healthy', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.healthcheck?.disable, name).not.toBe(true);
      expect(testCommand(service), name).not.toMatch(/^(NONE\b|$)/);
      const needs = service.depends_on ?? {};
      expect(Array.isArray(needs), `${name}: depends_on needs conditions`).toBe(false);
      for (const [needed, { condition }] of Object.entries(needs as Record<string, { condition?: string }>)) {
        expect(services[needed], `${name} depends on ${needed}`).toBeDefined();
        expect(condition, `${name} → ${needed}`).toBe('service_healthy');
      }
    }
    expect(testCommand(services.timescaledb!)).toMatch(/\bpg_isready\b/);
    expect(testCommand(services.redis!)).toMatch(/\bredis-cli\b.*\bping\b/);
    for (const name of appServices) {
      expect(testCommand(services[name]!), name).toContain('/readyz');
      expect(Object.keys(services[name]!.depends_on ?? {}), name).toEqual(
        expect.arrayContaining(['timescaledb', 'redis']),
      );
    }
    expect(Object.keys(services.lb!.depends_on ?? {})).toContain('gateway');
  });

  it('keeps Redis on disk with an append-only file', () => {
    const command = services.redis!.command;
    const args = Array.isArray(command) ? command : (command ?? '').split(/\s+/);
    expect(args[args.indexOf('--appendonly') + 1]).toBe('yes');
    expect(services.redis!.volumes?.some((v) => String(v).endsWith(':/data'))).toBe(true);
  });

  it('points every app service at the timescaledb and redis services', () => {
    const db = environment(services.timescaledb!);
    for (const name of appServices) {
      const env = environment(services[name]!);
      const database = new URL(env.DATABASE_URL ?? 'missing:');
      expect(database.protocol, name).toMatch(/^postgres(ql)?:$/);
      expect(database.hostname, name).toBe('timescaledb');
      expect(database.port || '5432', name).toBe('5432');
      expect(decodeURIComponent(database.username), name).toBe(db.POSTGRES_USER);
      expect(decodeURIComponent(database.password), name).toBe(db.POSTGRES_PASSWORD);
      expect(database.pathname, name).toBe(`/${db.POSTGRES_DB}`);

      const redis = new URL(env.REDIS_URL ?? 'missing:');
      expect(redis.protocol, name).toMatch(/^rediss?:$/);
      expect(redis.hostname, name).toBe('redis');
    }
  });

  it('sets only variables config.ts reads, with values it accepts', () => {
    // loadConfig ignores variables it does not know, so the names come from its schema itself.
    const known = schemaKeys(read('server/src/config.ts'));
    for (const name of appServices) {
      const env = environment(services[name]!);
      for (const key of Object.keys(env)) {
        expect(known, `${name}: ${key} is not a setting of config.ts`).toContain(key);
      }
      const config = loadConfig(env);
      expect(config.mode, name).toBe('server');
      expect(config.host, name).toBe('0.0.0.0');
      // The healthcheck and the balancer reach the port the process listens on.
      expect(testCommand(services[name]!), name).toContain(`:${config.port}/`);
    }
  });

  it('gives each role its own service: gateways only serve, one persister stores, the simulator produces', () => {
    const configs = Object.fromEntries(appServices.map((name) => [name, loadConfig(environment(services[name]!))]));
    const running = (role: (c: ReturnType<typeof loadConfig>) => boolean) =>
      Object.keys(configs).filter((name) => role(configs[name]!));
    expect(running((c) => c.persister.enabled)).toEqual(['persister']);
    expect(running((c) => c.simulator.enabled)).toEqual(['simulator']);
    // TimescaleDB's own scheduler runs the policies in server mode.
    expect(running((c) => c.timescaleJobs)).toEqual([]);
    // Migrations and the demo seed happen once, in the service the gateways start after.
    const seeders = running((c) => c.demo.enabled);
    expect(seeders.length).toBeLessThanOrEqual(1);
    for (const seeder of seeders) expect(Object.keys(services.gateway!.depends_on ?? {})).toContain(seeder);
  });

  it('balances WebSocket upgrades on /ws with long timeouts and plain HTTP for the rest', () => {
    const mount = services.lb!.volumes?.map(String).find((v) => v.startsWith('./') && v.includes(':/etc/nginx/'));
    expect(mount, 'lb mounts its nginx configuration').toBeDefined();
    const nginx = withoutComments(read(mount!.split(':')[0]!));

    const upstream = /upstream\s+(\w+)\s*\{([^}]*)\}/.exec(nginx);
    expect(upstream, 'an upstream block').not.toBeNull();
    const gatewayPort = loadConfig(environment(services.gateway!)).port;
    expect(upstream![2]).toMatch(new RegExp(`\\bserver\\s+gateway:${gatewayPort}\\b`));
    // No affinity: clients resume by protocol on whichever gateway they reach.
    expect(upstream![2]).not.toMatch(/\b(ip_hash|sticky|hash)\b/);

    const ws = block(nginx, /location\s+\/ws\s*\{/);
    expect(ws).toMatch(new RegExp(`proxy_pass\\s+http://${upstream![1]}\\s*;`));
    expect(ws).toMatch(/proxy_set_header\s+Upgrade\s+\$http_upgrade\s*;/);
    expect(ws).toMatch(/proxy_set_header\s+Connection\s+("?upgrade"?|\$connection_upgrade)\s*;/i);
    if (ws.includes('$connection_upgrade')) expect(nginx).toMatch(/map\s+\$http_upgrade\s+\$connection_upgrade\s*\{/);
    expect(nginx).toMatch(/proxy_http_version\s+1\.1\s*;/);
    // The gateway checks Origin against Host, port included: $host would drop the port.
    expect(ws).toMatch(/proxy_set_header\s+Host\s+\$http_host\s*;/);
    // Longer than the gateway's 60 s idle limit, so only the gateway decides when a socket is dead.
    expect(seconds(/proxy_read_timeout\s+(\w+)\s*;/.exec(ws)?.[1])).toBeGreaterThanOrEqual(300);
    expect(seconds(/proxy_send_timeout\s+(\w+)\s*;/.exec(ws)?.[1])).toBeGreaterThanOrEqual(300);

    const rest = block(nginx, /location\s+\/\s*\{/);
    expect(rest).toMatch(new RegExp(`proxy_pass\\s+http://${upstream![1]}\\s*;`));
    expect(rest).not.toMatch(/Upgrade/);
  });

  it('tells the app behind it who the client is and whether it came over HTTPS, and the app believes it', () => {
    const mount = services.lb!.volumes!.map(String).find((v) => v.includes(':/etc/nginx/'))!;
    const nginx = withoutComments(read(mount.split(':')[0]!));
    // The app keys the login throttle on the last X-Forwarded-For entry: the one nginx appends.
    expect(nginx).toMatch(/proxy_set_header\s+X-Forwarded-For\s+\$proxy_add_x_forwarded_for\s*;/);
    expect(nginx).toMatch(/proxy_set_header\s+X-Forwarded-Proto\s+\$scheme\s*;/);
    for (const name of appServices) expect(loadConfig(environment(services[name]!)).trustProxy, name).toBe(true);
  });
});

describe('Dockerfile', () => {
  const steps = dockerfileSteps(read('Dockerfile'));
  const args = Object.fromEntries(
    steps.filter((s) => s.op === 'ARG' && s.args.includes('=')).map((s) => s.args.split('=', 2) as [string, string]),
  );
  const resolve = (text: string) => text.replace(/\$\{?(\w+)\}?/g, (_, name: string) => args[name] ?? '');
  const stages = steps.filter((s) => s.op === 'FROM').map((s) => resolve(s.args));

  it('builds in stages and runs on Debian slim, never Alpine (uWebSockets.js needs glibc)', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage).not.toMatch(/alpine/i);
    expect(stages.at(-1)).toMatch(/^node:20[\w.-]*-bookworm-slim\b/);
    expect(steps.some((s) => s.op === 'RUN' && /npm ci\b.*--omit=dev/.test(s.args))).toBe(true);
    // The page is built in the build stage and served by the server from web/build.
    expect(steps.some((s) => s.op === 'COPY' && /--from=\S+.*web\/build/.test(s.args))).toBe(true);
  });

  it('runs as a user that is not root, listens on 8080 on every interface and checks its health', () => {
    const finalStage = steps.slice(steps.findLastIndex((s) => s.op === 'FROM'));
    const user = finalStage.filter((s) => s.op === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(user!.split(':')[0]).not.toMatch(/^(root|0)$/);
    expect(finalStage.some((s) => s.op === 'EXPOSE' && /\b8080\b/.test(s.args))).toBe(true);
    expect(finalStage.some((s) => s.op === 'ENV' && /\bHOST=0\.0\.0\.0\b/.test(s.args))).toBe(true);
    const healthcheck = finalStage.find((s) => s.op === 'HEALTHCHECK')?.args ?? '';
    expect(healthcheck).toContain('/healthz');
    // Slim images have no curl or wget.
    expect(healthcheck).toMatch(/CMD\s+\[?\s*"?node\b/);
  });

  it('keeps installed and built files of the host out of the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim());
    expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', 'dist', 'web/build']));
  });
});

/** Compose interpolation with nothing set: `${VAR:-default}` and `${VAR-default}` give the default. */
function interpolated(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\$|\$\{([^}]*)\}|\$([A-Za-z_]\w*)/g, (match, inner?: string) => {
      if (match === '$$') return '$';
      const withDefault = /^[A-Za-z_]\w*:?-(.*)$/s.exec(inner ?? '');
      // A bare $VAR or ${VAR:?error} needs something exported: a plain `up` must work without.
      if (!withDefault) throw new Error(`${match} in docker-compose.yml has no default`);
      return withDefault[1]!;
    });
  }
  if (Array.isArray(value)) return value.map(interpolated);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolated(v)]));
  }
  return value;
}

/** A service's environment as the process sees it (map or list form; null means "from the shell"). */
function environment(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  const entries = Array.isArray(env)
    ? env.map((line) => {
        const at = line.indexOf('=');
        return at < 0 ? [line, ''] : [line.slice(0, at), line.slice(at + 1)];
      })
    : Object.entries(env).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]);
  return Object.fromEntries(entries) as Record<string, string>;
}

function testCommand(service: Service): string {
  const test = service.healthcheck?.test ?? '';
  return (Array.isArray(test) ? test : [test]).join(' ').trim();
}

/** The variable names of config.ts's schema (`const schema = z.object({ NAME: ..., })`). */
function schemaKeys(source: string): string[] {
  const start = source.indexOf('const schema = z.object({');
  expect(start, 'config.ts declares `const schema = z.object({`').toBeGreaterThanOrEqual(0);
  const body = source.slice(start, source.indexOf('\n});', start));
  const keys = [...body.matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]!);
  expect(keys).toEqual(expect.arrayContaining(['DATABASE_URL', 'REDIS_URL', 'HOST', 'PORT']));
  return keys;
}

function withoutComments(conf: string): string {
  return conf.replace(/#[^\n]*/g, '');
}

/** The body of the nginx block that `opening` starts, up to its matching brace. */
function block(conf: string, opening: RegExp): string {
  const match = opening.exec(conf);
  expect(match, `nginx block ${opening}`).not.toBeNull();
  let depth = 1;
  let i = match!.index + match![0].length;
  const from = i;
  for (; i < conf.length && depth > 0; i++) {
    if (conf[i] === '{') depth++;
    else if (conf[i] === '}') depth--;
  }
  return conf.slice(from, i - 1);
}

/** An nginx time ("3600", "3600s", "60m", "1h") in seconds; 60 (nginx's default) when unset. */
function seconds(value: string | undefined): number {
  const m = /^(\d+)(ms|s|m|h|d)?$/.exec(value ?? '60s');
  expect(m, `nginx time ${value}`).not.toBeNull();
  const unit = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[(m![2] ?? 's') as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(m![1]) * unit;
}

/** Dockerfile instructions, continuation lines joined and comments dropped. */
function dockerfileSteps(text: string): { op: string; args: string }[] {
  const lines = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n');
  return lines
    .map((line) => /^\s*([A-Za-z]+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ op: m[1]!.toUpperCase(), args: m[2]!.trim() }));
}
