/**
 * A Dockerfile lint for CI without a Docker engine: parse the instructions, then check that the
 * image is multi-stage, the runtime stage installs production dependencies only, runs as a
 * non-root user, has a HEALTHCHECK and OCI labels, every COPY source exists in the build context
 * (and is not excluded by .dockerignore), COPY --from names an earlier stage, the entry point
 * script is in the image, EXPOSE lists every service's port, and the stage that runs `npm run build`
 * copies every path package.json's build script names (tsc -p, vite --config: the console's web build).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, problem, type Problem } from './common';
import { SANDBOXES, SERVICES } from './k8s-checks';

export interface Instruction {
  line: number;
  keyword: string;
  args: string;
}

const KEYWORDS = new Set([
  'FROM', 'RUN', 'CMD', 'LABEL', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT', 'VOLUME', 'USER', 'WORKDIR', 'ARG', 'ONBUILD',
  'STOPSIGNAL', 'HEALTHCHECK', 'SHELL', 'MAINTAINER',
]); // prettier-ignore

export function parseDockerfile(text: string): { instructions: Instruction[]; errors: string[] } {
  const instructions: Instruction[] = [];
  const errors: string[] = [];
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length) {
    const start = i;
    let line = lines[i].trimEnd();
    i++;
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    while (line.endsWith('\\') && i < lines.length) {
      line = line.slice(0, -1);
      const next = lines[i];
      i++;
      if (next.trim().startsWith('#')) continue; // comments inside a continuation
      line += ` ${next.trim()}`;
    }
    const match = /^\s*([A-Za-z]+)\s*(.*)$/.exec(line);
    if (!match) {
      errors.push(`line ${start + 1}: cannot parse "${line}"`);
      continue;
    }
    const keyword = match[1].toUpperCase();
    if (!KEYWORDS.has(keyword)) errors.push(`line ${start + 1}: unknown instruction ${match[1]}`);
    else if (match[1] !== keyword)
      errors.push(`line ${start + 1}: write instructions in upper case (${match[1]})`);
    instructions.push({ line: start + 1, keyword, args: match[2].trim() });
  }
  return { instructions, errors };
}

/** .dockerignore patterns (Go filepath.Match with ** and ! exceptions), last match wins. */
export function dockerIgnored(relative: string, patterns: string[]): boolean {
  let ignored = false;
  for (const raw of patterns) {
    const negate = raw.startsWith('!');
    const pattern = (negate ? raw.slice(1) : raw).replace(/^\/+|\/+$/g, '');
    const regex = new RegExp(
      `^${pattern
        .split('/')
        .map((part) =>
          part === '**'
            ? '.*'
            : part
                .replace(/[.+^${}()|[\]\\]/g, '\\$&')
                .replace(/\*/g, '[^/]*')
                .replace(/\?/g, '[^/]'),
        )
        .join('/')
        .replace(/\.\*\//g, '(?:.*/)?')}(?:/.*)?$`,
    );
    if (regex.test(relative)) ignored = !negate;
  }
  return ignored;
}

