import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO_ROOT } from '../../scripts/validate/common';
import type { K8sObject } from '../../scripts/validate/kustomize';

export const readRepo = (file: string): string => fs.readFileSync(path.join(REPO_ROOT, file), 'utf8');

export const commandExists = (command: string, args: string[]): boolean => {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return result.status === 0;
};

export const findObject = (objects: K8sObject[], kind: string, name: string): K8sObject => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`${kind}/${name} not rendered`);
  return found;
};

type Tree = Record<string, unknown>;

/** Follows a dotted path (`spec.template.spec.containers.0`) through parsed YAML/JSON. */
export function at(object: unknown, dotted: string): Tree {
  let node: unknown = object;
  for (const key of dotted.split('.')) {
    if (typeof node !== 'object' || node === null) throw new Error(`${dotted}: no ${key}`);
    node = (node as Tree)[key];
  }
  if (typeof node !== 'object' || node === null) throw new Error(`${dotted} is not an object`);
  return node as Tree;
}

/** Sets (or with `undefined`, deletes) the value at a dotted path: plants a mistake in a copy. */
export function setAt(object: unknown, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  const last = keys.pop() as string;
  const parent = keys.length > 0 ? at(object, keys.join('.')) : (object as Tree);
  if (value === undefined) delete parent[last];
  else parent[last] = value;
}

/** The first container of a workload, for planting mistakes. */
export const firstContainer = (object: K8sObject): Tree => at(object, 'spec.template.spec.containers.0');
