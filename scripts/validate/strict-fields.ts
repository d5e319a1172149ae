/**
 * Unknown-field detection for Kubernetes objects (what `kubectl apply --validate=strict` rejects and
 * the JSON schemas of kubernetes-models do not: they allow extra properties). Each object is walked
 * alongside its TypeScript interface from kubernetes-models / @kubernetes-models/prometheus-operator /
 * @kubernetes-models/strimzi-kafka-operator / @kubernetes-models/keda,
 * read with the TypeScript compiler API; a key the interface does not declare is reported.
 */
import * as path from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from './common';
import { modelModule, type Kind } from './model-modules';

export class StrictFieldChecker {
  private readonly checker: ts.TypeChecker;
  private readonly types = new Map<string, ts.Type | undefined>();

  constructor(kinds: Kind[], root = REPO_ROOT) {
    const unique = [...new Map(kinds.map((k) => [`${k.apiVersion}/${k.kind}`, k])).values()].filter((k) =>
      modelModule(k),
    );
    const fileName = path.join(root, '__erpsync_strict_fields__.ts');
    const source = unique
      .map(
        (k, i) => `import type { I${k.kind} as T${i} } from '${modelModule(k)}';\nexport type E${i} = T${i};`,
      )
      .join('\n');
    const options: ts.CompilerOptions = {
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      target: ts.ScriptTarget.ES2022,
      noEmit: true,
      skipLibCheck: true,
      types: [],
      baseUrl: root,
    };
    const host = ts.createCompilerHost(options);
    const original = host.getSourceFile.bind(host);
    host.getSourceFile = (name, languageVersion, onError, shouldCreate) =>
      name === fileName
        ? ts.createSourceFile(name, source, languageVersion)
        : original(name, languageVersion, onError, shouldCreate);
    const originalExists = host.fileExists.bind(host);
    host.fileExists = (name) => name === fileName || originalExists(name);
    const program = ts.createProgram([fileName], options, host);
    this.checker = program.getTypeChecker();
    const file = program.getSourceFile(fileName);
    const exports = file
      ? this.checker.getExportsOfModule(this.checker.getSymbolAtLocation(file) as ts.Symbol)
      : [];
    unique.forEach((k, i) => {
      const symbol = exports.find((s) => s.name === `E${i}`);
      const type = symbol ? this.checker.getDeclaredTypeOfSymbol(symbol) : undefined;
      this.types.set(
        `${k.apiVersion}/${k.kind}`,
        type && !(type.flags & ts.TypeFlags.Any) ? type : undefined,
      );
    });
  }

  /** Paths of fields the object's type does not declare; undefined when the kind is not modelled. */
  unknownFields(object: Kind & Record<string, unknown>): string[] | undefined {
    const type = this.types.get(`${object.apiVersion}/${object.kind}`);
    if (!type) return undefined;
    const found: string[] = [];
    this.walk(object, type, '', found);
    return found;
  }

  private objectMembers(type: ts.Type): ts.Type[] {
    const nonNull = this.checker.getNonNullableType(type);
    const members = nonNull.isUnion() ? nonNull.types : [nonNull];
    return members.filter(
      (t) => (t.flags & ts.TypeFlags.Object) !== 0 || (t.flags & ts.TypeFlags.Intersection) !== 0,
    );
  }

  private walk(value: unknown, type: ts.Type, at: string, found: string[]): void {
    if (value === null || typeof value !== 'object') return;
    const nonNull = this.checker.getNonNullableType(type);
    if (nonNull.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return;
    if (Array.isArray(value)) {
      const arrayType = this.objectMembers(nonNull).find((t) => this.checker.isArrayType(t));
      const element = arrayType ? this.checker.getTypeArguments(arrayType as ts.TypeReference)[0] : undefined;
      if (element) value.forEach((item, index) => this.walk(item, element, `${at}/${index}`, found));
      return;
    }
    const candidates = this.objectMembers(nonNull).filter((t) => !this.checker.isArrayType(t));
    if (candidates.length === 0) return;
    const entries = Object.entries(value as Record<string, unknown>);
    // a union of object types: take the member that declares every key, else the first
    const fits = (t: ts.Type) =>
      entries.every(([key]) => t.getProperty(key) || this.checker.getIndexInfoOfType(t, ts.IndexKind.String));
    const chosen = candidates.find(fits) ?? candidates[0];
    const index = this.checker.getIndexInfoOfType(chosen, ts.IndexKind.String);
    // `{}`: a CRD field with x-kubernetes-preserve-unknown-fields (Strimzi's spec.config): any keys
    if (!index && chosen.getProperties().length === 0) return;
    for (const [key, child] of entries) {
      const property = chosen.getProperty(key);
      const where = `${at}/${key}`;
      if (property) {
        this.walk(child, this.checker.getTypeOfSymbol(property), where, found);
      } else if (index) {
        this.walk(child, index.type, where, found);
      } else {
        found.push(where);
      }
    }
  }
}
