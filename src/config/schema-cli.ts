import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultCatalog } from '../engine/registry.js';
import { schemaText } from './schema.js';

// Two folders up from src/config/ or dist/config/ is the package root either way.
const target = fileURLToPath(new URL('../../schema/experiment.schema.json', import.meta.url));
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, schemaText(defaultCatalog));
console.log(`wrote ${target}`);
