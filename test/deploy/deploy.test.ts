// The deploy files cannot be exercised here (no Docker, no cluster, no systemd): check what can be — they
// parse, reference files that exist, run what the package runs, and the shipped config validates.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadText, describeIssues } from '../config/load.js';
import { ROOT } from '../helpers/cli.js';

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string>; engines: { node: string } };

describe('deploy/Dockerfile', () => {
  const text = read('deploy/Dockerfile');
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

  test('is multi-stage on node:20-slim and runs as a non-root user', () => {
    const froms = instructions.filter((line) => line.startsWith('FROM '));
    expect(froms).toEqual(['FROM node:20-slim AS build', 'FROM node:20-slim']);
    expect(pkg.engines.node).toBe('>=20.19');
    const user = instructions.filter((line) => line.startsWith('USER ')).at(-1);
    expect(user).toBe('USER node');
  });

  test('copies only files that exist, and runs what npm start runs', () => {
    for (const line of instructions.filter((entry) => entry.startsWith('COPY ') && !entry.includes('--from='))) {
      const sources = line.replace(/^COPY\s+/, '').split(/\s+/).slice(0, -1);
      for (const source of sources) expect(existsSync(join(ROOT, source)), `${line}: ${source}`).toBe(true);
    }
    const cmd = instructions.find((line) => line.startsWith('CMD '))!;
    expect(JSON.parse(cmd.slice(4)).join(' ')).toBe(pkg.scripts.start);
    expect(pkg.scripts.build).toBe('tsc -p tsconfig.build.json');
    expect(instructions).toContain('RUN npm run build && npm prune --omit=dev');
    // Every dependency with an install script is rebuilt after `npm ci --ignore-scripts`.
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { hasInstallScript?: boolean }> };
    const scripted = Object.entries(lock.packages).filter(([, entry]) => entry.hasInstallScript).map(([path]) => path.replace(/^node_modules\//, ''));
    expect(instructions).toContain(`RUN npm ci --ignore-scripts && npm rebuild ${scripted.join(' ')}`);
  });

  test('has a HEALTHCHECK against /healthz that needs no curl', () => {
    const check = instructions.find((line) => line.startsWith('HEALTHCHECK '))!;
    expect(check).toContain('http://127.0.0.1:3000/healthz');
    const command = JSON.parse(check.slice(check.indexOf('CMD ') + 4)) as string[];
    expect(command[0]).toBe('node');
    expect(() => new Function(command[2]!)).not.toThrow();
  });
});

describe('deploy/systemd/mcpeg.service', () => {
  const text = read('deploy/systemd/mcpeg.service');
  const settings = new Map<string, string[]>();
  let section = '';
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const header = /^\[(\w+)\]$/.exec(trimmed);
    if (header) {
      section = header[1]!;
      continue;
    }
    const match = /^([A-Za-z]+)=(.*)$/.exec(trimmed);
    expect(match, `not Key=Value: ${trimmed}`).not.toBeNull();
    const key = `${section}.${match![1]}`;
    settings.set(key, [...(settings.get(key) ?? []), match![2]!]);
  }

  test('starts mcpeg serve, reloads with SIGHUP, and stops with SIGTERM in time to drain', () => {
    expect(settings.get('Service.ExecStart')![0]).toMatch(/mcpeg serve --config \/etc\/mcpeg\/mcpeg\.yaml$/);
    expect(settings.get('Service.ExecReload')).toEqual(['/bin/kill -HUP $MAINPID']);
    expect(settings.get('Service.KillSignal')).toEqual(['SIGTERM']);
    expect(Number(settings.get('Service.TimeoutStopSec')![0])).toBeGreaterThan(10);
    expect(settings.get('Install.WantedBy')).toEqual(['multi-user.target']);
  });

  test('is hardened and not root', () => {
    expect(settings.get('Service.User')).toEqual(['mcpeg']);
    for (const key of ['NoNewPrivileges', 'ProtectHome', 'PrivateTmp', 'PrivateDevices', 'RestrictSUIDSGID', 'LockPersonality']) {
      expect(settings.get(`Service.${key}`), key).toEqual(['yes']);
    }
    expect(settings.get('Service.ProtectSystem')).toEqual(['strict']);
    expect(settings.get('Service.CapabilityBoundingSet')).toEqual(['']);
    // Node raises its open-files limit at start (setrlimit) and V8 writes code at run time.
    expect(settings.get('Service.SystemCallFilter')!.join(' ')).not.toContain('@resources');
    expect(settings.get('Service.MemoryDenyWriteExecute')).toEqual(['no']);
  });
});

