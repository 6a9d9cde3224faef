// Reading files the admin picks (certificates, keys, PKCS#12) in the browser, before they are sent as JSON.

/** The largest certificate or key file the console reads (the server's own limits are lower). */
export const MAX_CERTIFICATE_FILE_BYTES = 200 * 1024;

/** Base64 of raw bytes, in chunks so large files do not overflow the argument list. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Whether text looks like PEM (a -----BEGIN ...----- block). */
export function looksLikePem(text: string): boolean {
  return /-----BEGIN [A-Z0-9 ]+-----/.test(text);
}

/** Reads a text file (PEM). */
export async function readFileText(file: Blob): Promise<string> {
  return file.text();
}

/** Reads a binary file (PKCS#12) as base64. */
export async function readFileBase64(file: Blob): Promise<string> {
  return bytesToBase64(new Uint8Array(await file.arrayBuffer()));
}
