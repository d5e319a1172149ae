/**
 * A new release re-runs the migrations: the Job is named after the image tag (a Job's pod template is
 * immutable, so an apply could never change the old one), and the services wait for the schema.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../../scripts/validate/common';
import { checkK8sObjects } from '../../scripts/validate/k8s-checks';
import { loadYamlObjects, renderKustomization, type K8sObject } from '../../scripts/validate/kustomize';
import { OVERLAYS, SECRET_TEMPLATE } from '../../scripts/validate/validate-deploy';
import { at } from './fixtures';

/** Renders a copy of k8s/ with the prod overlay's image tag set to `tag`. */
function renderProdAt(tag: string): K8sObject[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'erpsync-release-'));
  try {
    fs.cpSync(path.join(REPO_ROOT, 'k8s'), path.join(dir, 'k8s'), { recursive: true });
    const file = path.join(dir, 'k8s/overlays/prod/kustomization.yaml');
    const text = fs.readFileSync(file, 'utf8');
    if (!/newTag: 0\.1\.0/.test(text)) throw new Error('prod overlay no longer pins newTag: 0.1.0');
    fs.writeFileSync(file, text.replace(/newTag: 0\.1\.0/, `newTag: ${tag}`));
    return renderKustomization(path.join(dir, 'k8s/overlays/prod'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const jobs = (objects: K8sObject[]) => objects.filter((o) => o.kind === 'Job');
const imageOf = (job: K8sObject) => (at(job, 'spec.template.spec.containers.0') as { image: string }).image;

describe('the migration Job of a release', () => {
  it('two releases render two Jobs of different names, each running its own image', () => {
    const [a, b] = [renderProdAt('0.1.0'), renderProdAt('0.2.0')].map(jobs);
    expect(a.map((j) => j.metadata.name)).toEqual(['erpsync-migrate-0.1.0']);
    expect(b.map((j) => j.metadata.name)).toEqual(['erpsync-migrate-0.2.0']);
    expect(imageOf(a[0])).toBe('ghcr.io/erpsync/erpsync:0.1.0');
    expect(imageOf(b[0])).toBe('ghcr.io/erpsync/erpsync:0.2.0');
    expect(Number(at(b[0], 'spec').ttlSecondsAfterFinished)).toBeGreaterThan(0);
  });

  it('the same release renders the same Job (a re-apply changes nothing)', () => {
    expect(jobs(renderProdAt('0.3.0'))).toEqual(jobs(renderProdAt('0.3.0')));
  });

  it.each(OVERLAYS)('%s: every overlay names its Job after the release', (overlay) => {
    const objects = renderKustomization(path.join(REPO_ROOT, overlay));
    expect(jobs(objects).map((j) => j.metadata.name)).toEqual(['erpsync-migrate-0.1.0']);
  });

  it('catches an overlay that forgot the replacement (the placeholder name) and a missing TTL', () => {
    const objects = renderKustomization(path.join(REPO_ROOT, 'k8s/overlays/prod'));
    const job = jobs(objects)[0];
    job.metadata.name = 'erpsync-migrate-release';
    delete (job as unknown as { spec: Record<string, unknown> }).spec.ttlSecondsAfterFinished;
    const secrets = loadYamlObjects(path.join(REPO_ROOT, SECRET_TEMPLATE));
    expect(
      checkK8sObjects({ name: 'prod', objects, externalSecrets: secrets, schemas: false }).map(
        (p) => `${p.where}: ${p.message}`,
      ),
    ).toEqual([
      "prod: Job/erpsync/erpsync-migrate-release: named erpsync-migrate-release, expected erpsync-migrate-0.1.0: each release needs its own Job (the overlay's replacements)",
      'prod: Job/erpsync/erpsync-migrate-release: needs ttlSecondsAfterFinished: one Job per release would otherwise pile up',
    ]);
  });

  it('the extractor and loader wait for the schema before they start; the transformer has no database', () => {
    const objects = renderKustomization(path.join(REPO_ROOT, 'k8s/overlays/prod'));
    const init = (name: string) =>
      (
        (at(
          objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name),
          'spec.template.spec',
        ).initContainers ?? []) as { name: string; args: string[] }[]
      ).map((c) => c.name);
    expect(init('erpsync-extractor')).toEqual(['wait-for-schema']);
    expect(init('erpsync-loader')).toEqual(['wait-for-schema']);
    expect(init('erpsync-transformer')).toEqual([]);
  });
});
