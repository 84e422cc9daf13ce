// The CPE container image: the OCI layout's digests, config and layer checked, unpacked by umoci (an
// independent implementation), and run by runc as uid 10001 with only CAP_NET_RAW in a test namespace.
import { createHash } from 'node:crypto';
import { chownSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FW, HAVE_LIVE, IS_ROOT, buildRealBundle, cleanTmp, describeNeeds, have, itNeeds, makeNetns, missingTools, run, stubBundle, tmpDir, udpBurst } from './helpers.js';

const BUILD = path.join(FW, 'oci', 'build-oci.mjs');
const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

interface Built { out: string; layout: string; real: boolean; bundle: string }

// Temporary trees go when the whole file is done: both suites share one image.
afterAll(cleanTmp);

let shared: Built | null = null;
/** One image for the whole file (each build strips and compresses ~100 MB); `from` forces a fresh one. */
function buildImage(from?: string): Built {
  if (!from && shared) return shared;
  const rb = from ? { bundle: from } : buildRealBundle(tmpDir('ob'));
  const bundle = rb.bundle ?? stubBundle(tmpDir('obs'));
  const out = tmpDir('oci');
  const r = run(process.execPath, [BUILD, '--bundle', bundle, '--out', out, '--gzip-level', '1'], { env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' } });
  if (r.status !== 0) throw new Error(`build-oci failed: ${r.stderr}`);
  const built = { out, layout: path.join(out, 'waakhond'), real: rb.bundle !== null, bundle };
  if (!from) shared = built;
  return built;
}

describe('OCI image layout', () => {
  let b: Built;
  let blob: (d: string) => Buffer;
  let manifest: any;
  let config: any;
  let layer: Buffer;
  beforeAll(() => {
    b = buildImage();
    blob = (d: string) => readFileSync(path.join(b.layout, 'blobs', 'sha256', d.replace('sha256:', '')));
  });

  it('has oci-layout 1.0.0 and an index naming one manifest by digest and size', () => {
    expect(JSON.parse(readFileSync(path.join(b.layout, 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
    const index = JSON.parse(readFileSync(path.join(b.layout, 'index.json'), 'utf8'));
    expect(index.schemaVersion).toBe(2);
    expect(index.manifests).toHaveLength(1);
    const m = index.manifests[0];
    const bytes = blob(m.digest);
    expect(sha(bytes)).toBe(m.digest);
    expect(bytes.length).toBe(m.size);
    expect(m.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(m.annotations['org.opencontainers.image.ref.name']).toMatch(/^\d+\.\d+\.\d+/);
    manifest = JSON.parse(bytes.toString());
  });

  it('every blob matches its digest and size; diff_id is the sha256 of the uncompressed layer', () => {
    const cfgBytes = blob(manifest.config.digest);
    expect(sha(cfgBytes)).toBe(manifest.config.digest);
    expect(cfgBytes.length).toBe(manifest.config.size);
    config = JSON.parse(cfgBytes.toString());
    const gz = blob(manifest.layers[0].digest);
    expect(sha(gz)).toBe(manifest.layers[0].digest);
    expect(gz.length).toBe(manifest.layers[0].size);
    expect(manifest.layers[0].mediaType).toBe('application/vnd.oci.image.layer.v1.tar+gzip');
    layer = gunzipSync(gz);
    expect(config.rootfs).toEqual({ type: 'layers', diff_ids: [sha(layer)] });
  });

  it('runs as a non-root user on this machine\'s architecture', () => {
    expect(config.os).toBe('linux');
    expect(config.architecture).toBe({ x64: 'amd64', arm64: 'arm64' }[process.arch as 'x64']);
    expect(config.config.User).toBe('10001:10001');
    expect(config.config.Entrypoint[0]).toBe('/usr/local/bin/node');
    expect(config.config.Cmd).toContain('--iface');
    expect(config.config.Labels['io.waakhond.capabilities']).toBe('CAP_NET_RAW');
  });

  it('the layer (read by GNU tar) holds node, its libraries, tcpdump, the bundle and a data dir owned by 10001', () => {
    const f = path.join(tmpDir('layer'), 'layer.tar');
    writeFileSync(f, layer);
    const lines = run('tar', ['-tvf', f, '--numeric-owner']).stdout.split('\n').filter(Boolean);
    const entry = (name: string) => lines.find((l) => l.endsWith(` ${name}`) || l.includes(` ${name} -> `));
    expect(entry('usr/local/bin/node')).toMatch(/^-rwxr-xr-x 0\/0 /);
    expect(entry('opt/waakhond/dist/waakhond.mjs')).toBeTruthy();
    expect(entry('var/lib/waakhond/')).toMatch(/^drwxr-x--- 10001\/10001 /);
    expect(entry('tmp/')).toMatch(/^drwxrwxrwt /);
    // build-oci.mjs copies this machine's tcpdump when there is one (and says so when not).
    expect(Boolean(entry('usr/bin/tcpdump')), 'tcpdump in the layer exactly when the build host has it').toBe(have('tcpdump'));
    expect(lines.every((l) => / (0\/0|10001\/10001) /.test(l))).toBe(true);
    const passwd = run('tar', ['-xOf', f, 'etc/passwd']).stdout;
    expect(passwd).toContain('waakhond:x:10001:10001:');
  });

  it('is reproducible: rebuilding from the same bundle gives the same manifest digest', () => {
    const again = buildImage(b.bundle);
    const idx = (l: string) => JSON.parse(readFileSync(path.join(l, 'index.json'), 'utf8')).manifests[0].digest;
    expect(idx(again.layout)).toBe(idx(b.layout));
  });

  it('ships a runtime config: uid 10001, CAP_NET_RAW only, no new privileges, read-only root', () => {
    const rc = JSON.parse(readFileSync(path.join(b.out, 'runtime-config.json'), 'utf8'));
    expect(rc.process.user).toEqual({ uid: 10001, gid: 10001 });
    for (const set of ['bounding', 'effective', 'permitted', 'inheritable', 'ambient']) expect(rc.process.capabilities[set]).toEqual(['CAP_NET_RAW']);
    expect(rc.process.noNewPrivileges).toBe(true);
    expect(rc.root.readonly).toBe(true);
    expect(rc.mounts.find((m: { destination: string }) => m.destination === '/var/lib/waakhond')).toBeTruthy();
  });

  it('the runtime config sets MALLOC_MMAP_THRESHOLD_ like the image config and the other launchers', () => {
    const rc = JSON.parse(readFileSync(path.join(b.out, 'runtime-config.json'), 'utf8'));
    expect(rc.process.env).toContain('MALLOC_MMAP_THRESHOLD_=131072');
    expect(rc.process.env).toEqual(config.config.Env);
    expect(readFileSync(path.join(FW, 'pi', 'waakhond.service'), 'utf8')).toContain('MALLOC_MMAP_THRESHOLD_=131072');
  });

  it('the runtime config carries a default-deny seccomp allowlist: no mount, ptrace, bpf, namespaces or io_uring', () => {
    const rc = JSON.parse(readFileSync(path.join(b.out, 'runtime-config.json'), 'utf8'));
    const sc = rc.linux.seccomp;
    expect(sc.defaultAction).toBe('SCMP_ACT_ERRNO');
    const SCMP: Record<string, string> = { amd64: 'SCMP_ARCH_X86_64', arm64: 'SCMP_ARCH_AARCH64', arm: 'SCMP_ARCH_ARM', 386: 'SCMP_ARCH_X86', riscv64: 'SCMP_ARCH_RISCV64', ppc64le: 'SCMP_ARCH_PPC64LE', s390x: 'SCMP_ARCH_S390X' };
    expect(sc.architectures).toEqual([SCMP[config.architecture]]);
    type Rule = { names: string[]; action: string; args?: { index: number; value: number; valueTwo?: number; op: string }[]; errnoRet?: number };
    const rules = sc.syscalls as Rule[];
    const plain = new Set(rules.filter((r) => r.action === 'SCMP_ACT_ALLOW' && !r.args).flatMap((r) => r.names));
    // What Node, libuv and libpcap/tcpdump cannot run without (strace of the daemon and of tcpdump capturing).
    for (const n of ['read', 'write', 'openat', 'mmap', 'futex', 'epoll_pwait', 'epoll_ctl', 'accept4', 'bind', 'setsockopt', 'recvfrom', 'sendto', 'poll', 'execve', 'wait4', 'fsync', 'rename', 'getrandom', 'exit_group']) {
      expect(plain, n).toContain(n);
    }
    for (const n of ['mount', 'umount2', 'pivot_root', 'unshare', 'setns', 'ptrace', 'bpf', 'kexec_load', 'init_module', 'keyctl', 'userfaultfd', 'io_uring_setup', 'perf_event_open', 'setpriority']) {
      expect(rules.some((r) => r.names.includes(n) && r.action === 'SCMP_ACT_ALLOW'), n).toBe(false);
    }
    // socket() only for AF_UNIX, AF_INET, AF_INET6, AF_NETLINK and AF_PACKET.
    const families = rules.filter((r) => r.names.includes('socket')).map((r) => { expect(r.args).toHaveLength(1); expect(r.args![0].op).toBe('SCMP_CMP_EQ'); return r.args![0].value; });
    expect(families.sort((x, y) => x - y)).toEqual([1, 2, 10, 16, 17]);
    // clone() only without CLONE_NEWNS/NEWCGROUP/NEWUTS/NEWIPC/NEWUSER/NEWPID/NEWNET; clone3() says ENOSYS.
    expect(rules.filter((r) => r.names.includes('clone'))).toEqual([
      { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0x7e020000, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] },
    ]);
    expect(rules.filter((r) => r.names.includes('clone3'))).toEqual([{ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 }]);
  });
});

// ------------------------------------------------------------------------------------------------

const RUNTIME = IS_ROOT && have('umoci') && have('runc') ? null
  : 'root, umoci and runc (apt-get install umoci runc; crun 1.8 refuses this machine\'s hybrid cgroups)';

describeNeeds('OCI image run by runc (uid 10001, CAP_NET_RAW, test namespace)', RUNTIME, () => {
  let b: Built;
  let bundleDir = '';
  let net: ReturnType<typeof makeNetns>;
  const ids: string[] = [];
  beforeAll(() => {
    b = buildImage();
    bundleDir = path.join(tmpDir('rt'), 'bundle');
    const ref = JSON.parse(readFileSync(path.join(b.layout, 'index.json'), 'utf8')).manifests[0].annotations['org.opencontainers.image.ref.name'];
    const r = run('umoci', ['unpack', '--image', `${b.layout}:${ref}`, bundleDir]);
    if (r.status !== 0) throw new Error(`umoci unpack: ${r.stderr}`);
    net = makeNetns('oci');
  });
  afterAll(() => {
    for (const id of ids) run('runc', ['delete', '-f', id]);
    net?.destroy();
  });

  /** Runs the image with our runtime config, args replaced, joined to the sensor namespace. */
  function runc(args: string[], opts: { caps?: string[]; mounts?: { destination: string; source: string }[]; timeoutMs?: number; seccomp?: false } = {}) {
    const rc = JSON.parse(readFileSync(path.join(b.out, 'runtime-config.json'), 'utf8'));
    rc.root.path = path.join(bundleDir, 'rootfs');
    rc.process.args = args;
    if (opts.caps) for (const set of Object.keys(rc.process.capabilities)) rc.process.capabilities[set] = opts.caps;
    if (opts.seccomp === false) delete rc.linux.seccomp;
    const data = tmpDir('cdata');
    chmodSync(data, 0o750);
    chownSync(data, 10001, 10001);
    rc.mounts = rc.mounts.filter((m: { destination: string }) => m.destination !== '/etc/resolv.conf')
      .map((m: { destination: string; source: string }) => (m.destination === '/var/lib/waakhond' ? { ...m, source: data } : m));
    for (const m of opts.mounts ?? []) rc.mounts.push({ ...m, type: 'bind', options: ['rbind', 'ro'] });
    rc.linux.namespaces = rc.linux.namespaces.map((n: { type: string }) => (n.type === 'network' ? { type: 'network', path: `/var/run/netns/${net.sensor}` } : n));
    const dir = tmpDir('rtc');
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify(rc));
    const id = `wk-test-${process.pid}-${ids.length}`;
    ids.push(id);
    return { id, dir };
  }

  it('node runs as uid 10001 with CAP_NET_RAW only (effective, ambient), no new privileges', () => {
    const c = runc(['/usr/local/bin/node', '-e',
      "const s=require('fs').readFileSync('/proc/self/status','utf8');console.log(JSON.stringify({uid:process.getuid(),gid:process.getgid(),v:process.version,s}))"]);
    const r = run('runc', ['run', '-b', c.dir, c.id], { timeout: 30_000 });
    expect(r.stderr).toBe('');
    const o = JSON.parse(r.stdout);
    expect([o.uid, o.gid]).toEqual([10001, 10001]);
    expect(o.v).toBe(process.version);
    const field = (k: string) => new RegExp(`^${k}:\\s*(\\S+)`, 'm').exec(o.s)?.[1];
    // CAP_NET_RAW is bit 13 (linux/capability.h): 0x2000.
    expect(field('CapEff')).toBe('0000000000002000');
    expect(field('CapAmb')).toBe('0000000000002000');
    expect(field('CapBnd')).toBe('0000000000002000');
    expect(field('NoNewPrivs')).toBe('1');
    expect(field('Seccomp')).toBe('2'); // filter mode: the runtime config's profile is loaded
  });

  it('the seccomp profile refuses what it does not list (setpriority: EPERM, though raising one\'s own nice value is always allowed)', () => {
    const probe = "try{require('os').setPriority(0,19);console.log('allowed')}catch(e){console.log((e.info&&e.info.code)||e.code||e.message)}";
    const c = runc(['/usr/local/bin/node', '-e', probe]);
    const r = run('runc', ['run', '-b', c.dir, c.id], { timeout: 30_000 });
    expect(r.stdout.trim(), r.stderr).toMatch(/EPERM|EACCES/);
    // The same probe without the profile succeeds, so the refusal above is the profile's.
    const open = runc(['/usr/local/bin/node', '-e', probe], { seccomp: false });
    expect(run('runc', ['run', '-b', open.dir, open.id], { timeout: 30_000 }).stdout.trim()).toBe('allowed');
  });

  itNeeds('captures on a veth in the test namespace with that capability', missingTools(['tcpdump'], 'apt-get install tcpdump'), async () => {
    const c = runc(['/usr/bin/tcpdump', '-p', '-n', '-i', net.ifSensor, '-c', '3', 'udp port 9999']);
    const { spawn } = await import('node:child_process');
    const p = spawn('runc', ['run', '-b', c.dir, c.id], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (x) => { out += x; });
    p.stderr.on('data', (x) => { out += x; });
    const done = new Promise<number | null>((resolve) => p.on('close', resolve));
    await new Promise((r) => setTimeout(r, 1500));
    run('ip', ['netns', 'exec', net.peer, process.execPath, '-e', udpBurst(net.ipSensor, 10)]);
    const code = await Promise.race([done, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000))]);
    if (code === 'timeout') run('runc', ['kill', c.id, 'KILL']);
    expect(code, out).toBe(0);
    expect(out).toContain('3 packets captured');
  });

  itNeeds('without CAP_NET_RAW the capture is refused', missingTools(['tcpdump'], 'apt-get install tcpdump'), () => {
    const c = runc(['/usr/bin/tcpdump', '-p', '-n', '-i', net.ifSensor, '-c', '1'], { caps: [] });
    const r = run('runc', ['run', '-b', c.dir, c.id], { timeout: 30_000 });
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/permission|not permitted/i);
  });

  describeNeeds('the daemon in the container', HAVE_LIVE ? null : 'live capture (sensor/capture/live.ts)', () => {
    it('captures live on the veth and counts the packets', async () => {
      if (!b.real) throw new Error('the real bundle did not build');
      const token = 'firmware-oci-test-token-0123';
      const cfgDir = tmpDir('ccfg');
      writeFileSync(path.join(cfgDir, 'config.json'), JSON.stringify({ metrics: { token } }));
      chmodSync(cfgDir, 0o755);
      const c = runc(['/usr/local/bin/node', '/opt/waakhond/dist/waakhond.mjs', 'run', '--iface', net.ifSensor, '--port', '8080',
        '--host', '127.0.0.1', '--data', '/var/lib/waakhond', '--config', '/etc/waakhond/config.json'],
      { mounts: [{ destination: '/etc/waakhond', source: cfgDir }] });
      const { spawn } = await import('node:child_process');
      const p = spawn('runc', ['run', '-b', c.dir, c.id], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } });
      let out = '';
      p.stdout.on('data', (x) => { out += x; });
      p.stderr.on('data', (x) => { out += x; });
      const metrics = () => run('ip', ['netns', 'exec', net.sensor, process.execPath, '-e',
        `fetch('http://127.0.0.1:8080/metrics',{headers:{authorization:'Bearer ${token}'}}).then(r=>r.text()).then(t=>console.log(t)).catch(()=>process.exit(1))`]).stdout;
      try {
        let up = false;
        for (let i = 0; i < 60 && !up; i++) { up = /waakhond_packets_total/.test(metrics()); if (!up) await new Promise((r) => setTimeout(r, 250)); }
        expect(up, out).toBe(true);
        run('ip', ['netns', 'exec', net.peer, process.execPath, '-e', udpBurst(net.ipSensor, 20)]);
        let n = 0;
        for (let i = 0; i < 40 && n < 20; i++) { n = Number(/^waakhond_packets_total (\d+)/m.exec(metrics())?.[1] ?? 0); if (n < 20) await new Promise((r) => setTimeout(r, 250)); }
        expect(n, out).toBeGreaterThanOrEqual(20);
        // The container's own interface (its MAC and address, read from the OS inside it) is never a device; the peer is.
        // (runc relays the container's stderr with some delay: wait for the peer's line.)
        const mac = (ns: string, dev: string) => /link\/ether ([0-9a-f:]{17})/.exec(run('ip', ['-n', ns, 'link', 'show', 'dev', dev]).stdout)?.[1] ?? 'none';
        for (let i = 0; i < 40 && !out.includes(`device: new ${mac(net.peer, net.ifPeer)}`); i++) await new Promise((r) => setTimeout(r, 250));
        expect(out).toContain(`inventory: the sensor itself (${mac(net.sensor, net.ifSensor)}, ${net.ipSensor}`);
        expect(out).toContain(`device: new ${mac(net.peer, net.ifPeer)}`);
        expect(out).not.toContain(`device: new ${mac(net.sensor, net.ifSensor)}`);
      } finally {
        run('runc', ['kill', c.id, 'TERM']);
        await Promise.race([new Promise((r) => p.on('close', r)), new Promise((r) => setTimeout(r, 10_000))]);
      }
    });
  });
});
