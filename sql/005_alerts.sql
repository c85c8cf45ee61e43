-- Alerts a trader sets on a symbol or a portfolio, and every time one fired. `armed` is the
-- hysteresis state the evaluator persists, so a restart neither fires a crossing twice nor forgets
-- one in progress (docs/alerts.md).
CREATE TABLE alerts (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind         text NOT NULL CHECK (kind IN ('price', 'day-move', 'portfolio-value', 'day-pnl', 'drift')),
  symbol       text REFERENCES assets (symbol),
  portfolio_id bigint REFERENCES portfolios (id) ON DELETE CASCADE,
  direction    text NOT NULL CHECK (direction IN ('above', 'below', 'up', 'down', 'either')),
  -- A price, a percent, an amount in the portfolio's currency or percentage points, by kind.
  threshold    numeric(20, 6) NOT NULL,
  note         text NOT NULL DEFAULT '' CHECK (length(note) <= 200),
  enabled      boolean NOT NULL DEFAULT true,
  -- true: waiting for a crossing; false: fired, waiting to come back past the band; NULL: not yet seen.
  armed        boolean,
  created_at   timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind IN ('price', 'day-move', 'drift')) = (symbol IS NOT NULL)),
  CHECK ((kind IN ('portfolio-value', 'day-pnl', 'drift')) = (portfolio_id IS NOT NULL))
);
CREATE INDEX alerts_user_idx ON alerts (user_id, id);
-- The evaluator loads every enabled alert when it takes over.
CREATE INDEX alerts_enabled_idx ON alerts (id) WHERE enabled;

-- One row per crossing. The alert may be deleted later; its history stays with a description.
CREATE TABLE alert_firings (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  alert_id    bigint REFERENCES alerts (id) ON DELETE SET NULL,
  user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- Exchange time of the tick that carried the value across the level.
  fired_at    timestamptz NOT NULL,
  value       numeric(20, 6) NOT NULL,
  description text NOT NULL
);
CREATE INDEX alert_firings_user_idx ON alert_firings (user_id, id DESC);

-- Where fired alerts are emailed, when SMTP is configured; NULL: socket only.
ALTER TABLE users ADD COLUMN email text CHECK (email IS NULL OR email ~ '^[^@\s]+@[^@\s]+$');
