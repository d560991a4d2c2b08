import { refuse } from './fs-errors.js';

/** Encodings the read and write tools take. `base64` is the way to move bytes that are not text. */
export const ENCODINGS = ['utf-8', 'utf-16le', 'latin1', 'base64'] as const;
export type Encoding = (typeof ENCODINGS)[number];

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const UTF16 = new TextDecoder('utf-16le', { fatal: true, ignoreBOM: true });
const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

/** Why `bytes` are not UTF-8 text (a NUL byte or an invalid sequence), or undefined when they are. */
export function binaryReason(bytes: Uint8Array): string | undefined {
  const nul = bytes.indexOf(0);
  if (nul >= 0) return `it has a NUL byte at offset ${nul}`;
  try {
    UTF8.decode(bytes);
    return undefined;
  } catch {
    return 'it is not valid UTF-8';
  }
}

/**
 * Decodes file bytes for a text tool, refusing what is not text in that encoding: UTF-8 with a NUL
 * byte or an invalid sequence, Latin-1 with a NUL byte, UTF-16LE with an odd length or a lone surrogate.
 * A byte-order mark is kept, so an edit writes it back.
 *
 * @example decodeText(Buffer.from('hi'), 'utf-8', 'a.txt', 'ed') // 'hi'
 */
export function decodeText(bytes: Buffer, encoding: Encoding, shown: string, service: string): string {
  const binary = (why: string) =>
    refuse(service, `${shown} looks like a binary file (${why}), so text tools refuse it — read it with encoding: base64`, { reason: 'binary' });
  switch (encoding) {
    case 'base64':
      return bytes.toString('base64');
    case 'latin1': {
      const nul = bytes.indexOf(0);
      if (nul >= 0) throw binary(`it has a NUL byte at offset ${nul}`);
      return bytes.toString('latin1');
    }
    case 'utf-16le':
      try {
        return UTF16.decode(bytes);
      } catch {
        throw binary('it is not valid UTF-16LE');
      }
    case 'utf-8': {
      const why = binaryReason(bytes);
      if (why) throw binary(why);
      return bytes.toString('utf8');
    }
  }
}

/** Encodes tool input for a file. `base64` must be valid base64. */
export function encodeText(text: string, encoding: Encoding, service: string): Buffer {
  switch (encoding) {
    case 'base64':
      if (!BASE64.test(text)) throw refuse(service, 'content is not valid base64 (encoding: base64)');
      return Buffer.from(text, 'base64');
    case 'latin1':
      if (/[\u0100-\u{10ffff}]/u.test(text)) throw refuse(service, 'content has characters that Latin-1 cannot hold: use encoding: utf-8');
      return Buffer.from(text, 'latin1');
    case 'utf-16le':
      return Buffer.from(text, 'utf16le');
    case 'utf-8':
      return Buffer.from(text, 'utf8');
  }
}