describe('deploy/kubernetes', () => {
  const dir = join(ROOT, 'deploy/kubernetes');
  const docs = readdirSync(dir)
    .filter((name) => name.endsWith('.yaml'))
    .flatMap((name) =>
      parseAllDocuments(readFileSync(join(dir, name), 'utf8')).map((doc) => {
        expect(doc.errors, name).toEqual([]);
        return { name, value: doc.toJS() as Record<string, any> };
      }),
    );
  const kind = (wanted: string) => docs.find((doc) => doc.value.kind === wanted)!.value;

  test('every manifest parses and has apiVersion, kind and a name', () => {
    expect(docs.map((doc) => doc.value.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'Kustomization', 'Secret', 'Service']);
    for (const { name, value } of docs) {
      expect(value.apiVersion, name).toBeTruthy();
      if (value.kind !== 'Kustomization') expect(value.metadata?.name, name).toBeTruthy();
    }
    const kustomization = kind('Kustomization');
    for (const resource of kustomization.resources as string[]) expect(existsSync(join(dir, resource)), resource).toBe(true);
  });

  test('the Deployment probes /healthz and /readyz, mounts the ConfigMap as a folder, and runs non-root', () => {
    const deployment = kind('Deployment');
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];
    expect(deployment.spec.selector.matchLabels).toEqual(deployment.spec.template.metadata.labels);
    expect(container.livenessProbe.httpGet).toMatchObject({ path: '/healthz', port: 'http' });
    expect(container.readinessProbe.httpGet).toMatchObject({ path: '/readyz', port: 'http' });
    expect(container.ports[0]).toMatchObject({ name: 'http', containerPort: 3000 });
    const mount = container.volumeMounts.find((entry: { name: string }) => entry.name === 'config');
    expect(mount).toEqual({ name: 'config', mountPath: '/etc/mcpeg', readOnly: true });
    expect(mount.subPath).toBeUndefined(); // a subPath mount never sees ConfigMap updates
    expect(pod.volumes.find((volume: { name: string }) => volume.name === 'config').configMap.name).toBe(kind('ConfigMap').metadata.name);
    expect([...container.command, ...container.args].join(' ')).toBe(`${pkg.scripts.start} --config /etc/mcpeg/mcpeg.yaml`);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(container.envFrom[0].secretRef.name).toBe(kind('Secret').metadata.name);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(20);
    const service = kind('Service');
    expect(service.spec.selector).toEqual(deployment.spec.template.metadata.labels);
  });

  test('the config in the ConfigMap validates, with the Secret’s variables set', async () => {
    const secret = kind('Secret').stringData as Record<string, string>;
    const result = await loadText(kind('ConfigMap').data['mcpeg.yaml'], { env: secret, origin: '/etc/mcpeg/mcpeg.yaml' });
    if (!result.ok) expect.fail(`the ConfigMap's mcpeg.yaml must validate:\n${describeIssues(result.issues)}`);
    expect(result.config.server.http.host).toBe('0.0.0.0');
    expect(result.config.server.admin.enabled).toBe(true);
    expect(result.config.services.find((service) => service.name === 'demo')?.healthCheck).toEqual({ intervalMs: 30_000, timeoutMs: 5000 });
  });
});
