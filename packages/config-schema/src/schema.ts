import Type from 'typebox'
import { SSH_KEY_TYPES } from './ssh-key.js'

const Port = Type.Integer({ minimum: 1, maximum: 65535, description: 'A TCP or UDP port.' })
const PortList = Type.Array(Port, { description: 'Ports to open; duplicates are reported and dropped.' })
const PortSet = Type.Object(
  { tcp: Type.Optional(PortList), udp: Type.Optional(PortList) },
  { additionalProperties: false },
)

const DNS_NAME = '^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?$'
const DnsName = (options: { default?: string } = {}) => Type.String({ maxLength: 253, pattern: DNS_NAME, ...options })
const IPV4_OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)'
const Ipv4 = (options: { default?: string } = {}) =>
  Type.String({ pattern: `^${IPV4_OCTET}(\\.${IPV4_OCTET}){3}$`, ...options })

const Scalar = Type.Union([
  Type.String({ pattern: '^[^\\u0000-\\u001f\\u007f-\\u009f]*$' }),
  Type.Integer(),
  Type.Boolean(),
])
const SectionValue = Type.Union([Scalar, Type.Array(Scalar, { minItems: 1 })])
const Section = Type.Record(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9-]*$' }), SectionValue, {
  additionalProperties: false,
  description: 'Quadlet or systemd keys of one section, rendered in source order.',
})
const UnitName = '^[A-Za-z0-9][A-Za-z0-9_-]*$'
const unitTable = (own: string, extra: Record<string, ReturnType<typeof Type.Boolean>> = {}, minProperties = 0) =>
  Type.Record(
    Type.String({ pattern: UnitName }),
    Type.Object(
      { ...extra, Unit: Type.Optional(Section), [own]: Section, Install: Type.Optional(Section) },
      { additionalProperties: false },
    ),
    { minProperties, additionalProperties: false },
  )

/** The stable identifier of the config.toml v1 schema (`$id`); it changes only with the config format version. */
export const CONFIG_SCHEMA_ID = 'urn:atomicnix:config:v1'

/**
 * JSON Schema (draft 2020-12, built with TypeBox) of config.toml v1, for editors that validate TOML with JSON
 * Schema. It states the shape; rules that need more than a schema (SSH key contents, DHCP range inside the subnet,
 * the Quadlet catalogue and rootless boundary) are enforced by `parseConfig` and `validateConfig`. The build writes
 * it to `config.schema.json` (`@atomicnix/config-schema/config.schema.json`).
 */
export const configJsonSchema = Type.Object(
  {
    version: Type.Literal(1, { description: 'Config format version.' }),
    admin: Type.Object(
      {
        ssh_keys: Type.Array(
          Type.String({
            pattern: `^(${SSH_KEY_TYPES.map((t) => t.replaceAll('.', '\\.')).join('|')}) [A-Za-z0-9+/]+=*( .*)?$`,
          }),
          { minItems: 1, description: 'OpenSSH public keys of the administrators.' },
        ),
      },
      { additionalProperties: false },
    ),
    firewall: Type.Object(
      {
        inbound: Type.Object(
          {
            tcp: Type.Optional(PortList),
            udp: Type.Optional(PortList),
            wan: Type.Optional(PortSet),
            lan: Type.Optional(PortSet),
          },
          { additionalProperties: false, description: 'Flat tcp/udp (WAN) or scoped wan/lan port lists.' },
        ),
      },
      { additionalProperties: false },
    ),
    lan: Type.Optional(
      Type.Object(
        {
          gateway_cidr: Type.Optional(Type.String({ pattern: '^[0-9.]+/24$', default: '172.20.30.1/24' })),
          dhcp_start: Type.Optional(Ipv4({ default: '172.20.30.10' })),
          dhcp_end: Type.Optional(Ipv4({ default: '172.20.30.254' })),
          domain: Type.Optional(DnsName({ default: 'local' })),
          gateway_aliases: Type.Optional(Type.Array(DnsName(), { default: ['atomicnix'] })),
          hostname_pattern: Type.Optional(Type.String({ pattern: '^$|\\{mac\\}', default: '' })),
        },
        { additionalProperties: false },
      ),
    ),
    health: Type.Optional(
      Type.Object(
        { required: Type.Array(Type.String({ pattern: UnitName }), { minItems: 1 }) },
        { additionalProperties: false },
      ),
    ),
    os_upgrade: Type.Optional(
      Type.Object(
        { server_url: Type.Optional(Type.String({ pattern: '^https?://' })) },
        { additionalProperties: false },
      ),
    ),
    container: unitTable('Container', { privileged: Type.Boolean() }, 1),
    network: Type.Optional(unitTable('Network')),
    volume: Type.Optional(unitTable('Volume')),
    build: Type.Optional(unitTable('Build')),
  },
  {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: CONFIG_SCHEMA_ID,
    title: 'AtomicNix config.toml v1',
    additionalProperties: false,
  },
)
