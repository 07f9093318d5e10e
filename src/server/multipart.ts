/**
 * Reads a multipart body with hard limits. Small files (probe photos, selfies) are read into memory so
 * every route can validate them before acting; files a route marks `spool` (archives, manifests) go to
 * disk as they arrive, so a large upload costs no memory. Everything is refused past `maxFileBytes`.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import type { ZodType } from 'zod';
import { FaceLedgerError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { MultipartSpec, SpooledFile, UploadedFile } from './route.js';

export interface ReadMultipart {
  fields: Record<string, string | string[]>;
  files: Map<string, UploadedFile>;
  spooled: Map<string, SpooledFile>;
}

function tooLarge(field: string, maxFileBytes: number): FaceLedgerError {
  return new FaceLedgerError('TOO_LARGE', `"${field}" is larger than ${maxFileBytes} bytes`);
}

/** Removes what a request spooled (its folder too); what the handler moved away is simply gone. */
export async function removeSpooled(spooled: ReadonlyMap<string, SpooledFile>): Promise<void> {
  for (const file of spooled.values())
    await rm(join(file.path, '..'), { recursive: true, force: true }).catch(() => undefined);
}

export async function readMultipart(
  request: FastifyRequest,
  spec: MultipartSpec<ZodType>,
  options: { defaultMaxFileBytes: number; spoolDir: string },
): Promise<ReadMultipart> {
  if (!request.isMultipart())
    throw new FaceLedgerError('UNSUPPORTED_TYPE', 'this route takes multipart/form-data');
  const maxFileBytes = spec.maxFileBytes ?? options.defaultMaxFileBytes;
  const fields: Record<string, string | string[]> = {};
  const files = new Map<string, UploadedFile>();
  const spooled = new Map<string, SpooledFile>();
  try {
    for await (const part of request.parts({ limits: { fileSize: maxFileBytes } })) {
      if (part.type === 'file') {
        const fileSpec = spec.files[part.fieldname];
        if (!fileSpec) {
          part.file.resume();
          throw new FaceLedgerError('BAD_INPUT', `unexpected file field "${part.fieldname}"`);
        }
        if (files.has(part.fieldname) || spooled.has(part.fieldname))
          throw new FaceLedgerError('BAD_INPUT', `one file only in "${part.fieldname}"`);
        const about = { field: part.fieldname, filename: part.filename, mimetype: part.mimetype };
        if (fileSpec.spool) {
          const dir = join(options.spoolDir, newId());
          await mkdir(dir, { recursive: true, mode: 0o700 });
          const path = join(dir, 'upload.part');
          // Registered before writing, so a failed or refused upload is removed with the rest.
          spooled.set(part.fieldname, { ...about, path });
          await pipeline(part.file, createWriteStream(path, { mode: 0o600 }));
          if (part.file.truncated) throw tooLarge(part.fieldname, maxFileBytes);
        } else {
          const data = await part.toBuffer();
          if (part.file.truncated) throw tooLarge(part.fieldname, maxFileBytes);
          files.set(part.fieldname, { ...about, data });
        }
      } else {
        const value = String(part.value);
        const prior = fields[part.fieldname];
        fields[part.fieldname] =
          prior === undefined ? value : [...(Array.isArray(prior) ? prior : [prior]), value];
      }
    }
    for (const [name, file] of Object.entries(spec.files))
      if (file.required && !files.has(name) && !spooled.has(name))
        throw new FaceLedgerError('BAD_INPUT', `the file "${name}" is required`);
  } catch (err) {
    await removeSpooled(spooled);
    throw err;
  }
  return { fields, files, spooled };
}
