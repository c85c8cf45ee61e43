import type { TemplatedApp } from 'uWebSockets.js';
import { z } from 'zod';
import { dummyHash, verifyPassword } from '../auth/passwords.js';
import { tokenFrom } from '../auth/sessions.js';
import { clientAddress, secureCookie } from '../http/client-address.js';
import { badRequest, HttpError, unauthenticated } from '../http/http-error.js';
import { route, type Reply } from '../http/routes.js';
import { findUserById, findUserByUsername } from '../store/users.js';
import { requireUser, type ApiContext } from './context.js';

const LoginBody = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(1024),
});

function sessionCookie(token: string, maxAge: number, secure: boolean): string {
  return `session=${token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;
}

export function registerAuthRoutes(app: TemplatedApp, ctx: ApiContext): void {
  route(
    app,
    'post',
    '/api/v1/auth/login',
    async (req) => {
      const parsed = LoginBody.safeParse(req.body);
      if (!parsed.success) throw badRequest('send {"username": string, "password": string}');
      const username = parsed.data.username.toLowerCase();
      const ip = clientAddress(req, ctx);
      const wait = await ctx.loginLimiter.retryAfter(username, ip);
      if (wait > 0) {
        const limited: Reply = {
          status: 429,
          headers: { 'Retry-After': String(wait) },
          body: { error: { code: 'RATE_LIMITED', message: `too many failed logins, try again in ${wait} s` } },
        };
        return limited;
      }
      const user = await findUserByUsername(ctx.db, username);
      // Check a hash even for unknown users so the answer takes as long either way.
      const ok = await verifyPassword(parsed.data.password, user?.passwordHash ?? (await dummyHash()));
      if (!user || !ok) {
        await ctx.loginLimiter.failed(username, ip);
        ctx.log.info({ username }, 'login refused');
        throw new HttpError(401, 'INVALID_CREDENTIALS', 'wrong username or password');
      }
      await ctx.loginLimiter.succeeded(username);
      const token = await ctx.sessions.create(user.id);
      ctx.log.info({ userId: user.id }, 'logged in');
      return {
        body: { token, user: { id: user.id, username: user.username, displayName: user.displayName } },
        headers: { 'Set-Cookie': sessionCookie(token, ctx.sessionTtlSeconds, secureCookie(req, ctx)) },
      };
    },
    ctx,
  );

  route(
    app,
    'post',
    '/api/v1/auth/logout',
    async (req) => {
      const token = tokenFrom(req.headers);
      if (token) await ctx.sessions.destroy(token);
      return { status: 204, headers: { 'Set-Cookie': sessionCookie('', 0, secureCookie(req, ctx)) } };
    },
    ctx,
  );

  route(
    app,
    'get',
    '/api/v1/me',
    async (req) => {
      const user = await findUserById(ctx.db, await requireUser(ctx, req));
      if (!user) throw unauthenticated();
      return { body: user };
    },
    ctx,
  );
}
