import { parse } from 'yaml';
import { type Problem } from '../../scripts/validate/common';
import { checkCompose, checkEnvConsistency, loadCompose } from '../../scripts/validate/compose';
import { at, readRepo, setAt } from './fixtures';

const prometheus = parse(readRepo('monitoring/prometheus.yml')) as { scrape_configs: { job_name: string }[] };
const messages = (problems: Problem[]) => problems.map((p) => `${p.where}: ${p.message}`);
const compose = () => structuredClone(loadCompose());
const secretKeys = [
  'DATABASE_URL',
  'WDT_APP_SECRET',
  'WDT_QIMEN_APP_SECRET',
  'XINGCHEN_CLIENT_SECRET',
  'XINGCHEN_PASSWORD',
  'XINGCHEN_APP_SECRET',
  'REPLAY_ADMIN_TOKEN',
  'CONSOLE_USERS',
];

describe('docker-compose.yml', () => {
  it('follows the Compose specification and starts the stack in order', () => {
    expect(messages(checkCompose(compose(), prometheus))).toEqual([]);
  });

  it('catches a misspelled service key (schema)', () => {
    const doc = compose();
    setAt(doc, 'services.loader.helthcheck', at(doc, 'services.loader.healthcheck'));
    setAt(doc, 'services.loader.healthcheck', undefined);
    expect(messages(checkCompose(doc, prometheus))).toEqual([
      'docker-compose.yml: schema: /services/loader must NOT have additional properties (helthcheck)',
      'docker-compose.yml: loader: no healthcheck',
      'docker-compose.yml: loader: healthcheck must call /health/… on port 3003',
    ]);
  });

  it('catches a service that starts before Kafka is healthy, and a sandbox outside its profile', () => {
    const doc = compose();
    setAt(doc, 'services.transformer.depends_on', {
      kafka: { condition: 'service_started' },
      postgres: { condition: 'service_healthy' },
    });
    setAt(doc, 'services.wdt-sandbox.profiles', undefined);
    expect(messages(checkCompose(doc, prometheus))).toEqual([
      'docker-compose.yml: transformer: must wait for kafka (condition: service_healthy)',
      'docker-compose.yml: wdt-sandbox: must run only under the "sandbox" profile',
    ]);
  });

  it('catches a service Prometheus does not scrape', () => {
    const config = structuredClone(prometheus);
    config.scrape_configs = config.scrape_configs.filter((job) => job.job_name !== 'erpsync-loader');
    expect(messages(checkCompose(compose(), config))).toEqual([
      'monitoring/prometheus.yml: prometheus.yml does not scrape loader:3003',
    ]);
  });
});

describe('configuration names', () => {
  it('.env.example, the ConfigMap and the Secret template name the same variables', () => {
    expect(
      messages(checkEnvConsistency(readRepo('.env.example'), readRepo('k8s/base/config.env'), secretKeys)),
    ).toEqual([]);
  });

  it('catches a variable renamed in one place only', () => {
    const renamed = readRepo('.env.example').replace('POLL_INTERVAL_SECONDS=', 'POLL_INTERVAL_SECS=');
    expect(messages(checkEnvConsistency(renamed, readRepo('k8s/base/config.env'), secretKeys))).toEqual([
      '.env.example: POLL_INTERVAL_SECS is not in the Kubernetes ConfigMap (k8s/base/config.env)',
      'k8s/base/config.env: POLL_INTERVAL_SECONDS is not in .env.example',
    ]);
  });

  it('catches a secret that would land in the ConfigMap', () => {
    const config = `${readRepo('k8s/base/config.env')}WDT_APP_SECRET=\n`;
    expect(messages(checkEnvConsistency(readRepo('.env.example'), config, secretKeys))).toEqual([
      'k8s/base/config.env: WDT_APP_SECRET is both in config.env and in the Secret template',
    ]);
  });
});
