-- One index where two were: the unique key that makes a replayed tick insert nothing becomes
-- (symbol, time DESC, stream_id) instead of (stream_id, time). It is as good a key (a replay carries
-- the same symbol, time and stream id; two stream entries never share an id), and it is also the
-- "prices by (asset, time DESC)" index every per-symbol read uses, so the separate (symbol, time
-- DESC) index goes. Each index costs every stored tick an insertion: binary COPY into the embedded
-- engine went from about 90k to 120k rows/s (docs/benchmarks.md, ingest). The default (time DESC)
-- index stays: refreshes of the 1-minute candles read the newest minutes of a chunk by time alone.
CREATE UNIQUE INDEX IF NOT EXISTS ticks_symbol_time_id_idx ON ticks (symbol, time DESC, stream_id);
DROP INDEX IF EXISTS ticks_symbol_time_idx;
DROP INDEX IF EXISTS ticks_stream_id_idx;
