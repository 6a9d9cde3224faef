import type { RowError } from '../../contract/errors.js';
import type { Locale, UserCreateRequest } from '../../contract/users.js';
import { CsvSyntaxError, parseCsv } from '../../core/csv.js';
import { AppError } from '../../core/errors.js';
import { MAX_BATCH } from './users.limits.js';

/** Users read from a CSV file, each with the file line it came from, or the problems that stop the import. */
export interface ParsedUserCsv {
  users: UserCreateRequest[];
  lines: number[];
  errors: RowError[];
}

/** Column names accepted in the header row (case and spaces ignored), mapped to fields. */
const COLUMNS: Record<string, keyof UserCreateRequest> = {
  email: 'email',
  mail: 'email',
  'e-mail': 'email',
  メールアドレス: 'email',
  メール: 'email',
  display_name: 'displayName',
  displayname: 'displayName',
  name: 'displayName',
  表示名: 'displayName',
  氏名: 'displayName',
  名前: 'displayName',
  locale: 'locale',
  language: 'locale',
  言語: 'locale',
  password: 'password',
  パスワード: 'password',
  temporary_password: 'temporaryPassword',
  temporarypassword: 'temporaryPassword',
  仮パスワード: 'temporaryPassword',
};

/**
 * Decodes an uploaded CSV file: UTF-8 (with or without BOM) first, else Shift_JIS, which is what Excel
 * writes for "CSV" on Japanese Windows.
 */
export function decodeCsvBytes(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    try {
      return new TextDecoder('shift_jis', { fatal: true }).decode(bytes);
    } catch {
      throw new AppError(
        'CSV_INVALID',
        'The file is neither UTF-8 nor Shift_JIS text; save it as "CSV UTF-8" and import again.',
        { errors: [{ row: 1, code: 'CSV_INVALID', message: 'The file is not UTF-8 or Shift_JIS text.' }] },
      );
    }
  }
}

const TRUE = /^(1|yes|true|y|はい)$/i;
const FALSE = /^(0|no|false|n|いいえ)$/i;

/**
 * Reads a user CSV: a header row naming the columns (email and display_name required; locale, password,
 * temporary_password optional), then one user per line. A password from a file is temporary unless
 * temporary_password says no.
 */
export function parseUserCsv(text: string): ParsedUserCsv {
  const errors: RowError[] = [];
  let records;
  try {
    records = parseCsv(text);
  } catch (err) {
    if (err instanceof CsvSyntaxError)
      return {
        users: [],
        lines: [],
        errors: [
          {
            row: err.line,
            code: 'CSV_INVALID',
            message: `The file is not valid CSV: ${err.message.replace(/^line \d+: /, '')}.`,
          },
        ],
      };
    throw err;
  }
  const header = records[0];
  if (!header)
    return {
      users: [],
      lines: [],
      errors: [
        {
          row: 1,
          code: 'CSV_INVALID',
          message: 'The file is empty; it needs a header row (email,display_name,...) and one user per line.',
        },
      ],
    };
  const fields: (keyof UserCreateRequest)[] = [];
  header.fields.forEach((name, i) => {
    const key = COLUMNS[name.trim().toLowerCase().replace(/\s+/g, '_')];
    if (!key)
      errors.push({
        row: header.line,
        code: 'CSV_INVALID',
        message: `Column ${i + 1} "${name}" is not known; use email, display_name, locale, password, temporary_password.`,
      });
    else if (fields.includes(key))
      errors.push({ row: header.line, code: 'CSV_INVALID', message: `Column "${name}" appears twice.` });
    else fields.push(key);
  });
  for (const required of ['email', 'displayName'] as const) {
    if (!fields.includes(required))
      errors.push({
        row: header.line,
        code: 'CSV_INVALID',
        message: `The header has no ${required === 'email' ? 'email' : 'display_name'} column.`,
      });
  }
  if (errors.length > 0) return { users: [], lines: [], errors };
  const body = records.slice(1);
  if (body.length === 0)
    return {
      users: [],
      lines: [],
      errors: [{ row: header.line, code: 'CSV_INVALID', message: 'The file has a header but no users.' }],
    };
  if (body.length > MAX_BATCH)
    return {
      users: [],
      lines: [],
      errors: [
        {
          row: header.line,
          code: 'CSV_INVALID',
          message: `The file has ${body.length} users; at most ${MAX_BATCH} can be imported at once.`,
        },
      ],
    };

  const users: UserCreateRequest[] = [];
  const lines: number[] = [];
  for (const rec of body) {
    if (rec.fields.length !== fields.length) {
      errors.push({
        row: rec.line,
        code: 'CSV_INVALID',
        message: `This line has ${rec.fields.length} values but the header has ${fields.length} columns.`,
      });
      continue;
    }
    const raw: Partial<Record<keyof UserCreateRequest, string>> = {};
    fields.forEach((f, i) => {
      raw[f] = rec.fields[i] ?? '';
    });
    const user: UserCreateRequest = { email: (raw.email ?? '').trim(), displayName: raw.displayName ?? '' };
    const locale = raw.locale?.trim().toLowerCase();
    if (locale) {
      if (locale === 'ja' || locale === 'en') user.locale = locale as Locale;
      else
        errors.push({
          row: rec.line,
          field: 'locale',
          code: 'VALIDATION_FAILED',
          message: `The language "${raw.locale}" is not ja or en.`,
        });
    }
    if (raw.password) {
      user.password = raw.password;
      const t = raw.temporaryPassword?.trim() ?? '';
      if (t === '' || TRUE.test(t)) user.temporaryPassword = true;
      else if (!FALSE.test(t))
        errors.push({
          row: rec.line,
          field: 'temporaryPassword',
          code: 'VALIDATION_FAILED',
          message: `temporary_password must be yes or no, not "${t}".`,
        });
    } else if (raw.temporaryPassword && TRUE.test(raw.temporaryPassword.trim())) {
      errors.push({
        row: rec.line,
        field: 'temporaryPassword',
        code: 'VALIDATION_FAILED',
        message: 'temporary_password is yes but the password is empty.',
      });
    }
    users.push(user);
    lines.push(rec.line);
  }
  return { users, lines, errors };
}
