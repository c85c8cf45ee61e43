// Follows one export from the request to the download: progress from the socket's `job` notices,
// and, when none arrives for a while (no socket, a missed frame), from polling GET /exports/:id.
import { ApiError, getExport, startExport, type ExportJob, type ExportKind, type Range } from '$lib/api';
import type { NoticeFrame } from '$lib/feed/types';

/** Silence from the socket this long and the tracker asks the API itself. */
export const NOTICE_SILENCE_MS = 2_000;
const POLL_EVERY_MS = 1_000;

export type ExportProgress = Pick<ExportJob, 'id' | 'kind' | 'status' | 'progress' | 'error' | 'file'>;

export class ExportTracker {
  /** The export on screen; replaced whole on every change. */
  job = $state.raw<ExportProgress | null>(null);
  /** Why the export could not be started or followed. */
  problem = $state<string | null>(null);
  #timer: ReturnType<typeof setTimeout> | undefined;

  get busy(): boolean {
    const status = this.job?.status;
    return status === 'queued' || status === 'running' || status === 'retrying';
  }

  async start(portfolio: number, kind: ExportKind, range?: Range): Promise<void> {
    this.stop();
    this.problem = null;
    this.job = null;
    try {
      this.#update(await startExport(portfolio, kind, range));
    } catch (failure) {
      this.problem = failure instanceof ApiError ? failure.message : 'The export could not be started: network error.';
    }
  }

  /** Feed every user notice here; notices about other jobs are ignored. */
  onNotice(frame: NoticeFrame): void {
    if (frame.type !== 'job' || frame.id !== this.job?.id) return;
    // A poll can answer after a newer notice: within one status progress never goes back (a retry
    // changes the status and starts again from 0).
    if (isFinished(this.job.status) || (frame.status === this.job.status && frame.progress < this.job.progress)) return;
    this.#update({ ...frame, kind: this.job.kind });
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #update(job: ExportProgress): void {
    this.job = {
      id: job.id,
      kind: job.kind,
      status: job.status,
      progress: job.progress,
      error: job.error,
      file: job.file,
    };
    this.stop();
    if (!isFinished(job.status)) this.#timer = setTimeout(() => void this.#poll(job.id), NOTICE_SILENCE_MS);
  }

  async #poll(id: string): Promise<void> {
    try {
      const job = await getExport(id);
      // A notice may have finished it while this request was out.
      if (this.job?.id !== id || isFinished(this.job.status)) return;
      if (job.status !== this.job.status || job.progress >= this.job.progress) this.job = { ...job };
    } catch (failure) {
      if (this.job?.id !== id) return;
      if (failure instanceof ApiError && failure.status === 404) {
        this.problem = 'The export is no longer available.';
        return;
      }
    }
    if (this.job?.id === id && !isFinished(this.job.status)) {
      this.#timer = setTimeout(() => void this.#poll(id), POLL_EVERY_MS);
    }
  }
}

function isFinished(status: ExportProgress['status']): boolean {
  return status === 'done' || status === 'failed';
}
