import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// The deployment artefacts of docs/deploy.md agree with each other: one shutdown budget, one
// health path, one port, the names the warm-up Job and REDIS_URL point at. Where the tool is
// installed, kubectl (offline `kustomize`) and systemd-analyze check the files themselves.
const root = resolve(__dirname, '../../..');
const read = (file: string) => readFileSync(join(root, 'docs/deploy', file), 'utf8');
const deployment = read('kubernetes/deployment.yaml');
const service = read('kubernetes/service.yaml');
const redis = read('kubernetes/redis.yaml');
const job = read('kubernetes/warm-job.yaml');

/** The first `key: value` (scalar) in a YAML text, quotes removed. */
function scalar(yaml: string, key: string): string {
  const match = new RegExp(`^\\s*-?\\s*${key}:\\s*"?([^"\\n#]*?)"?\\s*(?:#.*)?$`, 'm').exec(yaml);
  if (!match) throw new Error(`no ${key}`);
  return match[1]!.trim();
}

/** An env var's `value` in a container spec. */
function envValue(yaml: string, name: string): string {
  const match = new RegExp(`- name: ${name}\\n\\s+value: "?([^"\\n]*)"?`).exec(yaml);
  if (!match) throw new Error(`no env ${name}`);
  return match[1]!;
}

const installed = (command: string, args: string[]) => spawnSync(command, args, { stdio: 'ignore' }).status === 0;

describe('docs/deploy artefacts agree on one shutdown budget', () => {
  const shutdownMs = Number(envValue(deployment, 'SHUTDOWN_TIMEOUT_MS'));

  it('Kubernetes: terminationGracePeriodSeconds covers preStop + SHUTDOWN_TIMEOUT_MS + a margin', () => {
    const grace = Number(scalar(deployment, 'terminationGracePeriodSeconds'));
    const preStop = Number(/preStop:\s+exec:\s+command: \["sleep", "(\d+)"\]/.exec(deployment)?.[1]);
    expect(shutdownMs).toBe(25_000);
    expect(grace).toBeGreaterThanOrEqual(preStop + shutdownMs / 1000 + 5);
    expect(deployment).toContain(`+ 5 s margin  =  terminationGracePeriodSeconds ${grace}`);
  });

  it('the Dockerfile, PM2 and systemd use the same bound and stop later than it', () => {
    const dockerfile = read('docker/Dockerfile');
    expect(/SHUTDOWN_TIMEOUT_MS=(\d+)/.exec(dockerfile)?.[1]).toBe(String(shutdownMs));
    const pm2 = read('pm2/ecosystem.config.cjs');
    expect(scalar(pm2, 'SHUTDOWN_TIMEOUT_MS').replace(/'/g, '').replace(/,$/, '')).toBe(String(shutdownMs));
    expect(Number(/kill_timeout: ([\d_]+)/.exec(pm2)?.[1]?.replace(/_/g, ''))).toBeGreaterThan(shutdownMs);
    expect(/kill_signal: 'SIGTERM'/.test(pm2)).toBe(true);
    const unit = read('systemd/my-app.service');
    expect(/^Environment=SHUTDOWN_TIMEOUT_MS=(\d+)$/m.exec(unit)?.[1]).toBe(String(shutdownMs));
    expect(Number(/^TimeoutStopSec=(\d+)$/m.exec(unit)?.[1]) * 1000).toBeGreaterThan(shutdownMs);
  });
});

describe('docs/deploy/kubernetes: names, ports and probes', () => {
  it('probes /healthz on the named container port the Service targets', () => {
    expect(deployment.match(/path: \/healthz/g)).toHaveLength(2);
    expect(deployment.match(/port: http$/gm)).toHaveLength(2);
    expect(deployment).toMatch(/- name: http\n\s+containerPort: 4000/);
    expect(envValue(deployment, 'PORT')).toBe('4000');
    expect(scalar(service, 'targetPort')).toBe('http');
    expect(deployment).toContain('maxUnavailable: 0');
  });

  it('REDIS_URL names the Redis Service and port', () => {
    const url = new URL(envValue(deployment, 'REDIS_URL'));
    const redisService = redis.split('---').find((doc) => /kind: Service/.test(doc))!;
    expect(url.hostname).toBe(scalar(redisService, 'name'));
    expect(url.port).toBe(scalar(redisService, 'port'));
  });

  it('the warm-up Job runs isr-warm against the app Service, whose host the app accepts', () => {
    const args = [...job.matchAll(/^\s+- (\S+)$/gm)].map((match) => match[1]!);
    expect(args[0]).toBe('my-app:isr-warm');
    const base = new URL(args.find((arg) => arg.startsWith('--base-url='))!.slice('--base-url='.length));
    expect(base.hostname).toBe(scalar(service, 'name'));
    expect(base.port || '80').toBe(scalar(service, 'port'));
    expect(envValue(deployment, 'NG_ALLOWED_HOSTS').split(',')).toContain(base.hostname);
    expect(args).toContain('--public-origin=https://example.com');
    expect(scalar(job, 'restartPolicy')).toBe('Never');
  });

  const withKubectl = installed('kubectl', ['version', '--client']) ? it : it.skip;
  withKubectl('kubectl kustomize (offline) reads every manifest', () => {
    const built = spawnSync('kubectl', ['kustomize', join(root, 'docs/deploy/kubernetes')], { encoding: 'utf8', timeout: 60_000 });
    expect(built.stderr).toBe('');
    expect(built.stdout.match(/^kind: (\w+)$/gm)).toEqual(['kind: Service', 'kind: Service', 'kind: Deployment', 'kind: Deployment']);
    const dir = mkdtempSync(join(tmpdir(), 'ng-isr-kustomize-'));
    try {
      copyFileSync(join(root, 'docs/deploy/kubernetes/warm-job.yaml'), join(dir, 'warm-job.yaml'));
      writeFileSync(join(dir, 'kustomization.yaml'), 'resources:\n- warm-job.yaml\n');
      const jobBuilt = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', timeout: 60_000 });
      expect(jobBuilt.stderr).toBe('');
      expect(jobBuilt.stdout).toMatch(/^kind: Job$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('docs/deploy/systemd/my-app.service', () => {
  const withSystemd = installed('systemd-analyze', ['--version']) ? it : it.skip;
  withSystemd('passes systemd-analyze verify', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ng-isr-systemd-'));
    try {
      copyFileSync(join(root, 'docs/deploy/systemd/my-app.service'), join(dir, 'my-app.service'));
      const verified = spawnSync('systemd-analyze', ['verify', '--man=no', join(dir, 'my-app.service')], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      // It also checks that ExecStart's binary exists: /usr/bin/node on the machine running the test.
      const output = verified.stderr.split('\n').filter((line) => line && !/\/usr\/bin\/node is not executable/.test(line));
      expect(output).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
