import { HOSTS_BLOCK_BEGIN, HOSTS_BLOCK_END, mergeHostsBlock, planLan, renderHostsBlock } from '@atomicnix/lan-plan'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { lanPlanOptions, lanSettings } from './arbitraries.js'
import { DEFAULT_LAN, PLANT_LAN } from './fixtures.js'

const DEBIAN_HOSTS = '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nff02::1\tip6-allnodes\n'
const block = renderHostsBlock(planLan(DEFAULT_LAN))
const plantBlock = renderHostsBlock(planLan(PLANT_LAN, { mac: '02a46b001f9e' }))

/** Lines of /etc/hosts that are not ours: any text without our markers (CR, tabs and comments included). */
const foreignLine = fc
  .string({
    unit: fc.constantFrom('1', '2', '7', '.', ':', ' ', '\t', '#', 'a', 'h', 'o', 's', 't', '\r'),
    maxLength: 30,
  })
  .filter((l) => !l.includes('ATOMICNIX'))

describe('the /etc/hosts block', () => {
  it('is the hosts lines between marker lines', () => {
    expect(block).toBe(`${HOSTS_BLOCK_BEGIN}\n172.20.30.1 atomicnix atomicnix.local\n${HOSTS_BLOCK_END}\n`)
  })

  it('is appended to a file without one, leaving the rest as it was', () => {
    expect(mergeHostsBlock(DEBIAN_HOSTS, block)).toBe(DEBIAN_HOSTS + block)
    expect(mergeHostsBlock('127.0.0.1 localhost', block)).toBe(`127.0.0.1 localhost\n${block}`)
    expect(mergeHostsBlock('', block)).toBe(block)
  })

  it('is replaced as a whole, in place', () => {
    const before = `127.0.0.1 localhost\n${block}10.0.0.5 printer\n`
    expect(mergeHostsBlock(before, plantBlock)).toBe(`127.0.0.1 localhost\n${plantBlock}10.0.0.5 printer\n`)
  })

  it('drops extra blocks, stray markers and the lines the reference gateway marked', () => {
    const messy = [
      '127.0.0.1 localhost',
      '172.20.30.1 atomicnix atomicnix.local # ATOMICNIX_LAN_GATEWAY',
      block.trimEnd(),
      '# a comment that stays',
      HOSTS_BLOCK_END,
      block.trimEnd(),
      HOSTS_BLOCK_BEGIN,
      '10.0.0.5 printer',
      '',
    ].join('\n')
    expect(mergeHostsBlock(messy, plantBlock)).toBe(
      `127.0.0.1 localhost\n${plantBlock}# a comment that stays\n10.0.0.5 printer\n`,
    )
  })

  it('refuses a block that renderHostsBlock did not make', () => {
    for (const bad of [
      '',
      '10.0.0.1 x\n',
      `${HOSTS_BLOCK_BEGIN}\n`,
      `${HOSTS_BLOCK_BEGIN}\n${HOSTS_BLOCK_BEGIN}\n${HOSTS_BLOCK_END}\n`,
    ]) {
      expect(() => mergeHostsBlock(DEBIAN_HOSTS, bad)).toThrow(TypeError)
    }
  })

  it('merges idempotently and keeps every other line in order', () => {
    fc.assert(
      fc.property(
        fc.array(foreignLine, { maxLength: 8 }),
        fc.array(foreignLine, { maxLength: 8 }),
        fc.boolean(),
        lanSettings,
        lanPlanOptions,
        (head, tail, withOld, lan, options) => {
          const newBlock = renderHostsBlock(planLan(lan, options))
          const existing = [...head, ...(withOld ? [block.trimEnd()] : []), ...tail].join('\n')
          const once = mergeHostsBlock(existing, newBlock)
          expect(mergeHostsBlock(once, newBlock)).toBe(once)
          expect(once.split(HOSTS_BLOCK_BEGIN)).toHaveLength(2)
          expect(once).toContain(newBlock)
          const others = once
            .replace(newBlock, '')
            .split('\n')
            .filter((l) => l !== '')
          expect(others).toEqual([...head, ...tail].filter((l) => l !== ''))
        },
      ),
    )
  })
})
