/**
 * Reads a multipart body into memory with hard limits: the files FaceLedger takes (probe photos,
 * selfies, archives) are bounded, and reading them whole lets every route validate before acting.
 */
import type { FastifyRequest } from 'fastify';
import type { ZodType } from 'zod';
import { FaceLedgerError } from '../core/errors.js';
import type { MultipartSpec, UploadedFile } from './route.js';

export interface ReadMultipart {
  fields: Record<string, string | string[]>;
  files: Map<string, UploadedFile>;
}

export async function readMultipart(
  request: FastifyRequest,
  spec: MultipartSpec<ZodType>,
  defaultMaxFileBytes: number,
): Promise<ReadMultipart> {
  if (!request.isMultipart())
    throw new FaceLedgerError('UNSUPPORTED_TYPE', 'this route takes multipart/form-data');
  const maxFileBytes = spec.maxFileBytes ?? defaultMaxFileBytes;
  const fields: Record<string, string | string[]> = {};
  const files = new Map<string, UploadedFile>();
  for await (const part of request.parts({ limits: { fileSize: maxFileBytes } })) {
    if (part.type === 'file') {
      if (!(part.fieldname in spec.files)) {
        part.file.resume();
        throw new FaceLedgerError('BAD_INPUT', `unexpected file field "${part.fieldname}"`);
      }
      if (files.has(part.fieldname))
        throw new FaceLedgerError('BAD_INPUT', `one file only in "${part.fieldname}"`);
      const data = await part.toBuffer();
      if (part.file.truncated)
        throw new FaceLedgerError('TOO_LARGE', `"${part.fieldname}" is larger than ${maxFileBytes} bytes`);
      files.set(part.fieldname, {
        field: part.fieldname,
        filename: part.filename,
        mimetype: part.mimetype,
        data,
      });
    } else {
      const value = String(part.value);
      const prior = fields[part.fieldname];
      fields[part.fieldname] =
        prior === undefined ? value : [...(Array.isArray(prior) ? prior : [prior]), value];
    }
  }
  for (const [name, file] of Object.entries(spec.files))
    if (file.required && !files.has(name))
      throw new FaceLedgerError('BAD_INPUT', `the file "${name}" is required`);
  return { fields, files };
}
