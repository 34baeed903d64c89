/**
 * charts/pallet-registry rendered and linted by the real helm 3.17 and helm 4.1 binaries.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { helmBinary, helmEnv } from '../support/helm.js';
import { chartDir, devValues, find, type K8sObject, parseManifests, pool, run, type RunResult } from './helm-run.js';

const NS = 'pallet';
const RELEASE = 'registry';

describe.each([3, 4] as const)('pallet-registry chart with helm %i', (major) => {
  let helm = '';
  let tmp = '';
  let env: Record<string, string> = {};

  beforeAll(async () => {
    helm = await helmBinary(major);
    tmp = mkdtempSync(path.join(os.tmpdir(), `pallet-chart-h${major}-`));
    // No cluster: helm must never reach one (or the user's kubeconfig) in these tests.
    env = { ...helmEnv(tmp), KUBECONFIG: path.join(tmp, 'no-kubeconfig') };
  });
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const helmRun = (args: string[]): Promise<RunResult> => run(helm, args, env);

  /** `helm template registry <chart> -n pallet -f values-dev.yaml [extra]`, which must succeed. */
  async function render(extra: string[] = []): Promise<K8sObject[]> {
    const r = await helmRun(['template', RELEASE, chartDir, '-n', NS, '-f', devValues, ...extra]);
    expect(r.stderr, `helm template ${extra.join(' ')} failed`).toBe('');
    expect(r.code).toBe(0);
    return parseManifests(r.stdout);
  }

  it(`is helm ${major}`, async () => {
    const r = await helmRun(['version', '--short']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(new RegExp(`^v${major}\\.`));
  });

  it('passes helm lint --strict with the default values and with values-dev.yaml', async () => {
    const [plain, dev] = await Promise.all([
      helmRun(['lint', '--strict', chartDir]),
      helmRun(['lint', '--strict', chartDir, '-f', devValues]),
    ]);
    for (const r of [plain, dev]) {
      expect(r.stdout + r.stderr).toContain('1 chart(s) linted, 0 chart(s) failed');
      expect(r.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
      expect(r.code).toBe(0);
    }
  });

  it('renders exactly a Deployment, a Service and a PVC with the seed names and labels', async () => {
    const objects = await render();
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'Deployment/registry',
      'PersistentVolumeClaim/registry-data',
      'Service/registry',
    ]);
    for (const o of objects) {
      expect(o.metadata.namespace).toBe(NS);
      expect(o.metadata.labels).toMatchObject({
        app: 'registry',
        'app.kubernetes.io/name': 'registry',
        'app.kubernetes.io/instance': RELEASE,
        'app.kubernetes.io/managed-by': 'Helm',
        'app.kubernetes.io/version': '2.8.3',
        'helm.sh/chart': 'pallet-registry-1.0.0',
      });
    }
  });

  it('renders the Deployment per the seed: image, replicas, port, probes, resources, volume', async () => {
    const dep = find(await render(), 'Deployment', 'registry');
    expect(dep.apiVersion).toBe('apps/v1');
    expect(dep.spec.replicas).toBe(1);
    expect(dep.spec.selector.matchLabels).toMatchObject({ app: 'registry' });
    expect(dep.spec.template.metadata.labels).toMatchObject(dep.spec.selector.matchLabels);
    expect(dep.spec.template.spec.enableServiceLinks).toBe(false);
    const containers = dep.spec.template.spec.containers;
    expect(containers).toHaveLength(1);
    const c = containers[0];
    expect(c.image).toBe('registry:2.8.3');
    expect(c.imagePullPolicy).toBe('IfNotPresent');
    expect(c.ports).toEqual([{ name: 'http', containerPort: 5000, protocol: 'TCP' }]);
    expect(c.livenessProbe).toEqual({
      httpGet: { path: '/v2/', port: 5000 },
      initialDelaySeconds: 10,
      periodSeconds: 10,
      timeoutSeconds: 5,
    });
    expect(c.readinessProbe).toEqual({
      httpGet: { path: '/v2/', port: 5000 },
      initialDelaySeconds: 5,
      periodSeconds: 5,
      timeoutSeconds: 3,
    });
    expect(c.resources).toEqual({
      limits: { cpu: '500m', memory: '256Mi' },
      requests: { cpu: '100m', memory: '128Mi' },
    });
    expect(c.volumeMounts).toEqual([{ name: 'data', mountPath: '/var/lib/registry' }]);
    expect(c.env).toContainEqual({ name: 'REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY', value: '/var/lib/registry' });
    expect(dep.spec.template.spec.volumes).toEqual([
      { name: 'data', persistentVolumeClaim: { claimName: 'registry-data' } },
    ]);
  });

  it('renders the Service as NodePort 5000 on the in-range nodePort 30500', async () => {
    const svc = find(await render(), 'Service', 'registry');
    expect(svc.spec.type).toBe('NodePort');
    expect(svc.spec.ports).toEqual([{ name: 'http', protocol: 'TCP', port: 5000, targetPort: 'http', nodePort: 30500 }]);
    expect(svc.spec.selector).toMatchObject({ app: 'registry', 'app.kubernetes.io/instance': RELEASE });
  });

  it('renders the PVC: 1Gi, ReadWriteOnce, default storage class, no keep policy, no PV', async () => {
    const objects = await render();
    const pvc = find(objects, 'PersistentVolumeClaim', 'registry-data');
    expect(pvc.spec.resources.requests.storage).toBe('1Gi');
    expect(pvc.spec.accessModes).toEqual(['ReadWriteOnce']);
    expect(pvc.spec).not.toHaveProperty('storageClassName');
    expect(pvc.spec).not.toHaveProperty('volumeName');
    expect(pvc.metadata.annotations?.['helm.sh/resource-policy']).toBeUndefined();
    expect(objects.filter((o) => o.kind === 'PersistentVolume')).toEqual([]);
  });

  it('adds helm.sh/resource-policy: keep to the PVC only with persistence.keep=true', async () => {
    const pvc = find(await render(['--set', 'persistence.keep=true']), 'PersistentVolumeClaim', 'registry-data');
    expect(pvc.metadata.annotations).toEqual({ 'helm.sh/resource-policy': 'keep' });
  });

  it('renders a static hostPath PV bound to the PVC only when persistence.hostPath is set', async () => {
    const objects = await render(['--set', 'persistence.hostPath=/var/lib/pallet-registry']);
    const pv = find(objects, 'PersistentVolume', 'registry-data-pallet');
    const pvc = find(objects, 'PersistentVolumeClaim', 'registry-data');
    expect(pv.metadata.namespace).toBeUndefined();
    expect(pv.spec.hostPath).toEqual({ path: '/var/lib/pallet-registry', type: 'DirectoryOrCreate' });
    expect(pv.spec.storageClassName).toBe('');
    expect(pv.spec.capacity).toEqual({ storage: '1Gi' });
    expect(pv.spec.accessModes).toEqual(['ReadWriteOnce']);
    expect(pv.spec.persistentVolumeReclaimPolicy).toBe('Retain');
    expect(pv.spec.claimRef).toMatchObject({ namespace: NS, name: 'registry-data' });
    expect(pvc.spec.storageClassName).toBe('');
    expect(pvc.spec.volumeName).toBe('registry-data-pallet');
    expect(pv.metadata.annotations?.['helm.sh/resource-policy']).toBeUndefined();

    const kept = await render(['--set', 'persistence.hostPath=/var/lib/pallet-registry', '--set', 'persistence.keep=true']);
    for (const kind of ['PersistentVolume', 'PersistentVolumeClaim']) {
      const o = kept.find((x) => x.kind === kind);
      expect(o?.metadata.annotations?.['helm.sh/resource-policy'], kind).toBe('keep');
    }
  });

  it('names the PV after the release namespace', async () => {
    const r = await helmRun(['template', RELEASE, chartDir, '-n', 'other', '--set', 'persistence.hostPath=/data/x']);
    expect(r.code).toBe(0);
    const objects = parseManifests(r.stdout);
    const pv = find(objects, 'PersistentVolume', 'registry-data-other');
    expect(pv.spec.claimRef).toMatchObject({ namespace: 'other', name: 'registry-data' });
    expect(find(objects, 'PersistentVolumeClaim', 'registry-data').spec.volumeName).toBe('registry-data-other');
  });

  it('passes an explicit storage class, and uses an emptyDir without persistence', async () => {
    const classed = find(await render(['--set', 'persistence.storageClassName=fast']), 'PersistentVolumeClaim', 'registry-data');
    expect(classed.spec.storageClassName).toBe('fast');

    const objects = await render(['--set', 'persistence.enabled=false']);
    expect(objects.map((o) => o.kind).sort()).toEqual(['Deployment', 'Service']);
    expect(find(objects, 'Deployment', 'registry').spec.template.spec.volumes).toEqual([{ name: 'data', emptyDir: {} }]);
  });

  it('keeps the seed names whatever the release is called, and honours fullnameOverride', async () => {
    const r = await helmRun(['template', 'anything', chartDir, '-n', NS]);
    expect(r.code).toBe(0);
    expect(parseManifests(r.stdout).map((o) => o.metadata.name).sort()).toEqual(['registry', 'registry', 'registry-data']);

    const renamed = await render(['--set', 'fullnameOverride=oci']);
    expect(renamed.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'Deployment/oci',
      'PersistentVolumeClaim/oci-data',
      'Service/oci',
    ]);
    expect(find(renamed, 'Deployment', 'oci').spec.template.spec.volumes[0].persistentVolumeClaim.claimName).toBe('oci-data');
  });

  it('omits nodePort when it is null or the Service is ClusterIP', async () => {
    const auto = find(await render(['--set', 'service.nodePort=null']), 'Service', 'registry');
    expect(auto.spec.ports[0]).not.toHaveProperty('nodePort');
    const cip = find(await render(['--set', 'service.type=ClusterIP']), 'Service', 'registry');
    expect(cip.spec.type).toBe('ClusterIP');
    expect(cip.spec.ports[0]).not.toHaveProperty('nodePort');
  });

  // Each bad value is rejected by values.schema.json before rendering (`schema`: what stderr
  // must say) and, where the chart has one, by the template guard once the schema is
  // switched off with --skip-schema-validation (`guard`).
  const badValues: { name: string; set: string[]; schema: RegExp[]; guard?: RegExp }[] = [
    {
      name: 'persistence.size=50Mi',
      set: ['--set', 'persistence.size=50Mi'],
      schema: [/persistence[./]size/, /pattern/],
      guard: /persistence\.size "50Mi" is below the minimum of 100Mi/,
    },
    {
      name: 'image.pullPolicy=Sometimes',
      set: ['--set', 'image.pullPolicy=Sometimes'],
      schema: [/image[./]pullPolicy/, /IfNotPresent/],
    },
    {
      name: 'replicaCount=0',
      set: ['--set', 'replicaCount=0'],
      schema: [/replicaCount/, /greater than or equal to 1|minimum: got 0, want 1/],
      guard: /replicaCount must be at least 1/,
    },
    {
      name: 'service.nodePort=5000',
      set: ['--set', 'service.nodePort=5000'],
      schema: [/service[./]nodePort/, /greater than or equal to 30000|want 30,?000/],
      guard: /service\.nodePort 5000 is outside the Kubernetes default NodePort range 30000-32767/,
    },
    {
      name: 'unknown top-level key',
      set: ['--set', 'registryPort=5000'],
      schema: [/registryPort/, /not allowed/],
    },
    {
      name: 'unknown persistence key (typo)',
      set: ['--set', 'persistence.sise=1Gi'],
      schema: [/sise/, /not allowed/],
    },
  ];

  for (const bad of badValues) {
    it(`rejects ${bad.name} through values.schema.json`, async () => {
      const r = await helmRun(['template', RELEASE, chartDir, '-n', NS, '-f', devValues, ...bad.set]);
      expect(r.code).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain("values don't meet the specifications of the schema");
      for (const re of bad.schema) expect(r.stderr).toMatch(re);
    });
    if (bad.guard) {
      const guard = bad.guard;
      it(`rejects ${bad.name} in the template guard when the schema is skipped`, async () => {
        const args = ['template', RELEASE, chartDir, '-n', NS, '-f', devValues, '--skip-schema-validation', ...bad.set];
        const r = await helmRun(args);
        expect(r.code).not.toBe(0);
        expect(r.stderr).toContain('execution error');
        expect(r.stderr).toMatch(guard);
      });
    }
  }

  it('lint --strict fails on a bad size too', async () => {
    const r = await helmRun(['lint', '--strict', chartDir, '--set', 'persistence.size=50Mi']);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/persistence[./]size/);
  });

  // Boundary values of the 100Mi minimum (104857600 bytes) in every notation.
  const atLeast100Mi = [
    '100Mi', '1Gi', '1.5Gi', '0.5Gi', '0.09765625Gi', '104857600', '104857600.5', '102400Ki',
    '104858k', '104857.6k', '105M', '104.8576M', '0.1048576G', '0.2G', '1G', '2Ti', '1E',
  ];
  const below100Mi = [
    '50Mi', '99Mi', '99.9Mi', '104857599', '102399Ki', '104857k', '104857.5k', '100M', '104.8575M',
    '0.1G', '0.09Gi', '0.0976562Gi', '100000000000m', '-1Gi', '0Gi',
  ];

  it('accepts sizes of at least 100Mi in both layers, whatever the notation', async () => {
    const results = await pool(atLeast100Mi, 6, (size) =>
      helmRun(['template', RELEASE, chartDir, '-n', NS, '--set-string', `persistence.size=${size}`]),
    );
    results.forEach((r, i) => {
      expect(r.stderr, atLeast100Mi[i]).toBe('');
      expect(r.code, atLeast100Mi[i]).toBe(0);
      expect(find(parseManifests(r.stdout), 'PersistentVolumeClaim', 'registry-data').spec.resources.requests.storage).toBe(
        atLeast100Mi[i],
      );
    });
  });

  it('rejects sizes below 100Mi in the schema and, with the schema skipped, in the guard', async () => {
    const jobs = below100Mi.flatMap((size) => [
      { size, skip: false },
      { size, skip: true },
    ]);
    const results = await pool(jobs, 6, ({ size, skip }) =>
      helmRun([
        'template', RELEASE, chartDir, '-n', NS, '--set-string', `persistence.size=${size}`,
        ...(skip ? ['--skip-schema-validation'] : []),
      ]),
    );
    results.forEach((r, i) => {
      const { size, skip } = jobs[i]!;
      const label = `${size} (${skip ? 'guard' : 'schema'})`;
      expect(r.code, label).not.toBe(0);
      if (skip) expect(r.stderr, label).toContain(`persistence.size "${size}" is below the minimum of 100Mi`);
      else expect(r.stderr, label).toMatch(/persistence[./]size/);
    });
  });

  it('rejects a size that is not a quantity, in both layers', async () => {
    for (const skip of [false, true]) {
      const r = await helmRun([
        'template', RELEASE, chartDir, '-n', NS, '--set-string', 'persistence.size=1Gb',
        ...(skip ? ['--skip-schema-validation'] : []),
      ]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(skip ? /persistence\.size "1Gb" is not a Kubernetes quantity/ : /persistence[./]size/);
    }
  });

  it.runIf(major === 4)('prints NOTES with the localhost URL and push commands (helm 4 client dry-run)', async () => {
    // helm 3.17 contacts a cluster even for --dry-run=client; helm 4 does not.
    const r = await helmRun([
      'install', RELEASE, chartDir, '-n', NS, '-f', devValues, '--dry-run=client',
      '--set', 'persistence.keep=true', '--set', 'persistence.hostPath=/var/lib/pallet-registry',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const notes = r.stdout.slice(r.stdout.indexOf('NOTES:'));
    expect(notes).toContain('curl -s http://localhost:5000/v2/');
    expect(notes).toContain('node port 30500');
    expect(notes).toContain('oras push --plain-http localhost:5000/');
    expect(notes).toContain('docker push localhost:5000/');
    expect(notes).toContain('registry-data-pallet');
    expect(notes).toContain('helm.sh/resource-policy: keep');
  });
});

describe('chart files', () => {
  it('values.yaml follows the seed values and the decisions taken', () => {
    const values = parse(readFileSync(path.join(chartDir, 'values.yaml'), 'utf8')) as Record<string, unknown>;
    expect(values).toMatchObject({
      image: { repository: 'registry', tag: '2.8.3', pullPolicy: 'IfNotPresent' },
      replicaCount: 1,
      service: { type: 'NodePort', port: 5000, nodePort: 30500 },
      persistence: {
        enabled: true,
        size: '1Gi',
        storageClassName: null,
        accessModes: ['ReadWriteOnce'],
        mountPath: '/var/lib/registry',
        keep: false,
        hostPath: null,
      },
      resources: { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
    });
  });

  it('README explains the nodePort choice and the persistence story', () => {
    const readme = readFileSync(path.join(chartDir, 'README.md'), 'utf8');
    expect(readme).toMatch(/30000-32767/);
    expect(readme).toMatch(/containerPort: 30500/);
    expect(readme).toMatch(/extraMounts/);
    expect(readme).toMatch(/helm\.sh\/resource-policy: keep/);
  });
});
