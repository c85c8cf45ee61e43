-- migrate:no-transaction
-- OHLCV candles as continuous aggregates: 1 minute from raw ticks, 1 hour from 1 minute, 1 day from
-- 1 hour (hierarchical, so each level reads the small one below it, never the raw ticks). Timescale
-- refuses this DDL inside a transaction block; every statement is written to be re-run harmlessly.
-- Real-time aggregation (materialized_only = false) adds the not yet materialised tail on read, so
-- the newest bucket of every range is current. docs/history.md explains the offsets and retention.

CREATE MATERIALIZED VIEW IF NOT EXISTS candles_1m
  WITH (timescaledb.continuous, timescaledb.materialized_only = false, timescaledb.chunk_interval = '1 day') AS
SELECT time_bucket(INTERVAL '1 minute', time) AS bucket,
       symbol,
       first(price, time) AS open,
       max(price) AS high,
       min(price) AS low,
       last(price, time) AS close,
       sum(size) AS volume,
       count(*) AS tick_count
  FROM ticks
 GROUP BY 1, symbol
WITH NO DATA;

CREATE MATERIALIZED VIEW IF NOT EXISTS candles_1h
  WITH (timescaledb.continuous, timescaledb.materialized_only = false, timescaledb.chunk_interval = '30 days') AS
SELECT time_bucket(INTERVAL '1 hour', bucket) AS bucket,
       symbol,
       first(open, bucket) AS open,
       max(high) AS high,
       min(low) AS low,
       last(close, bucket) AS close,
       sum(volume) AS volume,
       sum(tick_count)::bigint AS tick_count
  FROM candles_1m
 GROUP BY 1, symbol
WITH NO DATA;

CREATE MATERIALIZED VIEW IF NOT EXISTS candles_1d
  WITH (timescaledb.continuous, timescaledb.materialized_only = false, timescaledb.chunk_interval = '1 year') AS
SELECT time_bucket(INTERVAL '1 day', bucket) AS bucket,
       symbol,
       first(open, bucket) AS open,
       max(high) AS high,
       min(low) AS low,
       last(close, bucket) AS close,
       sum(volume) AS volume,
       sum(tick_count)::bigint AS tick_count
  FROM candles_1h
 GROUP BY 1, symbol
WITH NO DATA;

-- Bounded windows: with start_offset NULL a refresh scans everything and takes tens of seconds even
-- when nothing changed. Each window covers a late tick or a database outage of up to its length;
-- end_offset leaves the open bucket to real-time aggregation.
SELECT add_continuous_aggregate_policy('candles_1m', start_offset => INTERVAL '1 day',
  end_offset => INTERVAL '1 minute', schedule_interval => INTERVAL '1 minute', if_not_exists => true);
SELECT add_continuous_aggregate_policy('candles_1h', start_offset => INTERVAL '3 days',
  end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '10 minutes', if_not_exists => true);
SELECT add_continuous_aggregate_policy('candles_1d', start_offset => INTERVAL '30 days',
  end_offset => INTERVAL '1 day', schedule_interval => INTERVAL '1 hour', if_not_exists => true);

-- Each level is kept longer than the ranges it serves and than the window the level above re-reads:
-- 1 minute serves 1D and feeds the 1-hour refresh (3 days); 1 hour serves 1W and 1M and feeds the
-- 1-day refresh (30 days); 1 day serves YTD, 1Y and MAX and is kept for good.
SELECT add_retention_policy('candles_1m', drop_after => INTERVAL '14 days', if_not_exists => true);
SELECT add_retention_policy('candles_1h', drop_after => INTERVAL '120 days', if_not_exists => true);
