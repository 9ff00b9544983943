/**
 * RAUC with the nix/lib texts: a bundle made by `rauc bundle` from dummy boot and rootfs images, the `raucManifest`
 * of nix/lib and a throw-away openssl CA (made here, in a temporary directory) is accepted by `rauc info` with the
 * nix/lib `raucSystemConf` and the CA as keyring; another CA's signature, a tampered bundle, a plain bundle and a
 * wrong `compatible` are refused by the real rauc.
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { nixLib, nixLibError, run, runOk } from './support/nix.js'
import { describeSystem } from './support/system.js'

describeSystem(
  'RAUC bundles from the nix/lib manifest and system.conf',
  { root: true, commands: ['nix-instantiate', 'rauc', 'openssl', 'mksquashfs', 'mkfs.vfat', 'dbus-run-session'] },
  () => {
    let dir: string
    let systemConf: string
    const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')

    /** A CA and a signer certificate issued by it, both throw-away (EC P-256, valid two days). */
    function makeCa(name: string): { ca: string; cert: string; key: string } {
      const base = join(dir, name)
      const ca = `${base}-ca.cert.pem`
      const caKey = `${base}-ca.key.pem`
      const cert = `${base}-signer.cert.pem`
      const key = `${base}-signer.key.pem`
      const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
      runOk(
        'openssl',
        ['req', '-x509', ...ec, '-keyout', caKey, '-out', ca, '-days', '2'].concat([
          '-subj',
          `/O=AtomicNix test/CN=${name} CA`,
          '-addext',
          'basicConstraints=critical,CA:true',
          '-addext',
          'keyUsage=critical,keyCertSign,cRLSign',
        ]),
      )
      runOk('openssl', [
        'req',
        ...ec,
        '-keyout',
        key,
        '-out',
        `${base}.csr`,
        '-subj',
        `/O=AtomicNix test/CN=${name} signer`,
      ])
      writeFileSync(`${base}.ext`, 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n')
      runOk(
        'openssl',
        ['x509', '-req', '-in', `${base}.csr`, '-CA', ca, '-CAkey', caKey, '-CAcreateserial'].concat([
          '-out',
          cert,
          '-days',
          '2',
          '-extfile',
          `${base}.ext`,
        ]),
      )
      return { ca, cert, key }
    }

    let good: ReturnType<typeof makeCa>
    let other: ReturnType<typeof makeCa>
    let images: { rootfs: string; boot: string }

    /** A content directory with the two dummy images and a manifest, bundled and signed. */
    function bundle(name: string, manifest: string, signer = good): string {
      const content = join(dir, `${name}.content`)
      mkdirSync(content)
      runOk('cp', [images.rootfs, images.boot, content])
      writeFileSync(join(content, 'manifest.raucm'), manifest)
      const out = join(dir, `${name}.raucb`)
      runOk('rauc', ['bundle', '--cert', signer.cert, '--key', signer.key, content, out])
      return out
    }

    function manifest(version: string, compatibleOverride?: string): string {
      const text = nixLib<string>('raucManifest', {
        str: { version },
        expr: {
          images: `{ rootfs = { filename = "rootfs.squashfs"; sha256 = "${sha256(images.rootfs)}"; size = ${statSync(images.rootfs).size}; }; boot = { filename = "boot.vfat"; sha256 = "${sha256(images.boot)}"; }; }`,
        },
      })
      return compatibleOverride === undefined
        ? text
        : text.replace('compatible=atomicnix-rock64', `compatible=${compatibleOverride}`)
    }

    function info(bundleFile: string, keyring = good.ca) {
      return run('rauc', ['info', '--conf', systemConf, '--keyring', keyring, bundleFile])
    }

    function flipByte(file: string, offset: number): string {
      const copy = `${file}.tampered-${offset}`
      const data = readFileSync(file)
      data[offset] = data[offset]! ^ 0xff
      writeFileSync(copy, data)
      return copy
    }

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'atomicnix-rauc-'))
      good = makeCa('good')
      other = makeCa('other')
      // The nix/lib system.conf, with the keyring pointed at the throw-away CA.
      systemConf = join(dir, 'system.conf')
      writeFileSync(systemConf, nixLib<string>('raucSystemConf', { str: { keyringPath: good.ca } }))
      // Dummy images: a zstd squashfs root with some incompressible bytes, and a small vfat boot partition.
      const root = join(dir, 'root')
      mkdirSync(root)
      writeFileSync(join(root, 'os-release'), 'ID=atomicnix\n')
      writeFileSync(
        join(root, 'payload'),
        // Incompressible but reproducible: 256 KiB of SHA-256 digests (rauc needs over 4 KiB of compressed payload).
        Buffer.concat(Array.from({ length: 8192 }, (_, n) => createHash('sha256').update(`block ${n}`).digest())),
      )
      images = { rootfs: join(dir, 'rootfs.squashfs'), boot: join(dir, 'boot.vfat') }
      runOk('mksquashfs', [root, images.rootfs, '-comp', 'zstd', '-noappend', '-quiet'])
      runOk('mkfs.vfat', ['-C', images.boot, '1024'])
    })

    afterAll(() => {
      if (dir) rmSync(dir, { recursive: true, force: true })
    })

    it('the system.conf names the U-Boot backend, verity-only bundles and the A/B slot pairs', () => {
      const conf = readFileSync(systemConf, 'utf8')
      expect(conf).toContain('[system]\ncompatible=atomicnix-rock64\nbootloader=uboot\nbundle-formats=-plain\n')
      expect(conf).toMatch(/\[slot\.rootfs\.0\]\ndevice=\/dev\/disk\/by-partlabel\/rootfs-a\ntype=raw\nbootname=A/)
      expect(conf).toMatch(/\[slot\.boot\.1\]\ndevice=\/dev\/disk\/by-partlabel\/boot-b\ntype=raw\nparent=rootfs\.1/)
    })

    it('a bundle from the nix/lib manifest and the throw-away CA is accepted by rauc info', () => {
      const b = bundle('good', manifest('1.2.3'))
      const r = info(b)
      expect(r.status, r.stderr).toBe(0)
      expect(r.stdout).toContain("Compatible: \t'atomicnix-rock64'")
      expect(r.stdout).toContain("Version:    \t'1.2.3'")
      expect(r.stdout).toMatch(/Bundle Format: \tverity/)
      expect(r.stdout).toContain(`Checksum:  ${sha256(images.rootfs)}`)
      expect(r.stdout).toContain(`Checksum:  ${sha256(images.boot)}`)
      expect(r.stderr).toContain("Verified inline signature by 'O = AtomicNix test, CN = good signer'")
      // The whole payload checks out too: rauc extract verifies it against the signed verity hash tree.
      const out = join(dir, 'good.extracted')
      const x = run('rauc', ['extract', '--conf', systemConf, '--keyring', good.ca, b, out])
      expect(x.status, x.stderr).toBe(0)
      expect(sha256(join(out, 'rootfs.squashfs'))).toBe(sha256(images.rootfs))
    })

    it('a bundle signed by another CA is refused', () => {
      const b = bundle('other', manifest('1.2.3'), other)
      const r = info(b)
      expect(r.status).not.toBe(0)
      expect(r.stderr).toContain('signature verification failed')
      // The other CA's own keyring accepts it: the refusal is about the signer, not the bundle.
      expect(info(b, other.ca).status).toBe(0)
    })

    it('a tampered bundle is refused: in the signed manifest by rauc info, in the payload when it is read', () => {
      const b = join(dir, 'good.raucb')
      const size = statSync(b).size
      // Inside the CMS signature (which carries the manifest and the verity root hash), before the size trailer.
      const signed = info(flipByte(b, size - 8 - 64))
      expect(signed.status).not.toBe(0)
      // One byte of the rootfs image: rauc info checks only the signature of a verity bundle; the payload is checked
      // block by block wherever it is read (dm-verity while installing, the hash tree here).
      const payload = flipByte(b, 8192)
      expect(info(payload).status).toBe(0)
      const x = run('rauc', ['extract', '--conf', systemConf, '--keyring', good.ca, payload, join(dir, 'tampered.out')])
      expect(x.status).not.toBe(0)
      expect(x.stderr).toContain('bundle payload is corrupted')
    })

    it('a plain bundle is refused by the system.conf (bundle-formats=-plain)', () => {
      const b = bundle('plain', manifest('1.2.3').replace('format=verity', 'format=plain'))
      const r = info(b)
      expect(r.status).not.toBe(0)
      expect(`${r.stdout}${r.stderr}`).toContain("Bundle format 'plain' not allowed")
    })

    it('a wrong compatible is refused by rauc install', () => {
      // rauc install runs in `rauc service`, here on a private D-Bus session bus, with the booted slot given. RAUC
      // checks the compatible after mounting the bundle; a verity bundle needs device-mapper for that, which this
      // machine's kernel may lack: then a plain bundle is installed under a copy of the conf that allows plain (the
      // refusal is the same check). The slots point at files here, so nothing on this machine can be written.
      const dm = existsSync('/dev/mapper/control')
      const slots = join(dir, 'slots')
      mkdirSync(slots)
      let conf = readFileSync(systemConf, 'utf8')
        .replace(/^device=\/dev\/disk\/by-partlabel\/(.*)$/gm, (_, name: string) => {
          writeFileSync(join(slots, name), '')
          return `device=${join(slots, name)}`
        })
        .replace('data-directory=/data/rauc', `data-directory=${join(dir, 'rauc-data')}`)
      if (!dm) conf = conf.replace('bundle-formats=-plain', 'bundle-formats=plain verity')
      const installConf = join(dir, 'install.conf')
      writeFileSync(installConf, conf)
      const wrong = bundle(
        'wrong-compatible',
        dm
          ? manifest('1.2.4', 'other-board')
          : manifest('1.2.4', 'other-board').replace('format=verity', 'format=plain'),
      )
      const script = join(dir, 'install.sh')
      writeFileSync(
        script,
        [
          'export DBUS_STARTER_BUS_TYPE=session',
          `rauc --conf=${installConf} --keyring=${good.ca} service --override-boot-slot=A >${join(dir, 'service.log')} 2>&1 &`,
          'pid=$!',
          "trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT",
          'for i in $(seq 100); do rauc status >/dev/null 2>&1 && break; sleep 0.1; done',
          `rauc install ${wrong}`,
        ].join('\n'),
      )
      const r = run('dbus-run-session', ['--', 'bash', script])
      expect(r.status).not.toBe(0)
      expect(r.stdout + r.stderr).toContain(
        "Compatible mismatch: Expected 'atomicnix-rock64' but bundle manifest has 'other-board'",
      )
      for (const name of ['boot-a', 'boot-b', 'rootfs-a', 'rootfs-b']) expect(statSync(join(slots, name)).size).toBe(0)
    })

    it('raucManifest refuses what would corrupt the manifest', () => {
      const bad = nixLibError('raucManifest', { str: { version: '1.0\n[image.x]' } })
      expect(bad.status).not.toBe(0)
      expect(bad.stderr).toContain('version must be a plain token')
      const digest = nixLibError('raucManifest', {
        str: { version: '1' },
        expr: { images: '{ rootfs = { filename = "r"; sha256 = "XYZ"; }; boot = { filename = "b"; }; }' },
      })
      expect(digest.stderr).toContain('sha256 must be 64 lower-case hex digits')
    })
  },
)
