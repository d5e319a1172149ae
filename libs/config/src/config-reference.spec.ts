import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderConfigReference } from './config-reference';

describe('docs/configuration.md', () => {
  it('matches the environment schemas (regenerate with npm run docs:config)', () => {
    const documented = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'configuration.md'), 'utf8');
    expect(documented).toBe(renderConfigReference());
  });
});
