// Checks the helper's sign-in form before anything is sent, and turns it into the contract's credentials.
import type { HelperCredentials } from '../../server/contract/helper.js';

/** Password, or one-time PIN plus a new password. */
export type SignInMethod = HelperCredentials['method'];

/** The form's fields. */
export type SignInField = 'email' | 'password' | 'pin' | 'newPassword' | 'confirm';

/** What the user typed. */
export interface SignInForm {
  email: string;
  password: string;
  pin: string;
  newPassword: string;
  confirm: string;
}

/** The shortest new password the server accepts. */
export const MIN_NEW_PASSWORD = 10;

/** The credentials to send, or the i18n key of each field's problem. */
export interface SignInCheck {
  credentials: HelperCredentials | null;
  errors: Partial<Record<SignInField, string>>;
}

const KEYS = {
  required: 'helper.signIn.errors.required',
  email: 'helper.signIn.errors.email',
  pin: 'helper.signIn.errors.pin',
  short: 'helper.signIn.errors.short',
  mismatch: 'helper.signIn.errors.mismatch',
} as const;

/** Checks the fields `method` uses: an email address, then a password, or a 6–8 digit PIN and a new password typed twice. */
export function checkSignIn(method: SignInMethod, form: SignInForm): SignInCheck {
  const errors: Partial<Record<SignInField, string>> = {};
  const email = form.email.trim();
  if (email === '') errors.email = KEYS.required;
  else if (!/^[^\s@]+@[^\s@]+$/.test(email)) errors.email = KEYS.email;

  if (method === 'password') {
    if (form.password === '') errors.password = KEYS.required;
    if (Object.keys(errors).length > 0) return { credentials: null, errors };
    return { credentials: { method, email, password: form.password }, errors };
  }

  const pin = form.pin.replace(/\s/g, '');
  if (pin === '') errors.pin = KEYS.required;
  else if (!/^\d{6,8}$/.test(pin)) errors.pin = KEYS.pin;
  if (form.newPassword === '') errors.newPassword = KEYS.required;
  else if ([...form.newPassword].length < MIN_NEW_PASSWORD) errors.newPassword = KEYS.short;
  if (form.confirm === '') errors.confirm = KEYS.required;
  else if (form.confirm !== form.newPassword) errors.confirm = KEYS.mismatch;
  if (Object.keys(errors).length > 0) return { credentials: null, errors };
  return { credentials: { method, email, pin, newPassword: form.newPassword }, errors };
}
