import { error, redirect } from '@sveltejs/kit';
import { resolve } from '$app/paths';
import { ApiError, getMe, isUnauthenticated, listPortfolios } from '$lib/api';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch }) => {
  try {
    const [user, portfolios] = await Promise.all([getMe(fetch), listPortfolios(fetch)]);
    return { user, portfolios };
  } catch (failure) {
    if (isUnauthenticated(failure)) redirect(307, resolve('/login'));
    if (failure instanceof ApiError) error(failure.status, failure.message);
    error(503, 'The server cannot be reached. Check your connection and try again.');
  }
};
