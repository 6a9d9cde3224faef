// What a build of the macOS helper may be: a disk image, an installer package or a zip archive, each recognised by
// its name and by its bytes (a file renamed to .dmg is refused).

/** The kinds of helper build the server serves. */
export type HelperFileKind = 'dmg' | 'pkg' | 'zip';

/** Every kind, in the order the texts list them. */
export const HELPER_FILE_KINDS: readonly HelperFileKind[] = ['dmg', 'pkg', 'zip'];

/** Largest helper build taken (an upload, or the bundled file). */
export const HELPER_MAX_BYTES = 300 * 1024 * 1024;

/** How many bytes from the end `looksLike` needs: a disk image's trailer. */
export const HELPER_TAIL_BYTES = 512;

/** The Content-Type each kind is served with. */
export const HELPER_CONTENT_TYPES: Readonly<Record<HelperFileKind, string>> = Object.freeze({
  dmg: 'application/x-apple-diskimage',
  pkg: 'application/octet-stream',
  zip: 'application/zip',
});

/** The kind a file name says (its extension, any case), or null for anything else. */
export function kindOfName(fileName: string): HelperFileKind | null {
  const ext = /\.([a-z0-9]+)$/i.exec(fileName.trim())?.[1]?.toLowerCase();
  return (HELPER_FILE_KINDS as readonly string[]).includes(ext ?? '') ? (ext as HelperFileKind) : null;
}

/** The stable name the device listener serves a kind under, e.g. `tsunagu-helper.dmg`. */
export function servedName(kind: HelperFileKind): string {
  return `tsunagu-helper.${kind}`;
}

const startsWith = (bytes: Buffer, magic: string) =>
  bytes.length >= magic.length && bytes.subarray(0, magic.length).equals(Buffer.from(magic, 'latin1'));

/**
 * Whether a file's first bytes (`head`, at least 4) and last bytes (`tail`, up to HELPER_TAIL_BYTES) are those of its
 * kind: a zip's local file header `PK\3\4`, a flat package's xar header `xar!`, a UDIF disk image's `koly` trailer in
 * its last 512 bytes.
 */
export function looksLike(kind: HelperFileKind, head: Buffer, tail: Buffer, size: number): boolean {
  switch (kind) {
    case 'zip':
      return startsWith(head, 'PK\x03\x04');
    case 'pkg':
      return startsWith(head, 'xar!');
    case 'dmg':
      return size >= HELPER_TAIL_BYTES && tail.length >= HELPER_TAIL_BYTES && startsWith(tail.subarray(-512), 'koly');
  }
}