const execForm = (args: string): string[] | undefined => {
  try {
    const parsed: unknown = JSON.parse(args);
    return Array.isArray(parsed) && parsed.every((p) => typeof p === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
};

type Add = (message: string, line?: number) => void;
interface Stage {
  name?: string;
  instructions: Instruction[];
}

export function lintDockerfile(text: string, root = REPO_ROOT, dockerignore?: string): Problem[] {
  const check = 'dockerfile';
  const problems: Problem[] = [];
  const add: Add = (message, line) =>
    problems.push(problem(check, `Dockerfile${line ? `:${line}` : ''}`, message));
  const { instructions, errors } = parseDockerfile(text);
  errors.forEach((e) => add(e));
  const stages = splitStages(instructions, add);
  if (stages.length < 2) add('must be a multi-stage build (build stage + runtime stage)');
  const final = stages[stages.length - 1];
  if (!final) return problems;
  const copiedIntoFinal = checkCopies(stages, root, ignorePatterns(root, dockerignore), add);
  checkRuntimeStage(final, add);
  checkEntrypoint(final, copiedIntoFinal, root, add);
  checkBuildInputs(stages, root, add);
  return problems;
}

/** The files and directories an npm script's commands name: `-p`/`--project` (tsc), `-c`/`--config` (vite …). */
export function buildScriptInputs(script: string): string[] {
  const words = script.split(/\s+/);
  const inputs: string[] = [];
  words.forEach((word, index) => {
    const [flag, inline] = word.split('=');
    if (!['-p', '--project', '-c', '--config'].includes(flag)) return;
    const value = inline ?? words[index + 1];
    if (value && !value.startsWith('-')) inputs.push(path.posix.normalize(value.replace(/^['"]|['"]$/g, '')));
  });
  return inputs;
}

/** The stage that runs `npm run build` copied what the build script reads before running it. */
function checkBuildInputs(stages: Stage[], root: string, add: Add): void {
  const packageFile = path.join(root, 'package.json');
  if (!fs.existsSync(packageFile)) return;
  const build = (JSON.parse(fs.readFileSync(packageFile, 'utf8')) as { scripts?: Record<string, string> })
    .scripts?.build;
  if (!build) return;
  for (const stage of stages) {
    const runIndex = stage.instructions.findIndex(
      (i) => i.keyword === 'RUN' && /\bnpm run build\b/.test(i.args),
    );
    if (runIndex < 0) continue;
    const copied = stage.instructions
      .slice(0, runIndex)
      .filter((i) => (i.keyword === 'COPY' || i.keyword === 'ADD') && !/--from=/.test(i.args))
      .flatMap((i) => {
        const rest = i.args.split(/\s+/).filter((w) => !w.startsWith('--'));
        const parts = execForm(rest.join(' ')) ?? rest;
        return parts.slice(0, -1).map((source) =>
          path.posix
            .normalize(source)
            .replace(/^\.\/?/, '')
            .replace(/\/$/, ''),
        );
      });
    for (const input of buildScriptInputs(build)) {
      const relative = input.replace(/^\.\//, '');
      if (!copied.some((c) => c === '' || c === '.' || c === relative || relative.startsWith(`${c}/`)))
        add(
          `the build script reads ${input}, which the build stage does not copy before \`npm run build\``,
          stage.instructions[runIndex].line,
        );
    }
  }
}

function ignorePatterns(root: string, dockerignore?: string): string[] {
  return (
    dockerignore ??
    (fs.existsSync(path.join(root, '.dockerignore'))
      ? fs.readFileSync(path.join(root, '.dockerignore'), 'utf8')
      : '')
  )
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

function splitStages(instructions: Instruction[], add: Add): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const match = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      if (!match) add(`cannot parse FROM ${instruction.args}`, instruction.line);
      stages.push({ name: match?.[2], instructions: [] });
      continue;
    }
    if (stages.length === 0) {
      if (instruction.keyword !== 'ARG')
        add(`${instruction.keyword} before the first FROM`, instruction.line);
      continue;
    }
    stages[stages.length - 1]?.instructions.push(instruction);
  }
  return stages;
}

/** COPY/ADD sources: earlier stages, or files in the build context not excluded by .dockerignore.
 * Returns what is copied into the final stage from the context. */
function checkCopies(stages: Stage[], root: string, ignore: string[], add: Add): string[] {
  const final = stages[stages.length - 1];
  const copiedIntoFinal: string[] = [];
  stages.forEach((stage, index) => {
    for (const instruction of stage.instructions.filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')) {
      const words = instruction.args.split(/\s+/);
      const flags = words.filter((w) => w.startsWith('--'));
      const rest = words.filter((w) => !w.startsWith('--'));
      const parts = execForm(rest.join(' ')) ?? rest;
      if (parts.length < 2) {
        add(`${instruction.keyword} needs a source and a destination`, instruction.line);
        continue;
      }
      const sources = parts.slice(0, -1);
      const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
      if (from !== undefined) {
        const earlier = stages.slice(0, index).some((s) => s.name === from);
        if (!earlier) add(`COPY --from=${from}: no earlier stage named ${from}`, instruction.line);
        continue;
      }
      if (instruction.keyword === 'ADD') add('use COPY, not ADD', instruction.line);
      for (const source of sources) {
        const relative = path.posix
          .normalize(source)
          .replace(/^\.\/?/, '')
          .replace(/\/$/, '');
        if (relative.startsWith('..')) add(`COPY ${source}: outside the build context`, instruction.line);
        else if (relative && !fs.existsSync(path.join(root, relative)))
          add(`COPY ${source}: not in the build context`, instruction.line);
        else if (relative && dockerIgnored(relative, ignore))
          add(`COPY ${source}: excluded by .dockerignore`, instruction.line);
        if (stage === final) copiedIntoFinal.push(relative);
      }
    }
  });
  return copiedIntoFinal;
}

const inStage = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);

/** The runtime stage: production install, no compile, a numeric non-root USER, HEALTHCHECK, labels. */
function checkRuntimeStage(final: Stage, add: Add): void {
  const runs = inStage(final, 'RUN').map((i) => i.args);
  if (!runs.some((r) => /npm ci\b.*--omit=dev/.test(r)))
    add('the runtime stage must install with `npm ci --omit=dev`');
  if (runs.some((r) => /npm (run )?build|tsc\b/.test(r)))
    add('the runtime stage must not compile; copy the build stage output');
  const users = inStage(final, 'USER');
  const user = users[users.length - 1]?.args.split(':')[0];
  if (!user) add('the runtime stage must set USER (non-root)');
  else if (user === 'root' || user === '0') add(`USER ${user} is root`, users[users.length - 1]?.line);
  else if (!/^\d+$/.test(user))
    add(
      `USER ${user}: use a numeric uid so Kubernetes can verify runAsNonRoot`,
      users[users.length - 1]?.line,
    );
  const exposed = new Set(
    inStage(final, 'EXPOSE')
      .flatMap((i) => i.args.split(/\s+/))
      .map((port) => Number(port.split('/')[0])),
  );
  const ports = {
    ...Object.fromEntries(Object.entries(SERVICES).map(([k, v]) => [k, v.port])),
    ...SANDBOXES,
  };
  for (const [name, port] of Object.entries(ports))
    if (!exposed.has(port)) add(`EXPOSE does not list ${port} (${name})`);
  const healthchecks = inStage(final, 'HEALTHCHECK');
  if (healthchecks.length === 0 || healthchecks.some((h) => /^NONE\b/i.test(h.args)))
    add('the runtime stage needs a HEALTHCHECK');
  else if (!/\/health\/(live|ready)/.test(healthchecks[0]?.args ?? ''))
    add('HEALTHCHECK must call /health/live or /health/ready');
  const labels = inStage(final, 'LABEL')
    .map((l) => l.args)
    .join(' ');
  for (const label of [
    'org.opencontainers.image.title',
    'org.opencontainers.image.version',
    'org.opencontainers.image.revision',
  ]) {
    if (!labels.includes(label)) add(`missing LABEL ${label}`);
  }
}

/** ENTRYPOINT/CMD in exec form start a node script that, with what it requires, is copied in. */
function checkEntrypoint(final: Stage, copiedIntoFinal: string[], root: string, add: Add): void {
  const commands = [...inStage(final, 'ENTRYPOINT'), ...inStage(final, 'CMD')];
  const entrypoint = commands.find((i) => (execForm(i.args)?.length ?? 0) > 0);
  for (const i of commands) {
    if (!execForm(i.args)) add(`${i.keyword} must use the exec (JSON) form so signals reach node`, i.line);
  }
  const script = execForm(entrypoint?.args ?? '')?.find((part) => /\.js$/.test(part));
  if (!script) {
    add('ENTRYPOINT/CMD must start a script with node');
    return;
  }
  const relative = script.replace(/^\.\//, '');
  if (
    !copiedIntoFinal.some(
      (c) => c === relative || relative.startsWith(`${c}/`) || c === path.posix.dirname(relative),
    )
  ) {
    add(`the entry point ${script} is not copied into the runtime stage`);
  }
  if (!fs.existsSync(path.join(root, relative))) {
    add(`the entry point ${script} does not exist in the repository`);
    return;
  }
  // files the entry point requires relatively must be copied too
  const required = [
    ...fs.readFileSync(path.join(root, relative), 'utf8').matchAll(/require\('\.\/([^']+)'\)/g),
  ].map((m) => path.posix.join(path.posix.dirname(relative), m[1].endsWith('.js') ? m[1] : `${m[1]}.js`));
  for (const file of required) {
    if (!copiedIntoFinal.some((c) => c === file || file.startsWith(`${c}/`)))
      add(`${file} (required by ${script}) is not copied into the runtime stage`);
  }
}
