import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { KEY_RECIPE } from '../../src/core/index.js';
import { ROOT } from '../helpers/cli.js';

/**
 * Every manifest under deploy/k8s validated with kubernetes-models (the Kubernetes OpenAPI schemas, offline), and
 * read for what each layout needs. No cluster here: `kubectl apply` was not run.
 */
const K8S = join(ROOT, 'deploy', 'k8s');
const LAYOUTS = ['single-node', 'scaled'] as const;

interface Manifest {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  Deployment,
  Service,
  Secret,
  ConfigMap,
};

function manifests(layout: string): { file: string; manifest: Manifest }[] {
  const dir = join(K8S, layout);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) =>
      parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((doc) => ({
        file: `${layout}/${f}`,
        manifest: doc.toJS() as Manifest,
      })),
    );
}

function one(layout: string, kind: string): unknown {
  const found = manifests(layout).filter((m) => m.manifest.kind === kind);
  expect(found, `${kind} in ${layout}`).toHaveLength(1);
  return found[0]?.manifest;
}

describe('Kubernetes manifests', () => {
  it.each(LAYOUTS)('%s: every manifest is a known kind and validates against the Kubernetes schema', (layout) => {
    const all = manifests(layout);
    expect(all.map((m) => m.manifest.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'Secret', 'Service']);
    for (const { file, manifest } of all) {
      const Model = MODELS[manifest.kind];
      expect(Model, `${file}: kind ${manifest.kind}`).toBeDefined();
      expect(() => new (Model as NonNullable<typeof Model>)(manifest as never).validate(), file).not.toThrow();
    }
  });

  it('the validation refuses a broken Deployment (so the check above means something)', () => {
    const deployment = structuredClone(one('single-node', 'Deployment') as Deployment);
    (deployment.spec as unknown as { replicas: unknown }).replicas = 'one';
    expect(() => new Deployment(deployment).validate()).toThrow(/replicas/);
    const noPort = structuredClone(one('single-node', 'Deployment') as Deployment);
    delete (noPort.spec?.template.spec?.containers[0]?.ports?.[0] as { containerPort?: number }).containerPort;
    expect(() => new Deployment(noPort).validate()).toThrow(/containerPort/);
  });

  it.each(LAYOUTS)(
    '%s: probes on /ready and /health at the container port, resources, a non-root pod, the Service on that port',
    (layout) => {
      const deployment = one(layout, 'Deployment') as Deployment;
      const pod = deployment.spec?.template.spec;
      expect(pod?.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, fsGroup: 10001 });
      const container = pod?.containers[0];
      expect(container?.args).toEqual(['--host', '0.0.0.0', '--port', '8585']);
      expect(container?.ports).toEqual([{ name: 'http', containerPort: 8585 }]);
      expect(container?.readinessProbe?.httpGet).toEqual({ path: '/ready', port: 'http' });
      expect(container?.livenessProbe?.httpGet).toEqual({ path: '/health', port: 'http' });
      expect(container?.resources?.requests).toEqual({ cpu: '250m', memory: '256Mi' });
      expect(container?.resources?.limits).toEqual({ memory: '1Gi' });
      expect(deployment.spec?.selector.matchLabels).toEqual(deployment.spec?.template.metadata?.labels);

      const service = one(layout, 'Service') as Service;
      expect(service.spec?.selector).toEqual(deployment.spec?.selector.matchLabels);
      expect(service.spec?.ports).toEqual([{ name: 'http', port: 8585, targetPort: 'http' }]);

      // The encryption key (and the model key) from the Secret, the environments from the ConfigMap.
      const secret = one(layout, 'Secret') as Secret;
      expect(container?.envFrom).toEqual([{ secretRef: { name: secret.metadata?.name } }]);
      expect(Object.keys(secret.stringData ?? {})).toContain('STATION_ENCRYPTION_KEY');
      // The API key the entrypoint imports (stn key import --replace), a placeholder with the recipe beside it.
      expect(secret.stringData?.STATION_API_KEY).toMatch(/^REPLACE-/);
      expect(readFileSync(join(K8S, layout, 'secret.yaml'), 'utf8')).toContain(KEY_RECIPE);
      const env = Object.fromEntries((container?.env ?? []).map((e) => [e.name, e.value]));
      expect(env).toMatchObject({ STATION_HOME: '/data/station', STATION_ENVIRONMENTS_FROM: '/environments' });
      const configMap = one(layout, 'ConfigMap') as ConfigMap;
      const volume = pod?.volumes?.find((v) => v.name === 'environments');
      expect(volume?.configMap?.name).toBe(configMap.metadata?.name);
      for (const item of volume?.configMap?.items ?? []) expect(Object.keys(configMap.data ?? {})).toContain(item.key);
      expect(container?.volumeMounts).toContainEqual({
        name: 'environments',
        mountPath: '/environments',
        readOnly: true,
      });
      expect(container?.volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
      // The ConfigMap carries the same example environment as the compose layouts (deploy/environments).
      const environments = join(ROOT, 'deploy', 'environments');
      for (const item of volume?.configMap?.items ?? []) {
        expect(configMap.data?.[item.key], item.path).toBe(readFileSync(join(environments, item.path), 'utf8'));
      }
    },
  );

  it('single-node: one replica, Recreate, Litestream replica URL and its credentials, no PostgreSQL', () => {
    const deployment = one('single-node', 'Deployment') as Deployment;
    expect(deployment.spec?.replicas).toBe(1);
    expect(deployment.spec?.strategy).toEqual({ type: 'Recreate' });
    const env = deployment.spec?.template.spec?.containers[0]?.env ?? [];
    expect(env.find((e) => e.name === 'LITESTREAM_REPLICA_URL')?.value).toMatch(/^s3:\/\//);
    const secret = one('single-node', 'Secret') as Secret;
    expect(Object.keys(secret.stringData ?? {}).sort()).toEqual([
      'LITESTREAM_ACCESS_KEY_ID',
      'LITESTREAM_SECRET_ACCESS_KEY',
      'OPENAI_API_KEY',
      'STATION_API_KEY',
      'STATION_ENCRYPTION_KEY',
    ]);
  });

  it('scaled: several replicas rolling, the PostgreSQL URL from the Secret, no Litestream', () => {
    const deployment = one('scaled', 'Deployment') as Deployment;
    expect(deployment.spec?.replicas).toBeGreaterThanOrEqual(2);
    expect(deployment.spec?.strategy?.type).toBe('RollingUpdate');
    const env = deployment.spec?.template.spec?.containers[0]?.env ?? [];
    expect(env.map((e) => e.name)).not.toContain('LITESTREAM_REPLICA_URL');
    const secret = one('scaled', 'Secret') as Secret;
    expect(secret.stringData?.STATION_DATABASE_URL).toMatch(/^postgres:\/\/station:[^@]+@[^/]+:5432\/station$/);
    expect(Object.keys(secret.stringData ?? {})).toContain('STATION_ENCRYPTION_KEY');
  });

  it('the README shows every manifest as it is in deploy/k8s', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const layout of LAYOUTS) {
      for (const file of readdirSync(join(K8S, layout)).filter((f) => f.endsWith('.yaml'))) {
        expect(readme, `${layout}/${file}`).toContain(readFileSync(join(K8S, layout, file), 'utf8'));
      }
    }
  });
});
