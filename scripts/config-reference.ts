/** Writes docs/configuration.md from the env schemas. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderConfigReference } from '@app/config';

writeFileSync(join(__dirname, '..', '..', 'docs', 'configuration.md'), renderConfigReference());
