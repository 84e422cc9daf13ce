#!/usr/bin/env node
// Builds an OCI image layout (and an OCI archive) of Waakhond for CPE container runtimes without a
// Docker engine: a distroless-style rootfs of this machine's node binary, tcpdump and the shared
// libraries they need (found with ldd), the bundle, and a non-root user; one reproducible layer.
//
//   node firmware-scripts/oci/build-oci.mjs [--bundle DIR] [--out DIR] [--node PATH] [--no-tcpdump] [--no-strip] [--gzip-level N]
//
// Output (default dist/oci/): waakhond/ (image layout: oci-layout, index.json, blobs/sha256/*),
// waakhond-VERSION-oci.tar (the same as one file, for `skopeo copy oci-archive:...` or `podman load`),
// runtime-config.json (an OCI runtime spec for crun/runc/LXC: uid 10001, only CAP_NET_RAW, no new
// privileges, a default-deny seccomp allowlist (seccomp.json), read-only rootfs, data volume),
// rootfs.tar.gz (the layer, for LXC-style runtimes).
// Specs: OCI image-spec v1.1 (image-layout.md, manifest.md, config.md: diff_ids are the sha256 of the
// uncompressed layer), OCI runtime-spec v1.1 (config.md, config-linux.md).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, realpathSync, rmSync, writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const argv = process.argv.slice(2);
const opt = (n, d) => { const i = argv.indexOf(n); return i >= 0 ? argv[i + 1] : d; };
const has = (n) => argv.includes(n);

const BUNDLE = path.resolve(opt('--bundle', path.join(ROOT, 'dist', 'bundle', 'waakhond')));
const OUT = path.resolve(opt('--out', path.join(ROOT, 'dist', 'oci')));
const NODE = realpathSync(opt('--node', process.execPath));
const UID = 10001;
const GZIP_LEVEL = Number(opt('--gzip-level', '9'));
const PREFIX = 'opt/waakhond';
const DATA = 'var/lib/waakhond';

// MALLOC_MMAP_THRESHOLD_: see firmware-scripts/pi/waakhond.service (glibc keeps freed scrypt buffers otherwise).
// The same for the image config and the runtime config, as for every other launcher (npm start, systemd, procd).
const ENV = ['PATH=/usr/local/bin:/usr/bin:/bin', 'NODE_ENV=production', 'MALLOC_MMAP_THRESHOLD_=131072'];

/** OCI architecture names (image-spec config.md, GOARCH values). */
const ARCH = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', riscv64: 'riscv64', ppc64: 'ppc64le', s390x: 's390x' }[process.arch];

