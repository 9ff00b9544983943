/**
 * The Quadlet keys that each Podman version accepts in the unit's own section. The 5.4 lists were read from the
 * generator's `supportedKeys` maps and confirmed key by key against the 5.4.2 `quadlet` binary (a key it does not
 * know fails with "unsupported key"); later additions come from Podman's release notes and the 5.8 binary.
 * See https://docs.podman.io/en/v5.4.0/markdown/podman-systemd.unit.5.html
 */

/** The Quadlet section that a unit kind owns. */
export type QuadletOwnSection = 'Container' | 'Network' | 'Volume' | 'Build'

/** The Podman version assumed when none is given (the version the oracle tests run). */
export const DEFAULT_PODMAN_VERSION = '5.4'

/** The oldest Podman version whose Quadlet catalogue is known here. */
export const MIN_PODMAN_VERSION = '5.4'

const BASE: Readonly<Record<QuadletOwnSection, readonly string[]>> = {
  Container: [
    'AddCapability',
    'AddDevice',
    'AddHost',
    'Annotation',
    'AutoUpdate',
    'CgroupsMode',
    'ContainerName',
    'ContainersConfModule',
    'DNS',
    'DNSOption',
    'DNSSearch',
    'DropCapability',
    'Entrypoint',
    'Environment',
    'EnvironmentFile',
    'EnvironmentHost',
    'Exec',
    'ExposeHostPort',
    'GIDMap',
    'GlobalArgs',
    'Group',
    'GroupAdd',
    'HealthCmd',
    'HealthInterval',
    'HealthLogDestination',
    'HealthMaxLogCount',
    'HealthMaxLogSize',
    'HealthOnFailure',
    'HealthRetries',
    'HealthStartPeriod',
    'HealthStartupCmd',
    'HealthStartupInterval',
    'HealthStartupRetries',
    'HealthStartupSuccess',
    'HealthStartupTimeout',
    'HealthTimeout',
    'HostName',
    'IP',
    'IP6',
    'Image',
    'Label',
    'LogDriver',
    'LogOpt',
    'Mask',
    'Mount',
    'Network',
    'NetworkAlias',
    'NoNewPrivileges',
    'Notify',
    'PidsLimit',
    'Pod',
    'PodmanArgs',
    'PublishPort',
    'Pull',
    'ReadOnly',
    'ReadOnlyTmpfs',
    'RemapGid',
    'RemapUid',
    'RemapUidSize',
    'RemapUsers',
    'Rootfs',
    'RunInit',
    'SeccompProfile',
    'Secret',
    'SecurityLabelDisable',
    'SecurityLabelFileType',
    'SecurityLabelLevel',
    'SecurityLabelNested',
    'SecurityLabelType',
    'ServiceName',
    'ShmSize',
    'StartWithPod',
    'StopSignal',
    'StopTimeout',
    'SubGIDMap',
    'SubUIDMap',
    'Sysctl',
    'Timezone',
    'Tmpfs',
    'UIDMap',
    'Ulimit',
    'Unmask',
    'User',
    'UserNS',
    'VolatileTmp',
    'Volume',
    'WorkingDir',
  ],
  Network: [
    'ContainersConfModule',
    'DNS',
    'DisableDNS',
    'Driver',
    'Gateway',
    'GlobalArgs',
    'IPAMDriver',
    'IPRange',
    'IPv6',
    'Internal',
    'Label',
    'NetworkName',
    'Options',
    'PodmanArgs',
    'ServiceName',
    'Subnet',
  ],
  Volume: [
    'ContainersConfModule',
    'Copy',
    'Device',
    'Driver',
    'GlobalArgs',
    'Group',
    'Image',
    'Label',
    'Options',
    'PodmanArgs',
    'ServiceName',
    'Type',
    'User',
    'VolumeName',
  ],
  Build: [
    'Annotation',
    'Arch',
    'AuthFile',
    'ContainersConfModule',
    'DNS',
    'DNSOption',
    'DNSSearch',
    'Environment',
    'File',
    'ForceRM',
    'GlobalArgs',
    'GroupAdd',
    'ImageTag',
    'Label',
    'Network',
    'PodmanArgs',
    'Pull',
    'Secret',
    'ServiceName',
    'SetWorkingDirectory',
    'TLSVerify',
    'Target',
    'Variant',
    'Volume',
  ],
}

