import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { MappingConfigError, parseMappingRules, type MappingRules } from './mapping-rules';

/**
 * Parses the text of a mapping file: JSON when the name ends in `.json`, YAML otherwise (YAML is a
 * superset of JSON, so a JSON file under another name still parses).
 */
export function parseMappingText(text: string, file = 'mapping.yaml'): MappingRules {
  let raw: unknown;
  if (/\.json$/i.test(file)) {
    try {
      raw = JSON.parse(text) as unknown;
    } catch (error) {
      throw new MappingConfigError([`(document): not valid JSON: ${(error as Error).message}`], file);
    }
  } else {
    const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
    if (document.errors.length > 0) {
      throw new MappingConfigError(
        document.errors.map((error) => `(document): not valid YAML: ${error.message.split('\n')[0]}`),
        file,
      );
    }
    raw = document.toJS() as unknown;
  }
  return parseMappingRules(raw, file);
}

/** Reads and validates a mapping file: the only I/O of @app/mapping. */
export function loadMappingFile(path: string): MappingRules {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new MappingConfigError([`(file): cannot be read: ${(error as Error).message}`], path);
  }
  return parseMappingText(text, path);
}
