import { quadletKeys } from '@atomicnix/config-schema'
import fc from 'fast-check'

/** Characters that have meant trouble in unit files, shells, TOML or Unicode handling. */
const HOSTILE_CHARS = [
  'a',
  'Z',
  '0',
  '7',
  ' ',
  '\t',
  '\n',
  '\r',
  '\u0000',
  '\\',
  '"',
  "'",
  '%',
  '$',
  ';',
  '#',
  '[',
  ']',
  '=',
  ':',
  '/',
  '.',
  '-',
  ',',
  '{',
  '}',
  '*',
  'é',
  '€',
  '𝄞',
  '\u2028',
  '\u00a0',
  '\u0085',
  '\ufeff',
  '\u007f',
  '\u200b',
]

const hostileString = fc.string({ unit: fc.constantFrom(...HOSTILE_CHARS), maxLength: 24 })

/** Long values: 10 KB plain, with spaces, specifiers or backslashes. */
const longString = fc.constantFrom('x'.repeat(10_240), 'a b'.repeat(3_414), '%%'.repeat(5_120), 'a\\b'.repeat(3_400))

/** Spelled apart so that the placeholders below read as the config's syntax, not as template literals. */
const DOLLAR = '$'

/** `@` stands for the per-config prefix, so that many configs can share one generator run. */
const PLAUSIBLE: readonly (string | number | boolean)[] = [
  'ghcr.io/example/app:1',
  'docker.io/library/nginx:1.27',
  '10080:8080',
  '0.0.0.0:80:80',
  '[::1]:8443:443',
  '[::]:8443:443',
  '127.0.0.2::53/udp',
  '9090',
  8080,
  '1000-1010:2000-2010',
  '1000-1010:2000',
  '10.0.0.1:80:80/sctp',
  'host',
  'pasta',
  'bridge',
  'none',
  'container:x',
  '@vol0.volume:/data',
  '@net0.network',
  '@img0.build',
  'localhost/@img0:latest',
  'missing.volume:/m',
  '/run/user/1000/podman/podman.sock:/var/run/docker.sock',
  '/:/host',
  '/run:/r',
  '/var/run/docker.sock:/d.sock',
  '/var/lib/appsvc/.config:/c',
  '/proc:/hostproc',
  './x:/x',
  '../../../../run/user:/u',
  `${DOLLAR}{CONFIG_DIR}/x:/x:ro`,
  `${DOLLAR}{FILES_DIR}/a:/a`,
  `$${DOLLAR}{CONFIG_DIR}`,
  // A placeholder followed by "..", and ".." after a kernel link: the path leaves the bundle once expanded.
  `${DOLLAR}{FILES_DIR}/../../../run/user:/u`,
  `${DOLLAR}{CONFIG_DIR}/../../var/lib/appsvc:/h`,
  `type=bind,source=${DOLLAR}{FILES_DIR}/../../../run/podman,target=/p`,
  '/dev/fd/../../self/root/run/user:/u',
  '/tmp/link:/t',
  'named:/data',
  'type=bind,source=/run/podman,target=/p',
  'type=bind,src=/data/config/files,dst=/f',
  'type=tmpfs,target=/t',
  'type=glob,src=/run/u*/*/podman/podman.sock,dst=/g',
  'type=volume,source=@vol0.volume,target=/v',
  'type=bind,source=/srv,target=/s,volume-opt=device=/run',
  '%h/x:/x',
  '%t/podman/podman.sock:/s',
  '%N',
  '100%%',
  '$HOME',
  '$$HOME',
  `${DOLLAR}{HOME}`,
  'A=b c',
  '"quoted value"',
  "it's",
  'a;b',
  '#x',
  ';x',
  '[Service]',
  'x\nExecStartPre=/bin/sh',
  'x\\',
  'KEY=VAL',
  'K="v w"',
  true,
  false,
  0,
  1,
  -1,
  65_536,
  '--network=host',
  '--privileged',
  'path=/run/user/1000/x',
  'tag=x path=/var/lib/appsvc/y',
  'NET_ADMIN',
  'ALL',
  'net.ipv4.ip_forward=1',
  'keep-id',
  'auto',
  'host-gateway',
  'default.target',
  'multi-user.target',
  'network-online.target',
  'x.service',
  '@app0.container',
  'registry',
  '10.89.0.0/24',
  '10.89.0.1',
  'image',
  'local',
  '/data/config/files/Containerfile',
  'Containerfile',
  'unit',
  'file',
  'yaml',
  'https://example.com/repo.git',
]

/** Hostile characters that validation lets through: the generator must convert them faithfully. */
const QUIET_CHARS = HOSTILE_CHARS.filter((c) => !/[\u0000-\u001f\u007f-\u009f]/.test(c))

/** Quiet strings avoid only what validation refuses outright: edge whitespace, a final backslash, a lone `$` or `%`. */
const quietString = fc.string({ unit: fc.constantFrom(...QUIET_CHARS), minLength: 1, maxLength: 24 }).map(
  (s) =>
    s
      .replaceAll('$', '$$$$')
      .replaceAll('%', '%%')
      .replace(/^\s+|[\s\\]+$/gu, '') || 'x',
)

const quietScalar = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...PLAUSIBLE) },
  { weight: 3, arbitrary: quietString },
  { weight: 1, arbitrary: longString },
)

const hostileScalar = fc.oneof({ weight: 3, arbitrary: quietScalar }, { weight: 1, arbitrary: hostileString })