const sha256 = (b) => createHash('sha256').update(b).digest('hex');
const epoch = Number(process.env.SOURCE_DATE_EPOCH
  ?? (spawnSync('git', ['log', '-1', '--format=%ct'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim() || 0));

// ---------------------------------------------------------------------------------------------
// A minimal tar writer (POSIX ustar + pax 'path'/'linkpath' records for long names), so every
// entry gets exactly the owner and mode we choose, reproducibly, with no root or fakeroot needed.

function octal(n, width) {
  return `${n.toString(8).padStart(width - 1, '0')}\0`;
}

function header(name, { type, mode, uid, gid, size, linkname = '' }) {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(mode, 8), 100);
  h.write(octal(uid, 8), 108);
  h.write(octal(gid, 8), 116);
  h.write(octal(size, 12), 124);
  h.write(octal(epoch, 12), 136);
  h.write('        ', 148); // checksum field counts as spaces while summing
  h.write(type, 156);
  h.write(linkname, 157, 100, 'utf8');
  h.write('ustar\0', 257);
  h.write('00', 263);
  h.write(uid === 0 ? 'root' : 'waakhond', 265);
  h.write(gid === 0 ? 'root' : 'waakhond', 297);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

function pad(buf) {
  const r = buf.length % 512;
  return r ? Buffer.concat([buf, Buffer.alloc(512 - r)]) : buf;
}

function paxRecord(key, value) {
  // "%d %s=%s\n" where %d counts the whole record including itself.
  const body = ` ${key}=${value}\n`;
  let len = body.length + 1;
  while (`${len}${body}`.length !== len) len++;
  return `${len}${body}`;
}

class Tar {
  constructor() { this.parts = []; this.entries = new Map(); }

  add(name, e) {
    if (this.entries.has(name)) return;
    this.entries.set(name, e);
  }

  dir(name, mode = 0o755, uid = 0) { this.add(`${name}/`, { type: '5', mode, uid, gid: uid, data: Buffer.alloc(0) }); }
  file(name, data, mode = 0o644, uid = 0) { this.add(name, { type: '0', mode, uid, gid: uid, data }); }
  symlink(name, target) { this.add(name, { type: '2', mode: 0o777, uid: 0, gid: 0, data: Buffer.alloc(0), linkname: target }); }

  /** Parent directories first, then everything sorted by name: the same bytes on every build. */
  toBuffer() {
    for (const name of [...this.entries.keys()]) {
      const parts = name.replace(/\/$/, '').split('/');
      for (let i = 1; i < parts.length; i++) {
        const d = `${parts.slice(0, i).join('/')}/`;
        if (!this.entries.has(d)) this.entries.set(d, { type: '5', mode: 0o755, uid: 0, gid: 0, data: Buffer.alloc(0) });
      }
    }
    const out = [];
    for (const name of [...this.entries.keys()].sort()) {
      const e = this.entries.get(name);
      const longName = Buffer.byteLength(name) > 100;
      const longLink = e.linkname && Buffer.byteLength(e.linkname) > 100;
      if (longName || longLink) {
        const pax = Buffer.from((longName ? paxRecord('path', name) : '') + (longLink ? paxRecord('linkpath', e.linkname) : ''));
        out.push(header('PaxHeader', { type: 'x', mode: 0o644, uid: 0, gid: 0, size: pax.length }), pad(pax));
      }
      out.push(header(name.slice(0, 100), { ...e, size: e.data.length, linkname: (e.linkname ?? '').slice(0, 100) }));
      if (e.data.length) out.push(pad(e.data));
    }
    out.push(Buffer.alloc(1024));
    return Buffer.concat(out);
  }
}

// ---------------------------------------------------------------------------------------------

function maybeStrip(file) {
  if (has('--no-strip')) return readFileSync(file);
  const tmp = path.join(OUT, `.strip-${path.basename(file)}`);
  const r = spawnSync('strip', ['--strip-unneeded', '-o', tmp, file]);
  if (r.status !== 0) return readFileSync(file);
  const b = readFileSync(tmp);
  rmSync(tmp);
  return b;
}

/** Shared libraries of an ELF binary (ldd), including the dynamic loader. */
function sharedLibs(bin) {
  const text = execFileSync('ldd', [bin], { encoding: 'utf8' });
  const libs = [];
  for (const line of text.split('\n')) {
    const m = line.match(/=>\s+(\/\S+)/) ?? line.match(/^\s+(\/\S+)\s+\(/);
    if (m) libs.push(m[1]);
  }
  return libs;
}

/** Adds a file at its own absolute path; a symlinked path is added as the link and its target. */
function addHostFile(tar, abs, mode) {
  const rel = abs.replace(/^\//, '');
  const st = lstatSync(abs);
  if (st.isSymbolicLink()) {
    const target = readlinkSync(abs);
    tar.symlink(rel, target);
    addHostFile(tar, path.resolve(path.dirname(abs), target), mode);
    return;
  }
  tar.file(rel, maybeStrip(abs), mode ?? (st.mode & 0o111 ? 0o755 : 0o644));
}

function addTree(tar, srcDir, destRel) {
  for (const name of readdirSync(srcDir).sort()) {
    const src = path.join(srcDir, name);
    const rel = `${destRel}/${name}`;
    const st = lstatSync(src);
    if (st.isDirectory()) { tar.dir(rel); addTree(tar, src, rel); } else if (st.isSymbolicLink()) tar.symlink(rel, readlinkSync(src));
    else tar.file(rel, readFileSync(src), st.mode & 0o111 ? 0o755 : 0o644);
  }
}

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function main() {
  if (!existsSync(path.join(BUNDLE, 'dist', 'waakhond.mjs'))) {
    console.error(`build-oci: ${BUNDLE} has no dist/waakhond.mjs: run npm run bundle first`);
    process.exit(2);
  }
  if (!ARCH) throw new Error(`build-oci: unknown architecture ${process.arch}`);
  const version = JSON.parse(readFileSync(path.join(BUNDLE, 'package.json'), 'utf8')).version;
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });

  const tar = new Tar();
  // Runtime: node (stripped of debug info) and its libraries at the paths the loader expects.
  tar.file('usr/local/bin/node', maybeStrip(NODE), 0o755);
  const libs = new Set(sharedLibs(NODE));
  let tcpdump = null;
  if (!has('--no-tcpdump')) {
    tcpdump = which('tcpdump');
    if (tcpdump) {
      tcpdump = realpathSync(tcpdump);
      // Live capture without the native addon runs `tcpdump -U -w -` (issue 6); /usr/bin is on PATH.
      tar.file('usr/bin/tcpdump', maybeStrip(tcpdump), 0o755);
      tar.symlink('usr/sbin/tcpdump', '../bin/tcpdump');
      for (const l of sharedLibs(tcpdump)) libs.add(l);
    } else console.warn('build-oci: tcpdump not found: the image can only read pcap files and stdin');
  }
  for (const l of [...libs].sort()) addHostFile(tar, l, 0o755);

  // Minimal /etc: users (non-root 10001), name resolution through glibc's built-in files/dns.
  tar.file('etc/passwd', Buffer.from(`root:x:0:0:root:/root:/sbin/nologin\nwaakhond:x:${UID}:${UID}:Waakhond:/${DATA}:/sbin/nologin\n`));
  tar.file('etc/group', Buffer.from(`root:x:0:\nwaakhond:x:${UID}:\n`));
  tar.file('etc/nsswitch.conf', Buffer.from('passwd: files\ngroup: files\nhosts: files dns\n'));
  tar.file('etc/hosts', Buffer.from('127.0.0.1 localhost\n::1 localhost\n'));
  tar.dir('tmp', 0o1777);
  tar.dir('var/lib');
  tar.dir(DATA, 0o750, UID);
  tar.dir('etc/waakhond');
  tar.file('etc/waakhond/config.json', Buffer.from('{}\n'), 0o644);

  tar.dir(PREFIX);
  addTree(tar, BUNDLE, PREFIX);

  const layer = tar.toBuffer();
  const layerGz = gzipSync(layer, { level: GZIP_LEVEL });
  const diffId = `sha256:${sha256(layer)}`;
  const created = new Date(epoch * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

  const entrypoint = ['/usr/local/bin/node', '--max-old-space-size=96', '--max-semi-space-size=1', `/${PREFIX}/dist/waakhond.mjs`];
  const cmd = ['run', '--iface', 'br-lan', '--data', `/${DATA}`, '--config', '/etc/waakhond/config.json'];
  const labels = {
    'org.opencontainers.image.title': 'waakhond',
    'org.opencontainers.image.description': 'Home-network IoT watchdog (passive capture, device inventory, Mirai detection, advice)',
    'org.opencontainers.image.version': version,
    'org.opencontainers.image.licenses': 'MIT',
    'org.opencontainers.image.created': created,
    // Image configs cannot grant capabilities: the runtime must (see runtime-config.json).
    'io.waakhond.capabilities': 'CAP_NET_RAW',
    'io.waakhond.network': 'host network namespace of the LAN bridge (or a netns holding it); never the WAN',
  };
  const config = {
    created,
    architecture: ARCH,
    os: 'linux',
    config: {
      User: `${UID}:${UID}`,
      Env: ENV,
      Entrypoint: entrypoint,
      Cmd: cmd,
      WorkingDir: `/${DATA}`,
      ExposedPorts: { '8080/tcp': {} },
      Volumes: { [`/${DATA}`]: {} },
      StopSignal: 'SIGTERM',
      Labels: labels,
    },
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created, created_by: 'firmware-scripts/oci/build-oci.mjs', comment: `node ${process.version}, waakhond ${version}` }],
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${sha256(configBytes)}`, size: configBytes.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${sha256(layerGz)}`, size: layerGz.length }],
    annotations: { 'org.opencontainers.image.version': version, 'org.opencontainers.image.created': created },
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const index = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: `sha256:${sha256(manifestBytes)}`,
      size: manifestBytes.length,
      platform: { architecture: ARCH, os: 'linux' },
      annotations: { 'org.opencontainers.image.ref.name': version },
    }],
  };

  const layout = path.join(OUT, 'waakhond');
  const blobs = path.join(layout, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  for (const b of [layerGz, configBytes, manifestBytes]) writeFileSync(path.join(blobs, sha256(b)), b);
  writeFileSync(path.join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(path.join(layout, 'index.json'), JSON.stringify(index, null, 2));
  writeFileSync(path.join(OUT, 'rootfs.tar.gz'), layerGz);

  // The layout as one tar (an "OCI archive").
  const arch = new Tar();
  arch.file('oci-layout', readFileSync(path.join(layout, 'oci-layout')));
  arch.file('index.json', readFileSync(path.join(layout, 'index.json')));
  for (const name of readdirSync(blobs).sort()) arch.file(`blobs/sha256/${name}`, readFileSync(path.join(blobs, name)));
  const archive = path.join(OUT, `waakhond-${version}-oci.tar`);
  writeFileSync(archive, arch.toBuffer());

  writeFileSync(path.join(OUT, 'runtime-config.json'), `${JSON.stringify(runtimeConfig(entrypoint, cmd), null, 2)}\n`);

  const mb = (n) => `${(n / 1048576).toFixed(1)} MiB`;
  const summary = { version, arch: ARCH, node: process.version, tcpdump: !!tcpdump, layer_bytes: layer.length, layer_gz_bytes: layerGz.length,
    manifest: index.manifests[0].digest, diff_id: diffId };
  writeFileSync(path.join(OUT, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  console.log(`build-oci: ${path.relative(ROOT, layout)} (${ARCH}): layer ${mb(layer.length)}, compressed ${mb(layerGz.length)}; ${path.relative(ROOT, archive)}`);
}

/** OCI runtime spec for the unpacked image: non-root, CAP_NET_RAW only, read-only root, data volume. */
function runtimeConfig(entrypoint, cmd) {
  const caps = ['CAP_NET_RAW'];
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: UID, gid: UID },
      args: [...entrypoint, ...cmd],
      env: ENV,
      cwd: `/${DATA}`,
      // Ambient so tcpdump, a child without file capabilities, keeps CAP_NET_RAW (capabilities(7)).
      capabilities: { bounding: caps, effective: caps, permitted: caps, inheritable: caps, ambient: caps },
      noNewPrivileges: true,
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 4096, soft: 4096 }],
    },
    root: { path: 'rootfs', readonly: true },
    hostname: 'waakhond',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'] },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=1777', 'size=16m'] },
      // Persistent data: replace the source with a host directory owned by uid 10001.
      { destination: `/${DATA}`, type: 'bind', source: '/srv/waakhond/data', options: ['rbind', 'rw', 'nosuid', 'nodev', 'noexec'] },
      { destination: '/etc/resolv.conf', type: 'bind', source: '/etc/resolv.conf', options: ['rbind', 'ro'] },
    ],
    linux: {
      // The LAN side: join the network namespace that holds the LAN bridge (here: the host's own,
      // by leaving out a network entry would mean a new empty one). Set the path for your CPE.
      namespaces: [
        { type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' },
        { type: 'network', path: '/proc/1/ns/net' },
      ],
      resources: { memory: { limit: 192 * 1048576 }, pids: { limit: 64 } },
      seccomp: seccompProfile(),
      maskedPaths: ['/proc/kcore', '/proc/keys', '/proc/timer_list', '/proc/sched_debug', '/sys/firmware', '/proc/scsi'],
      readonlyPaths: ['/proc/asound', '/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
}

/** libseccomp names of this machine's architecture (runtime-spec config-linux.md#seccomp). */
const SECCOMP_ARCH = { amd64: 'SCMP_ARCH_X86_64', arm64: 'SCMP_ARCH_AARCH64', arm: 'SCMP_ARCH_ARM', 386: 'SCMP_ARCH_X86',
  riscv64: 'SCMP_ARCH_RISCV64', ppc64le: 'SCMP_ARCH_PPC64LE', s390x: 'SCMP_ARCH_S390X' };

/**
 * linux.seccomp from seccomp.json: default EPERM; the allowlist; socket() only for the families the daemon
 * and tcpdump open; clone() only without namespace flags (a thread or a tcpdump child, never a new
 * namespace), and clone3() answered ENOSYS, whose flags seccomp cannot see, so glibc falls back to clone().
 */
function seccompProfile() {
  const data = JSON.parse(readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'seccomp.json'), 'utf8'));
  const allow = Object.values(data.allow).flat();
  const arch = SECCOMP_ARCH[ARCH];
  return {
    defaultAction: 'SCMP_ACT_ERRNO',
    ...(arch ? { architectures: [arch] } : {}),
    syscalls: [
      { names: allow, action: 'SCMP_ACT_ALLOW' },
      ...Object.values(data.socket_families).map((family) => ({
        names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: family, op: 'SCMP_CMP_EQ' }],
      })),
      // s390 passes clone's flags second; no s390 CPE runs this image.
      { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: data.clone_namespace_flags, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] },
      { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
    ],
  };
}

main();