/** Keys added after 5.4, by the release that added them (Podman's RELEASE_NOTES.md). */
const ADDED: readonly {
  readonly version: string
  readonly keys: Partial<Record<QuadletOwnSection, readonly string[]>>
}[] = [
  {
    version: '5.5',
    keys: {
      Container: ['Memory', 'ReloadCmd', 'ReloadSignal', 'Retry', 'RetryDelay'],
      Network: ['NetworkDeleteOnStop'],
      Build: ['Retry', 'RetryDelay'],
    },
  },
  { version: '5.6', keys: { Network: ['InterfaceName'] } },
  { version: '5.7', keys: { Container: ['HttpProxy'], Build: ['BuildArg', 'IgnoreFile'] } },
  { version: '5.8', keys: { Container: ['AppArmor'] } },
]

const VERSION = /^(0|[1-9][0-9]{0,3})\.(0|[1-9][0-9]{0,3})$/

/** Parses `major.minor` into comparable numbers; undefined when malformed. */
function parseVersion(version: string): readonly [number, number] | undefined {
  const m = VERSION.exec(version)
  return m ? [Number(m[1]), Number(m[2])] : undefined
}

function compareVersions(a: readonly [number, number], b: readonly [number, number]): number {
  return a[0] - b[0] || a[1] - b[1]
}

/** True when `version` is a `major.minor` string for which a catalogue exists (5.4 or newer). */
export function isSupportedPodmanVersion(version: string): boolean {
  const parsed = parseVersion(version)
  return parsed !== undefined && compareVersions(parsed, RELEASES[0]!.version) >= 0
}

/** The keys of every own section, as of one release. */
type Catalogue = Readonly<Record<QuadletOwnSection, ReadonlySet<string>>>

/** `previous` with `added` keys appended to each section. */
function extend(
  previous: Catalogue | undefined,
  added: Partial<Record<QuadletOwnSection, readonly string[]>>,
): Catalogue {
  const keys = (section: QuadletOwnSection) => new Set([...(previous?.[section] ?? []), ...(added[section] ?? [])])
  return { Container: keys('Container'), Network: keys('Network'), Volume: keys('Volume'), Build: keys('Build') }
}

/** Each known release with its whole catalogue (the 5.4 keys and every addition up to it), oldest first. */
const RELEASES: { readonly version: readonly [number, number]; readonly keys: Catalogue }[] = [
  { version: parseVersion(MIN_PODMAN_VERSION)!, keys: extend(undefined, BASE) },
]
for (const step of ADDED) {
  RELEASES.push({ version: parseVersion(step.version)!, keys: extend(RELEASES[RELEASES.length - 1]!.keys, step.keys) })
}

/**
 * The Quadlet keys of every own section for a Podman version: the newest release's catalogue that is not newer than
 * it. Throws a RangeError for a malformed or older version, which is a caller's mistake, not a config's.
 */
export function quadletCatalogue(version: string = DEFAULT_PODMAN_VERSION): Catalogue {
  // The default is what almost every call asks for: its catalogue is looked up once, when the module loads.
  return version === DEFAULT_PODMAN_VERSION ? DEFAULT_CATALOGUE : catalogueOf(version)
}

function catalogueOf(version: string): Catalogue {
  const parsed = parseVersion(version)
  if (parsed === undefined || compareVersions(parsed, RELEASES[0]!.version) < 0) {
    throw new RangeError(
      `Unsupported Podman version "${version}": expected "major.minor", ${MIN_PODMAN_VERSION} or newer.`,
    )
  }
  let found = RELEASES[0]!
  for (const release of RELEASES) if (compareVersions(release.version, parsed) <= 0) found = release
  return found.keys
}

const DEFAULT_CATALOGUE = catalogueOf(DEFAULT_PODMAN_VERSION)

/** Every key of every own section that some known Podman release accepts. */
export const ALL_QUADLET_KEYS: ReadonlySet<string> = new Set(
  (['Container', 'Network', 'Volume', 'Build'] as const).flatMap((section) => [
    ...RELEASES[RELEASES.length - 1]!.keys[section],
  ]),
)

/**
 * The keys the given Podman version's Quadlet accepts in `section`. A version newer than the newest known one gets
 * the newest catalogue: a key Podman adds later stays unknown until it is listed here. Throws a RangeError for a
 * malformed or older version, which is a caller's mistake, not a config's.
 */
export function quadletKeys(section: QuadletOwnSection, version: string = DEFAULT_PODMAN_VERSION): ReadonlySet<string> {
  return quadletCatalogue(version)[section]
}

/** The Podman version that added `key` to `section`, when a version after 5.4 did. */
export function quadletKeySince(section: QuadletOwnSection, key: string): string | undefined {
  return ADDED.find((step) => step.keys[section]?.includes(key))?.version
}
