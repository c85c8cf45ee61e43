// The embedded engine registers TimescaleDB's policies (candle refreshes, compression, retention)
// but has no background scheduler to run them, so this does, each on its own schedule_interval:
// refreshes finer level first (1 minute feeds 1 hour feeds 1 day), then retention and compression.
// Server mode leaves this off: TimescaleDB's scheduler runs the same jobs there.
import type { Database } from '../db/database.js';
import type { Logger } from '../log.js';

export interface TimescaleJob {
  id: number;
  procName: string;
  /** The hypertable or continuous aggregate it works on. */
  target: string;
  everyMs: number;
}

export interface TimescaleJobsOptions {
  /** How often to look for due jobs. */
  tickMs?: number;
  /** Compression and retention wait this long after start, so they never slow a start. */
  maintenanceDelayMs?: number;
  /** After a refresh policy ran: new candles may have been materialised. */
  onRefreshed?(job: TimescaleJob): void;
}

const REFRESH = 'policy_refresh_continuous_aggregate';
/** Finer aggregates first: the coarser ones read them. */
const LEVEL = ['candles_1m', 'candles_1h', 'candles_1d'];

export async function listJobs(db: Database): Promise<TimescaleJob[]> {
  const rows = await db.query<{ id: number; procName: string; target: string; everyMs: number }>(
    `SELECT job_id AS id, proc_name AS "procName", hypertable_name AS target,
            (extract(epoch FROM schedule_interval) * 1000)::float8 AS "everyMs"
       FROM timescaledb_information.jobs
      WHERE job_id >= 1000 AND scheduled`,
  );
  // Retention before compression: a chunk about to be dropped is not worth compressing.
  const rank = (j: TimescaleJob) =>
    j.procName === REFRESH
      ? LEVEL.includes(j.target)
        ? LEVEL.indexOf(j.target)
        : LEVEL.length
      : j.procName === 'policy_retention'
        ? 10
        : 20;
  return rows.sort((a, b) => rank(a) - rank(b) || a.id - b.id);
}

/** Runs one job now. CALL takes no bound parameters here, so the id (an integer from the catalog) is checked. */
export async function runJob(db: Database, id: number): Promise<void> {
  if (!Number.isSafeInteger(id) || id < 0) throw new Error(`not a job id: ${id}`);
  await db.exec(`CALL run_job(${id})`);
}

export class TimescaleJobs {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private jobs: TimescaleJob[] = [];
  private readonly due = new Map<number, number>();
  readonly runs = new Map<number, number>();

  constructor(
    private readonly db: Database,
    private readonly log: Logger,
    private readonly o: TimescaleJobsOptions = {},
  ) {}

  async start(): Promise<void> {
    this.jobs = await listJobs(this.db);
    const now = Date.now();
    const delay = this.o.maintenanceDelayMs ?? 60_000;
    // Refreshes run at once (ticks arrived while the server was down); maintenance a little later.
    for (const job of this.jobs) this.due.set(job.id, job.procName === REFRESH ? now : now + delay);
    this.log.info(
      { jobs: this.jobs.map((j) => `${j.procName}(${j.target})`) },
      'running TimescaleDB policies in-process',
    );
    this.timer = setInterval(() => {
      this.running ??= this.runDue().finally(() => (this.running = undefined));
    }, this.o.tickMs ?? 1_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Runs every due job in order; a failing job is logged and tried again on its next turn. */
  async runDue(now = Date.now()): Promise<void> {
    for (const job of this.jobs) {
      if ((this.due.get(job.id) ?? 0) > now) continue;
      const started = performance.now();
      try {
        await runJob(this.db, job.id);
        this.runs.set(job.id, (this.runs.get(job.id) ?? 0) + 1);
        const ms = Math.round(performance.now() - started);
        this.log.debug({ job: job.id, proc: job.procName, target: job.target, ms }, 'policy ran');
        if (job.procName === REFRESH) this.o.onRefreshed?.(job);
      } catch (err) {
        this.log.warn({ job: job.id, proc: job.procName, err: (err as Error).message }, 'policy failed');
      }
      this.due.set(job.id, Date.now() + job.everyMs);
    }
  }
}
