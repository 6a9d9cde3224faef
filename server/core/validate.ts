/** Largest accepted email address (RFC 5321 path limit). */
export const EMAIL_MAX = 254;

const EMAIL_RE = /^[^\s@"<>()[\],;:\\]{1,64}@(?=.{1,253}$)[^\s@"<>()[\],;:\\.]+(\.[^\s@"<>()[\],;:\\.]+)+$/u;
// Control characters (C0, DEL, C1) never belong in names.
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/u;

/** Why an email address is refused, or null. */
export function emailProblem(email: string): string | null {
  if (email.length === 0) return 'The email address is empty.';
  if (email.length > EMAIL_MAX) return `The email address is longer than ${EMAIL_MAX} characters.`;
  if (!EMAIL_RE.test(email)) return 'The email address is not valid; use the form name@example.com.';
  return null;
}

/** Why a display name is refused, or null. */
export function displayNameProblem(name: string): string | null {
  if (name.trim().length === 0) return 'The display name is empty.';
  if ([...name].length > 200) return 'The display name is longer than 200 characters.';
  if (CONTROL_RE.test(name)) return 'The display name contains control characters (such as tabs or line breaks).';
  return null;
}
