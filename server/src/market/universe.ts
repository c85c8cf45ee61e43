// The symbol universe as the rest of the server uses it.
import { INSTRUMENTS, type Sector } from './universe-data.js';

export interface Instrument {
  symbol: string;
  name: string;
  sector: Sector;
  exchange: string;
  currency: 'USD';
  referencePrice: number;
  volatility: number;
}

export const UNIVERSE: readonly Instrument[] = INSTRUMENTS.map(
  ([symbol, name, sector, exchange, referencePrice, volatility]) => ({
    symbol,
    name,
    sector,
    exchange,
    currency: 'USD',
    referencePrice,
    volatility,
  }),
);
