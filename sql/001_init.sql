-- First schema: the symbol universe, users, their portfolios and positions, and raw ticks.
CREATE EXTENSION IF NOT EXISTS timescaledb;

CREATE TABLE assets (
  symbol          text PRIMARY KEY CHECK (symbol ~ '^[A-Z][A-Z0-9.]{0,9}$'),
  name            text NOT NULL,
  sector          text NOT NULL,
  exchange        text NOT NULL,
  currency        char(3) NOT NULL DEFAULT 'USD',
  -- Where the simulator starts a symbol and the last resort for its price before any tick.
  reference_price numeric(18, 4) NOT NULL CHECK (reference_price > 0),
  -- Annualised, as a fraction (0.25 = 25 %); drives the simulator's random walk.
  volatility      double precision NOT NULL CHECK (volatility > 0 AND volatility < 5)
);

CREATE TABLE users (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username      text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9_.-]{1,64}$'),
  display_name  text NOT NULL,
  password_hash text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE portfolios (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name          text NOT NULL,
  base_currency char(3) NOT NULL DEFAULT 'USD',
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, name)
);

CREATE TABLE positions (
  portfolio_id  bigint NOT NULL REFERENCES portfolios (id) ON DELETE CASCADE,
  symbol        text NOT NULL REFERENCES assets (symbol),
  -- Shares; fractional shares allowed. Negative is a short position.
  quantity      numeric(24, 8) NOT NULL CHECK (quantity <> 0),
  -- Total cost of the position in the portfolio's currency (not per share).
  cost_basis    numeric(20, 4) NOT NULL,
  -- Target allocation in percent of the portfolio's value; NULL when none is set.
  target_weight numeric(7, 4) CHECK (target_weight BETWEEN 0 AND 100),
  PRIMARY KEY (portfolio_id, symbol)
);
-- The engine's question on every tick is "who holds this symbol?".
CREATE INDEX positions_symbol_idx ON positions (symbol);

CREATE TABLE ticks (
  time      timestamptz NOT NULL,
  symbol    text NOT NULL,
  price     double precision NOT NULL CHECK (price > 0),
  size      double precision NOT NULL DEFAULT 0 CHECK (size >= 0),
  -- The Redis Stream entry id the tick came from: the key that makes replays insert nothing twice.
  stream_id text NOT NULL
);
-- Six-hour chunks keep a chunk of a few hundred ticks/s well inside memory on a small machine.
SELECT create_hypertable('ticks', by_range('time', INTERVAL '6 hours'));
CREATE INDEX ticks_symbol_time_idx ON ticks (symbol, time DESC);
CREATE UNIQUE INDEX ticks_stream_id_idx ON ticks (stream_id, time);
