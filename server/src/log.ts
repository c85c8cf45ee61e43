// One logger for the whole process. Structured JSON (pino) so operators can query it; secrets are
// redacted by path so a careless `log.info({ req })` cannot leak a session or a password.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'tickdash' },
    redact: {
      paths: [
        'password',
        '*.password',
        'token',
        '*.token',
        'authorization',
        '*.authorization',
        'cookie',
        '*.cookie',
        'databaseUrl',
        'redisUrl',
      ],
      censor: '[redacted]',
    },
  });
}
