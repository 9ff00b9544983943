import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  expandPlaceholders,
  exposedProtectedPath,
  normalizeHostPath,
  quadletKeySince,
  quadletKeys,
  rootlessPathProblem,
  validateConfig,
} from '../src/index.js'

/** The config's placeholder, spelled apart from template syntax. */
const FILES = '$' + '{FILES_DIR}'

const base = {
  version: 1,
  admin: { ssh_keys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIHfTcrdK6PyhPLrqKNmRkAO2OkRmpVpUpxvBEthfD0B t'] },
  firewall: { inbound: { tcp: [443] } },
}

function codes(container: Record<string, unknown>, privileged = false, podmanVersion?: string) {
  const doc = { ...base, container: { app: { privileged, Container: { Image: 'ghcr.io/x/y:1', ...container } } } }
  const result = validateConfig(doc, podmanVersion === undefined ? {} : { podmanVersion })
  return result.ok ? [] : result.errors.map((e) => e.code)
}

describe('Quadlet key catalogue', () => {
  it('gates keys by Podman version', () => {
    expect(quadletKeys('Container', '5.4').has('Memory')).toBe(false)
    expect(quadletKeys('Container', '5.5').has('Memory')).toBe(true)
    expect(quadletKeys('Network', '5.5').has('InterfaceName')).toBe(false)
    expect(quadletKeys('Network', '5.6').has('InterfaceName')).toBe(true)
    expect(quadletKeys('Build', '5.7').has('BuildArg')).toBe(true)
    expect(quadletKeys('Container', '5.8').has('AppArmor')).toBe(true)
    expect(quadletKeys('Container', '6.0').has('AppArmor')).toBe(true)
    expect(quadletKeySince('Container', 'HttpProxy')).toBe('5.7')
  })

  it('reports a newer key with the version that added it, and typos with a suggestion', () => {
    expect(codes({ Memory: '1g' })).toEqual(['quadlet_key_unknown'])
    expect(codes({ Memory: '1g' }, false, '5.5')).toEqual([])
    const result = validateConfig({
      ...base,
      container: { app: { privileged: true, Container: { Image: 'x', PublishPorts: '80' } } },
    })
    expect(result.ok ? '' : result.errors[0]!.message).toContain('did you mean "PublishPort"')
  })

  it('refuses a malformed or older target version as a programming error', () => {
    expect(() => quadletKeys('Container', '5.3')).toThrow(RangeError)
    expect(() => quadletKeys('Container', 'latest')).toThrow(RangeError)
    expect(() => codes({}, false, '5.3')).toThrow(RangeError)
  })
})

describe('rootless boundary', () => {
  it.each([
    ['/run/user/1000/podman/podman.sock', '/run/user'],
    ['/var/run/docker.sock', '/run/docker.sock'],
    ['/run', '/run/user'],
    ['/', '/run/user'],
    ['/var/lib/appsvc/.config/containers/systemd', '/var/lib/appsvc'],
    ['/proc', '/proc'],
  ])('%s exposes %s', (path, exposed) => {
    expect(exposedProtectedPath(normalizeHostPath(path, '/'))?.path).toBe(exposed)
  })

  it('lets bundle files through', () => {
    expect(exposedProtectedPath(expandPlaceholders(`${FILES}/app/config.yaml`))).toBeUndefined()
    expect(codes({ Volume: `${FILES}/a:/a:ro` })).toEqual([])
  })

  it('refuses every key and value that could leave the boundary', () => {
    expect(codes({ PodmanArgs: '--network=host' })).toEqual(['rootless_key_forbidden'])
    expect(codes({ Image: '--privileged' })).toEqual(['quadlet_image_invalid'])
    expect(codes({ Volume: '%t/podman/podman.sock:/s' })).toContain('rootless_value_specifier')
    expect(codes({ Mount: 'type=bind,src=/run/podman,dst=/p' })).toEqual(['rootless_mount_protected'])
    expect(codes({ LogOpt: 'path=/var/lib/appsvc/.bashrc' })).toEqual(['rootless_mount_protected'])
    expect(codes({ Volume: './x:/x' })).toEqual(['rootless_path_relative'])
  })

  it('checks a source that starts with a placeholder like any other host path', () => {
    const config = '$' + '{CONFIG_DIR}'
    expect(codes({ Volume: `${config}/../../run/user/1000:/u` })).toEqual(['rootless_path_parent'])
    expect(codes({ Volume: `${FILES}/../../../proc/1/root:/r` })).toEqual(['rootless_path_parent'])
    expect(codes({ Volume: `${FILES}/a\\:/a` })).toEqual(['quadlet_path_backslash'])
    expect(codes({ Volume: `${FILES}/a\\:/a` }, true)).toEqual(['quadlet_path_backslash'])
    expect(codes({ HealthLogDestination: `${FILES}/../../../var/lib/appsvc` })).toEqual(['rootless_path_parent'])
  })

  it('refuses paths through links the kernel follows, which text normalisation cannot see', () => {
    expect(codes({ Mount: 'type=bind,source=/dev/fd/../../self/root/run/user,target=/u' })).toEqual([
      'rootless_path_parent',
    ])
    for (const path of ['/dev/fd/3', '/dev/stdout', '/dev/core', '/etc/mtab', '/proc/self/root', '/sys/kernel']) {
      expect(codes({ Volume: `${path}:/x` }), path).toEqual(['rootless_mount_protected'])
    }
    expect(codes({ Volume: '/tmp/link:/x' })).toEqual(['rootless_mount_protected'])
    expect(codes({ Volume: '/tmp:/x', AddDevice: '/dev/fuse' })).toEqual([])
  })

  it('judges a host path the same in every key and form that names one', () => {
    const pieces = ['..', '.', 'a', 'run', 'user', 'proc', 'dev', 'fd', 'tmp', 'var', 'sys', 'data', '']
    const start = fc.constantFrom('/', '$' + '{CONFIG_DIR}/', `${FILES}/`, './')
    const forms: readonly ((p: string) => Record<string, unknown>)[] = [
      (p) => ({ Volume: `${p}:/x` }),
      (p) => ({ Mount: `type=bind,source=${p},target=/x` }),
      (p) => ({ EnvironmentFile: p }),
      (p) => ({ SeccompProfile: p }),
      (p) => ({ AddDevice: `${p}:/dev/x` }),
      (p) => ({ HealthLogDestination: p }),
      (p) => ({ LogOpt: `path=${p}` }),
    ]
    fc.assert(
      fc.property(start, fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 6 }), (head, parts) => {
        const path = head + parts.join('/')
        const expected = rootlessPathProblem(expandPlaceholders(path))?.code
        for (const form of forms)
          expect(codes(form(path)), `${path} ${JSON.stringify(form(path))}`).toEqual(expected ? [expected] : [])
      }),
      { numRuns: 300 },
    )
  })

  it('allows in rootful containers what only rootless ones must not do', () => {
    expect(codes({ PodmanArgs: '--network=host', Volume: '/run/podman/podman.sock:/s' }, true)).toEqual([])
  })

  it('never throws, whatever the section holds', () => {
    const value = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.array(fc.string(), { maxLength: 3 }))
    fc.assert(
      fc.property(fc.dictionary(fc.string(), value, { maxKeys: 5 }), fc.boolean(), (section, privileged) => {
        validateConfig({ ...base, container: { app: { privileged, Container: section } } })
      }),
    )
  })
})
