// Geometric Brownian motion: the textbook model of a stock price. Each step multiplies the price by
// exp((mu - sigma^2 / 2) dt + sigma sqrt(dt) Z), so prices stay positive and returns are normal.

/** Trading seconds in a year: 252 sessions of 6.5 hours. */
export const TRADING_SECONDS_PER_YEAR = 252 * 6.5 * 3600;

/**
 * The price after `dtYears` with annual drift `mu` and volatility `sigma`, given a standard normal
 * draw `z`.
 */
export function gbmStep(price: number, mu: number, sigma: number, dtYears: number, z: number): number {
  return price * Math.exp((mu - (sigma * sigma) / 2) * dtYears + sigma * Math.sqrt(dtYears) * z);
}

/** Exchanges quote in cents above one dollar and in hundredths of a cent below (Reg NMS 612). */
export function roundToTickSize(price: number): number {
  const places = price >= 1 ? 2 : 4;
  const rounded = Number(price.toFixed(places));
  // 1 / 10^places, not 10 ** -places: the latter is 0.00009999999999999999, which no tick may carry.
  return rounded > 0 ? rounded : 1 / 10 ** places;
}
