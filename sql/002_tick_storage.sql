-- Raw ticks at the product's rates: where each tick came from, chunks sized for the live rate,
-- compression of old chunks and a bounded retention (docs/history.md explains the numbers).

-- The producer's optional source id (the stream contract's `src`), for tracing a bad price back.
ALTER TABLE ticks ADD COLUMN IF NOT EXISTS source text;

-- At the simulator's 300 ticks/s an hour is about 1.1 M rows, 150 MB with both indexes: the
-- newest chunk and its indexes stay in memory on a small machine. Applies to chunks created
-- from now on. A deployment ingesting far more should shorten it (set_chunk_time_interval).
SELECT set_chunk_time_interval('ticks', INTERVAL '1 hour');

-- A day-old chunk is only read by the aggregates' refreshes, and those look back less than a day
-- at this level: compress it, one segment per symbol so a symbol's ticks stay together. The
-- order keeps the idempotency key (stream_id, time) checkable inside compressed chunks.
ALTER TABLE ticks SET (
  timescaledb.compress,
  timescaledb.compress_segmentby = 'symbol',
  timescaledb.compress_orderby = 'time DESC, stream_id'
);
SELECT add_compression_policy('ticks', compress_after => INTERVAL '1 day', if_not_exists => true);

-- Raw ticks are kept for 30 days: far longer than the 1-day window the 1-minute aggregate
-- re-reads, so a refresh never sees a region whose ticks were dropped (it would empty it).
SELECT add_retention_policy('ticks', drop_after => INTERVAL '30 days', if_not_exists => true);
