/**
 * Passwords: argon2id only, stored as the PHC string argon2 produces (algorithm, parameters, salt and
 * hash in one column, so parameters can be raised later and old hashes still verify; `needsRehash`
 * lets login upgrade them).
 *
 * Production cost (default): 64 MiB, 3 passes, 4 lanes (argon2's own defaults, above OWASP's minimum).
 * Tests pass much lower parameters through `TenancyOptions.argon2` to stay fast.
 */
import { argon2id, hash, needsRehash, verify } from 'argon2';

export interface Argon2Params {
  /** KiB. */
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export const DEFAULT_ARGON2: Readonly<Argon2Params> = Object.freeze({
  memoryCost: 65536,
  timeCost: 3,
  parallelism: 4,
});

export const PASSWORD_MIN_LENGTH = 12;
/** Long enough for any passphrase, short enough that hashing it is never a denial of service. */
export const PASSWORD_MAX_LENGTH = 256;

/** Why a new password is refused, or null when acceptable. Rules: length, and not the e-mail. */
export function passwordProblem(password: unknown, email?: string): string | null {
  if (typeof password !== 'string') return 'password must be text';
  const pw = password.normalize('NFC');
  if ([...pw].length < PASSWORD_MIN_LENGTH)
    return `password must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if ([...pw].length > PASSWORD_MAX_LENGTH)
    return `password must be at most ${PASSWORD_MAX_LENGTH} characters`;
  if (pw.trim().length === 0) return 'password must not be blank';
  if (email && pw.trim().toLowerCase() === email.trim().toLowerCase())
    return 'password must not be the e-mail address';
  return null;
}

export class PasswordHasher {
  readonly #params: Argon2Params;
  #dummy: Promise<string> | undefined;

  constructor(params: Argon2Params = DEFAULT_ARGON2) {
    this.#params = { ...params };
  }

  hash(password: string): Promise<string> {
    return hash(password.normalize('NFC'), { type: argon2id, ...this.#params });
  }

  /** False (never throws) for a wrong password or an unreadable stored hash. */
  async verify(stored: string, password: string): Promise<boolean> {
    if (typeof password !== 'string' || [...password].length > PASSWORD_MAX_LENGTH) return false;
    try {
      return await verify(stored, password.normalize('NFC'));
    } catch {
      return false;
    }
  }

  /** Whether a stored hash uses other parameters than the current ones (re-hash after a good login). */
  needsRehash(stored: string): boolean {
    try {
      return needsRehash(stored, this.#params);
    } catch {
      return true;
    }
  }

  /**
   * Spends the same time as a real verification, for logins naming no account (or one without a
   * password yet), so response time does not reveal which e-mails exist.
   */
  async burn(password: string): Promise<void> {
    this.#dummy ??= this.hash('faceledger-dummy-password-for-timing');
    await this.verify(await this.#dummy, typeof password === 'string' ? password.slice(0, 256) : '');
  }
}
