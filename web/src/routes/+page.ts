import { getMe, listPortfolios, type PortfolioSummary, type User } from '$lib/api';
import type { PageLoad } from './$types';

export interface Session {
  user: User;
  portfolios: PortfolioSummary[];
}

/**
 * Not awaited: the dashboard's frame (masthead, section headings, placeholders) renders as soon as
 * the code has loaded, and fills in when these two answers arrive, a round trip later. The page
 * sends a trader without a session to /login (routes/+page.svelte).
 */
export const load: PageLoad = ({ fetch }) => ({
  session: Promise.all([getMe(fetch), listPortfolios(fetch)]).then(([user, portfolios]): Session => ({
    user,
    portfolios,
  })),
});
