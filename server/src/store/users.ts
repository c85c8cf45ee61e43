import type { Queryable } from '../db/database.js';

export interface User {
  id: number;
  username: string;
  displayName: string;
}

export async function findUserByUsername(
  db: Queryable,
  username: string,
): Promise<(User & { passwordHash: string }) | undefined> {
  const rows = await db.query<User & { passwordHash: string }>(
    `SELECT id, username, display_name AS "displayName", password_hash AS "passwordHash" FROM users WHERE username = $1`,
    [username],
  );
  return rows[0];
}

export async function findUserById(db: Queryable, id: number): Promise<User | undefined> {
  const rows = await db.query<User>(`SELECT id, username, display_name AS "displayName" FROM users WHERE id = $1`, [
    id,
  ]);
  return rows[0];
}

export async function createUser(
  db: Queryable,
  u: { username: string; displayName: string; passwordHash: string },
): Promise<number> {
  const rows = await db.query<{ id: number }>(
    `INSERT INTO users (username, display_name, password_hash) VALUES ($1, $2, $3) RETURNING id`,
    [u.username, u.displayName, u.passwordHash],
  );
  return rows[0]!.id;
}
