import { hash, verify } from '@node-rs/argon2';

// Algorithm.Argon2id from @node-rs/argon2 (an ambient const enum, which isolated modules cannot read).
const ARGON2ID = 2;

/** Hashes and checks passwords; argon2id with OWASP's minimum parameters (19 MiB, t=2, p=1). */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(passwordHash: string, password: string): Promise<boolean>;
}

/** The argon2id hasher used by the server. */
export const argon2Hasher: PasswordHasher = Object.freeze({
  hash: (password: string) => hash(password, { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 }),
  async verify(passwordHash: string, password: string) {
    try {
      return await verify(passwordHash, password);
    } catch {
      return false;
    }
  },
});

/** A hash of a random password, verified against when an account does not exist so timing does not tell. */
export const DUMMY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$PhYtQgEhT6Vwqp+9ae8mIw$tbhb9qayzVhLF4pymSWvcXf2zaTl87aw9uJkJuUcdns';

/** Shortest and longest accepted password, in characters. */
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 256;

/** Which password rule failed, with the sentence that says so; null when the policy is met. */
export function passwordRule(
  password: string,
  email: string,
): { rule: 'too_short' | 'too_long' | 'is_email'; message: string } | null {
  if ([...password].length < PASSWORD_MIN)
    return { rule: 'too_short', message: `The password must be at least ${PASSWORD_MIN} characters long.` };
  if ([...password].length > PASSWORD_MAX)
    return { rule: 'too_long', message: `The password must be at most ${PASSWORD_MAX} characters long.` };
  const p = password.trim().toLowerCase();
  const e = email.trim().toLowerCase();
  if (p === e || p === e.split('@')[0])
    return { rule: 'is_email', message: 'The password must not be the email address or its name part.' };
  return null;
}

/** Why a password is refused, or null when it meets the policy (at least 10 characters, not the email). */
export function passwordProblem(password: string, email: string): string | null {
  return passwordRule(password, email)?.message ?? null;
}
