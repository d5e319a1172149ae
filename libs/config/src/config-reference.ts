import { schemaRules, type EnvSchema } from './env-schema';
import { extractorEnv } from './extractor.config';
import { loaderEnv } from './loader.config';
import { transformerEnv } from './transformer.config';
import { wdtSandboxEnv } from './wdt-sandbox.config';
import { xingchenSandboxEnv } from './xingchen-sandbox.config';
import { consoleEnv } from './console.config';

/** Every process that reads the environment, with its schema: the source of docs/configuration.md. */
export const SERVICE_SCHEMAS: Array<{ service: string; schema: EnvSchema }> = [
  { service: 'extractor', schema: extractorEnv },
  { service: 'transformer', schema: transformerEnv },
  { service: 'loader', schema: loaderEnv },
  { service: 'wdt-sandbox', schema: wdtSandboxEnv },
  { service: 'xingchen-sandbox', schema: xingchenSandboxEnv },
  { service: 'console', schema: consoleEnv },
];

const shown = (value: unknown): string => {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  return JSON.stringify(value);
};

/** The configuration reference as Markdown, generated from the env schemas (so it cannot drift). */
export function renderConfigReference(): string {
  const sections = SERVICE_SCHEMAS.map(({ service, schema }) => {
    const rows = Object.entries(schema).map(([name, spec]) => {
      const value = spec.required
        ? '**required**'
        : spec.defaultValue === undefined
          ? '(unset)'
          : `\`${shown(spec.defaultValue)}\``;
      return `| \`${name}\` | ${value} | ${spec.describe}${spec.secret ? ' (secret: never logged)' : ''} |`;
    });
    const rules = schemaRules(schema).map((rule) => `- ${rule.describe}`);
    return [
      `## ${service}`,
      '',
      '| variable | default | value |',
      '|---|---|---|',
      ...rows,
      ...(rules.length > 0 ? ['', 'Checked together at start-up:', '', ...rules] : []),
    ].join('\n');
  });
  return [
    '# Configuration reference',
    '',
    'Generated from the environment schemas in `libs/config` (`npm run docs:config`); a unit test fails when',
    'this file and the schemas disagree. Each service validates its environment once at start-up and exits',
    'with a message naming every bad variable. What each variable means: `docs/wdt.md` (extractor),',
    '`docs/mapping-rules.md` (transformer, mapping file), `docs/xingchen.md` (loader), `docs/deploy.md`.',
    '',
    ...sections.flatMap((section) => [section, '']),
  ].join('\n');
}
