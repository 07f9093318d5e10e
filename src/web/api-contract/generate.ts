/** `npm run gen:api-types`: writes src/web/app/api/openapi.d.ts from the server's OpenAPI document. */
import { writeFileSync } from 'node:fs';
import { API_TYPES_PATH, renderApiTypes, servedOpenApiDocument } from './api-types.js';

const text = await renderApiTypes(await servedOpenApiDocument());
writeFileSync(API_TYPES_PATH, text);
console.log(`wrote ${API_TYPES_PATH} (${text.length} characters)`);
