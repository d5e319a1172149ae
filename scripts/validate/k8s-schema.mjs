// Validates Kubernetes objects against the schemas of `kubernetes-models`,
// `@kubernetes-models/prometheus-operator`, `@kubernetes-models/strimzi-kafka-operator` (generated from
// the Strimzi 1.0.0 CRDs: kafka.strimzi.io/v1) and `@kubernetes-models/keda` (keda.sh/v1alpha1)
// (ESM-only packages, hence a separate Node process). A kind no package models is an error, never a skip.
// stdin: JSON array of {specifier (the model's module, from model-modules.ts, or null), object}; stdout: JSON array of {index, errors: string[], skipped?: true}.
import { readFileSync } from 'node:fs';

const input = JSON.parse(readFileSync(0, 'utf8'));

const results = [];
for (const [index, { specifier, object }] of input.entries()) {
  if (!specifier) {
    results.push({ index, errors: [], skipped: true });
    continue;
  }
  let Model;
  try {
    Model = (await import(specifier))[object.kind];
  } catch {
    Model = undefined;
  }
  if (typeof Model !== 'function') {
    results.push({ index, errors: [`unknown apiVersion/kind ${object.apiVersion} ${object.kind}`] });
    continue;
  }
  try {
    new Model(object).validate();
    results.push({ index, errors: [] });
  } catch (error) {
    const errors = Array.isArray(error.errors)
      ? error.errors.map(
          (e) =>
            `${e.instancePath || '/'} ${e.message}${e.params && e.params.allowedValues ? ` (${e.params.allowedValues.join(', ')})` : ''}`,
        )
      : [String(error.message)];
    results.push({ index, errors });
  }
}
process.stdout.write(JSON.stringify(results));
