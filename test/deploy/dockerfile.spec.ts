import { type Problem } from '../../scripts/validate/common';
import { dockerIgnored, lintDockerfile, parseDockerfile } from '../../scripts/validate/dockerfile';
import { readRepo } from './fixtures';

const dockerfile = readRepo('Dockerfile');
const messages = (problems: Problem[]) => problems.map((p) => `${p.where}: ${p.message}`);
/** The findings on the Dockerfile with one text replaced: a planted mistake. */
const lintedWith = (from: string, to: string) => messages(lintDockerfile(dockerfile.replace(from, to)));

describe('the Dockerfile', () => {
  it('is multi-stage, non-root, has a HEALTHCHECK and labels, and copies only what exists', () => {
    expect(messages(lintDockerfile(dockerfile))).toEqual([]);
    const { instructions } = parseDockerfile(dockerfile);
    expect(instructions.filter((i) => i.keyword === 'FROM').map((i) => i.args)).toEqual([
      '${NODE_IMAGE} AS build',
      '${NODE_IMAGE} AS runtime',
    ]);
  });

  it('catches a root user, a missing HEALTHCHECK and a full npm ci in the runtime stage', () => {
    const broken = dockerfile
      .replace('USER 1000:1000', 'USER root')
      .replace(/HEALTHCHECK[^\n]*\\\n[^\n]*\n/, '')
      .replace('npm ci --omit=dev', 'npm ci');
    expect(messages(lintDockerfile(broken))).toEqual([
      'Dockerfile: the runtime stage must install with `npm ci --omit=dev`',
      'Dockerfile:40: USER root is root',
      'Dockerfile: the runtime stage needs a HEALTHCHECK',
    ]);
  });

  it('catches a COPY of a file that is not in the build context, or that .dockerignore excludes', () => {
    expect(
      lintedWith('COPY libs ./libs', 'COPY libs ./libs\nCOPY config/mapping.yaml ./config/\nCOPY k8s ./k8s'),
    ).toEqual([
      'Dockerfile:18: COPY config/mapping.yaml: not in the build context',
      'Dockerfile:19: COPY k8s: excluded by .dockerignore',
    ]);
  });

  it('catches an entry point script that is not copied into the runtime stage', () => {
    expect(
      lintedWith(
        'COPY scripts/start.js scripts/register-paths.js ./scripts/',
        'COPY scripts/start.js ./scripts/',
      ),
    ).toEqual([
      'Dockerfile: scripts/register-paths.js (required by scripts/start.js) is not copied into the runtime stage',
    ]);
  });

  it('matches .dockerignore patterns like docker does (**, *, ! exceptions)', () => {
    const patterns = ['node_modules', '**/*.spec.ts', '.env.*', '!.env.example'];
    expect(
      [
        'node_modules/x/y.js',
        'libs/a/src/b.spec.ts',
        'b.spec.ts',
        '.env.local',
        '.env.example',
        'libs/a/src/b.ts',
      ].map((p) => dockerIgnored(p, patterns)),
    ).toEqual([true, true, true, true, false, false]);
  });
});