function sectionValueOf(scalar: fc.Arbitrary<string | number | boolean>) {
  return fc.oneof(
    { weight: 3, arbitrary: scalar },
    { weight: 1, arbitrary: fc.array(scalar, { minLength: 1, maxLength: 3 }) },
  )
}

function section(keys: fc.Arbitrary<string>, value: fc.Arbitrary<unknown>, maxKeys: number) {
  return fc.uniqueArray(fc.tuple(keys, value), { maxLength: maxKeys, selector: ([k]) => k }).map((entries) => {
    const out: Record<string, unknown> = Object.create(null)
    for (const [k, v] of entries) out[k] = v
    return out
  })
}

/** Keys that are valid but that validation refuses in most combinations; kept for the hostile configs. */
const AWKWARD = new Set([
  'ServiceName',
  'Rootfs',
  'Group',
  'RemapUid',
  'RemapGid',
  'RemapUsers',
  'PodmanArgs',
  'GlobalArgs',
  'ContainersConfModule',
  'Pod',
  'Gateway',
  'IPRange',
  'Type',
  'Options',
  'Driver',
])
const NEWER = ['Memory', 'AppArmor', 'HttpProxy', 'ReloadCmd', 'Bogus', 'image', 'PublishPorts']
const FAVOURITES = [
  'Network',
  'PublishPort',
  'PublishPort',
  'Volume',
  'Volume',
  'Mount',
  'Label',
  'Environment',
  'Exec',
]

function keysOf(known: readonly string[], hostile: boolean) {
  const quiet = known.filter((k) => !AWKWARD.has(k))
  if (!hostile) return fc.constantFrom(...quiet)
  return fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...quiet) },
    { weight: 2, arbitrary: fc.constantFrom(...known.filter((k) => AWKWARD.has(k)), ...NEWER) },
    { weight: 1, arbitrary: hostileString },
  )
}

function configOf(hostile: boolean) {
  const value = sectionValueOf(hostile ? hostileScalar : quietScalar)
  const keys = (known: readonly string[]) => keysOf(known, hostile)
  const unitSection = section(keys(['Description', 'After', 'Wants', 'Documentation', 'ConditionPathExists']), value, 3)
  const installSection = section(keys(['WantedBy', 'RequiredBy']), value, 2)
  return fc.record({
    containers: fc.array(
      fc.record({
        privileged: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
        image: fc.oneof(
          { weight: 8, arbitrary: fc.constantFrom('ghcr.io/example/app:1', 'docker.io/library/redis:7') },
          { weight: 1, arbitrary: hostile ? hostileScalar : quietScalar },
        ),
        own: section(
          fc.oneof(
            { weight: 2, arbitrary: keys(quadletKeysList('Container')) },
            { weight: 1, arbitrary: fc.constantFrom(...FAVOURITES) },
          ),
          value,
          4,
        ),
        unit: fc.option(unitSection, { nil: undefined }),
        install: fc.option(installSection, { nil: undefined }),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    volume: fc.option(section(keys(quadletKeysList('Volume')), value, 2), { nil: undefined, freq: 2 }),
    network: fc.option(section(keys(quadletKeysList('Network')), value, 2), { nil: undefined, freq: 2 }),
    build: fc.option(section(keys(quadletKeysList('Build')), value, 2), { nil: undefined, freq: 2 }),
  })
}

function quadletKeysList(section: 'Container' | 'Volume' | 'Network' | 'Build'): string[] {
  return [...quadletKeys(section, '5.4')].filter((k) => k !== 'Image' && k !== 'ImageTag')
}

/** A config.toml document (as a plain value) whose units and values come from the hostile pools. */
export const hostileConfig = fc
  .oneof({ weight: 3, arbitrary: configOf(false) }, { weight: 2, arbitrary: configOf(true) })
  .map(({ containers, volume, network, build }) => {
    const doc: Record<string, unknown> = {
      version: 1,
      admin: { ssh_keys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIHfTcrdK6PyhPLrqKNmRkAO2OkRmpVpUpxvBEthfD0B test'] },
      firewall: { inbound: { tcp: [443] } },
      container: Object.fromEntries(
        containers.map((c, i) => [
          `@app${i}`,
          {
            privileged: c.privileged,
            Container: { Image: c.image, ...c.own },
            ...(c.unit ? { Unit: c.unit } : {}),
            ...(c.install ? { Install: c.install } : {}),
          },
        ]),
      ),
    }
    if (volume) doc.volume = { '@vol0': { Volume: volume } }
    if (network) doc.network = { '@net0': { Network: network } }
    if (build) {
      doc.build = {
        '@img0': { Build: { ImageTag: 'localhost/@img0:latest', File: '/data/config/files/Containerfile', ...build } },
      }
    }
    return doc
  })

/** Replaces the `@` placeholder in every key and string of a generated document. */
export function instantiate(value: unknown, prefix: string): unknown {
  if (typeof value === 'string') return value.replaceAll('@', prefix)
  if (Array.isArray(value)) return value.map((v) => instantiate(v, prefix))
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = Object.create(null)
    for (const key of Object.keys(value)) {
      Object.defineProperty(out, key.replaceAll('@', prefix), {
        value: instantiate((value as Record<string, unknown>)[key], prefix),
        enumerable: true,
        writable: true,
      })
    }
    return out
  }
  return value
}
