// The user CSV format the import accepts: its columns and a sample file.

/** The columns of a user CSV file, in the order the sample uses. */
export const USER_CSV_COLUMNS = ['email', 'display_name', 'locale', 'password', 'temporary_password'] as const;

/** The CSV column a field of a row error refers to (the server names fields in camelCase). */
export function csvColumnOf(field: string | undefined): string {
  switch (field) {
    case 'displayName':
      return 'display_name';
    case 'temporaryPassword':
      return 'temporary_password';
    case undefined:
      return '';
    default:
      return field;
  }
}

/** A sample user CSV: UTF-8 with a BOM (so Excel reads the Japanese), CRLF line ends. */
export function sampleUsersCsv(): string {
  const rows = [
    USER_CSV_COLUMNS.join(','),
    'taro.yamada@example.com,山田 太郎,ja,,',
    'hanako.suzuki@example.com,鈴木 花子,ja,Welcome-2026-hs,yes',
    'alex.smith@example.com,Alex Smith,en,,',
  ];
  return `\uFEFF${rows.join('\r\n')}\r\n`;
}
