/**
 * Builds multipart/form-data bodies for `inject` in server tests (tests only): text fields and files,
 * with the boundary in the returned content type.
 */
import { randomBytes } from 'node:crypto';

export interface FormFile {
  filename: string;
  data: Uint8Array;
  contentType?: string;
}

export function multipartBody(parts: Record<string, string | FormFile>): {
  payload: Buffer;
  headers: { 'content-type': string };
} {
  const boundary = `----faceledger${randomBytes(12).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(parts)) {
    if (typeof value === 'string') {
      chunks.push(
        Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
      );
    } else {
      chunks.push(
        Buffer.from(
          `--${boundary}\r\ncontent-disposition: form-data; name="${name}"; filename="${value.filename}"\r\n` +
            `content-type: ${value.contentType ?? 'application/octet-stream'}\r\n\r\n`,
        ),
        Buffer.from(value.data),
        Buffer.from('\r\n'),
      );
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}
