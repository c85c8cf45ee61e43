-- What happened in a portfolio, so holdings and cash at any past time are known: buys and sells
-- move shares and cash, deposits and withdrawals are money in and out (the cash flows time-weighted
-- return neutralises), dividends and fees are income and cost. Positions are kept equal to the sum
-- of a portfolio's buys and sells by server/src/store/transactions.ts, in the same transaction.
CREATE TABLE transactions (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  portfolio_id bigint NOT NULL REFERENCES portfolios (id) ON DELETE CASCADE,
  kind         text NOT NULL CHECK (kind IN ('buy', 'sell', 'deposit', 'withdrawal', 'dividend', 'fee')),
  -- When it happened (trade time); created_at is when it was recorded.
  time         timestamptz NOT NULL,
  symbol       text REFERENCES assets (symbol),
  -- Shares and price per share for buys and sells only.
  quantity     numeric(24, 8) CHECK (quantity > 0),
  price        numeric(20, 6) CHECK (price >= 0),
  -- The cash that moved, in the portfolio's currency, always positive: its sign is the kind's.
  amount       numeric(20, 2) NOT NULL CHECK (amount >= 0),
  created_at   timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind IN ('buy', 'sell')) = (quantity IS NOT NULL AND price IS NOT NULL)),
  CHECK (kind NOT IN ('buy', 'sell', 'dividend') OR symbol IS NOT NULL)
);
-- History and the transaction list read one portfolio's transactions by time, newest first (the
-- seed's "transactions by (user, created_at DESC)": a portfolio belongs to one user).
CREATE INDEX transactions_portfolio_time_idx ON transactions (portfolio_id, time DESC);

-- Portfolios created before this migration get opening transactions that reproduce their positions
-- exactly: one deposit of the money the positions cost, then one buy (or sell, for a short) each.
INSERT INTO transactions (portfolio_id, kind, time, amount)
SELECT p.id, 'deposit', p.created_at, sum(round(x.cost_basis, 2))
  FROM portfolios p JOIN positions x ON x.portfolio_id = p.id
 WHERE x.quantity > 0 AND x.cost_basis > 0
 GROUP BY p.id, p.created_at;
INSERT INTO transactions (portfolio_id, kind, time, symbol, quantity, price, amount)
SELECT x.portfolio_id, CASE WHEN x.quantity > 0 THEN 'buy' ELSE 'sell' END, p.created_at, x.symbol,
       abs(x.quantity), round(abs(x.cost_basis) / abs(x.quantity), 6), round(abs(x.cost_basis), 2)
  FROM positions x JOIN portfolios p ON p.id = x.portfolio_id;
