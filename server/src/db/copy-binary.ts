// PostgreSQL's binary COPY format, the fastest way in on both engines (docs/benchmarks.md): no
// text parsing of timestamps and floats on the database side. Columns come in as arrays (one per
// column, all the same length) so a batch is encoded in one pass into one buffer that can be
// transferred to the embedded database's thread without a copy.
// Format: https://www.postgresql.org/docs/current/sql-copy.html#SQL-COPY-BINARY-FORMAT

export type CopyColumn =
  /** Milliseconds since the Unix epoch. */
  | { type: 'timestamptz'; values: ArrayLike<number> }
  | { type: 'float8'; values: ArrayLike<number> }
  /** null or undefined is SQL NULL. */
  | { type: 'text'; values: ArrayLike<string | null | undefined> };

const SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]; // PGCOPY\n\377\r\n\0
const HEADER_BYTES = SIGNATURE.length + 4 + 4; // signature, flags, header extension length
/** Microseconds between the Unix epoch and PostgreSQL's (2000-01-01). */
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
const TWO_32 = 2 ** 32;

const encoder = new TextEncoder();

/** Encodes `rows` rows; every column's `values` must have at least that many entries. */
export function encodeCopyBinary(columns: readonly CopyColumn[], rows: number): Uint8Array {
  // Fixed-width fields are exact; text is measured as UTF-16 length x 3, the UTF-8 worst case,
  // unless every character is ASCII (the usual case: symbols and stream ids), checked while copying.
  let size = HEADER_BYTES + 2;
  for (const column of columns) {
    if (column.type === 'text') {
      for (let r = 0; r < rows; r++) size += 4 + (column.values[r]?.length ?? 0) * 3;
    } else {
      size += rows * 12;
    }
  }
  size += rows * 2;
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  bytes.set(SIGNATURE, 0);
  let at = HEADER_BYTES; // flags and extension length are zero already
  const fieldCount = columns.length;
  for (let r = 0; r < rows; r++) {
    view.setInt16(at, fieldCount);
    at += 2;
    for (const column of columns) {
      switch (column.type) {
        case 'timestamptz': {
          const micros = (column.values[r]! - PG_EPOCH_MS) * 1000;
          const high = Math.floor(micros / TWO_32);
          view.setInt32(at, 8);
          view.setInt32(at + 4, high);
          view.setUint32(at + 8, micros - high * TWO_32);
          at += 12;
          break;
        }
        case 'float8':
          view.setInt32(at, 8);
          view.setFloat64(at + 4, column.values[r]!);
          at += 12;
          break;
        case 'text': {
          const value = column.values[r];
          if (value === null || value === undefined) {
            view.setInt32(at, -1);
            at += 4;
            break;
          }
          const start = at + 4;
          let n = 0;
          for (; n < value.length; n++) {
            const c = value.charCodeAt(n);
            if (c > 0x7f) break;
            bytes[start + n] = c;
          }
          if (n < value.length) n = encoder.encodeInto(value, bytes.subarray(start)).written;
          view.setInt32(at, n);
          at = start + n;
          break;
        }
      }
    }
  }
  view.setInt16(at, -1);
  return bytes.subarray(0, at + 2);
}
