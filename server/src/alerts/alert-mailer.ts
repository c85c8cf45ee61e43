// Emails fired alerts when SMTP is configured. Sending happens off the tick path (after the firing
// is stored); a failed send is retried a few times with growing waits, then logged and dropped:
// the firing itself is already stored and listed by the API.
import nodemailer from 'nodemailer';
import type { Logger } from '../log.js';

export interface AlertMail {
  to: string;
  subject: string;
  text: string;
}

export interface AlertMailer {
  send(mail: AlertMail): void;
  /** Waits for sends in flight (shutdown, tests). */
  close(): Promise<void>;
}

export interface MailerOptions {
  url: string;
  from: string;
  attempts?: number;
  /** Wait before the first retry; doubled for each one after. */
  retryMs?: number;
}

export function smtpMailer({ url, from, attempts = 4, retryMs = 1_000 }: MailerOptions, log: Logger): AlertMailer {
  const transport = nodemailer.createTransport(url);
  const inFlight = new Set<Promise<void>>();
  let closing = false;
  const deliver = async (mail: AlertMail) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await transport.sendMail({ from, ...mail });
        return;
      } catch (err) {
        if (attempt >= attempts || closing) {
          log.error({ err, attempt }, 'alert email not sent');
          return;
        }
        log.warn({ err, attempt }, 'alert email failed, retrying');
        await new Promise((r) => setTimeout(r, retryMs * 2 ** (attempt - 1)).unref());
      }
    }
  };
  return {
    send(mail) {
      const p = deliver(mail).finally(() => inFlight.delete(p));
      inFlight.add(p);
    },
    async close() {
      closing = true;
      await Promise.all(inFlight);
      transport.close();
    },
  };
}
