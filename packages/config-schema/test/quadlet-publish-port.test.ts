import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatPublishPort, type PublishPort, parsePublishPort, rewritePublishPort } from '../src/index.js'

const port = fc.integer({ min: 1, max: 65535 })
const range = fc
  .tuple(port, fc.integer({ min: 0, max: 20 }))
  .filter(([first, length]) => first + length <= 65535)
  .map(([first, length]) => ({ first, last: first + length }))
const ipv4 = fc.ipV4()
const ipv6 = fc.ipV6().filter((ip) => !ip.includes('.'))

/** Every well-formed PublishPort, as a parsed value. */
const publishPort: fc.Arbitrary<PublishPort> = fc
  .record({
    hostIp: fc.option(fc.oneof(ipv4, ipv6, fc.constant('')), { nil: undefined }),
    container: range,
    withHostPort: fc.boolean(),
    protocol: fc.option(fc.constantFrom('tcp' as const, 'udp' as const, 'sctp' as const), { nil: undefined }),
  })
  .map(({ hostIp, container, withHostPort, protocol }) => {
    const out: { -readonly [K in keyof PublishPort]: PublishPort[K] } = { containerPort: container }
    if (hostIp !== undefined) out.hostIp = hostIp
    if (withHostPort || (hostIp === undefined && false)) out.hostPort = container
    if (protocol !== undefined) out.protocol = protocol
    return out
  })

describe('PublishPort grammar', () => {
  it('round-trips: parse(format(p)) is p', () => {
    fc.assert(
      fc.property(publishPort, (p) => {
        const parsed = parsePublishPort(formatPublishPort(p))
        expect(parsed).toEqual({ ok: true, value: p })
      }),
    )
  })

  it('accepts the forms Podman documents', () => {
    for (const text of ['80', '8080:80', '127.0.0.1:8080:80', '127.0.0.1::80', '[::1]:8080:80/udp', '1-3:4-6/sctp']) {
      expect(parsePublishPort(text).ok, text).toBe(true)
    }
  })

  it.each([
    ['80/http', 'invalid'],
    ['::1:80:80', 'invalid'],
    ['70000', 'invalid'],
    ['0', 'invalid'],
    ['10.0.0.1:80', 'invalid'],
    ['010.0.0.1:80:80', 'invalid'],
    ['[1.2.3.4]:80:80', 'invalid'],
    ['9-8', 'invalid'],
    ['1-3:4-7', 'range_length'],
    ['$PORT', 'expansion'],
    ['%i:80', 'expansion'],
  ])('rejects %s (%s)', (text, kind) => {
    const parsed = parsePublishPort(text)
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.error.kind).toBe(kind)
  })

  it('never throws on any string', () => {
    fc.assert(fc.property(fc.string(), (s) => void parsePublishPort(s)))
  })
})

describe('rootless PublishPort rewrite', () => {
  it.each([
    ['10080:8080', '127.0.0.1:10080:8080', 'publish_port_loopback'],
    ['0.0.0.0:80:80', '127.0.0.1:80:80', 'publish_port_loopback'],
    ['[::1]:80:80', '127.0.0.1:80:80', 'publish_port_loopback'],
    ['8080', '127.0.0.1::8080', 'publish_port_loopback_random'],
    [8080, '127.0.0.1::8080', 'publish_port_loopback_random'],
  ] as const)('%s becomes %s', (input, output, code) => {
    const rewrite = rewritePublishPort(input, ['container', 'x', 'Container', 'PublishPort', 0])
    expect(rewrite?.value).toBe(output)
    expect(rewrite?.warning.code).toBe(code)
    expect(rewrite?.warning.path).toBe('container.x.Container.PublishPort[0]')
  })

  it('leaves 127.0.0.0/8 alone', () => {
    expect(rewritePublishPort('127.0.0.9:53:53/udp', [])).toBeUndefined()
  })

  it('always ends on a loopback address', () => {
    fc.assert(
      fc.property(publishPort, (p) => {
        const text = rewritePublishPort(formatPublishPort(p), [])?.value ?? formatPublishPort(p)
        const parsed = parsePublishPort(text)
        expect(parsed.ok && parsed.value.hostIp?.startsWith('127.')).toBe(true)
      }),
    )
  })
})
