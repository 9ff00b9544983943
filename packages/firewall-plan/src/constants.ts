/** The one nftables table the gateway owns; nothing outside it is ever touched. */
export const FIREWALL_TABLE = { family: 'inet', name: 'atomicnix' } as const

/** Where the rendered script lives below a device root (DESIGN section 4); the device loads it with `nft -f`. */
export const FIREWALL_NFT_PATH = 'etc/atomicnix/firewall.nft'

/** Ports the LAN services need, kept open under a LAN allowlist whatever the operator listed. */
export const LAN_PLATFORM_PORTS = {
  /** SSH, DNS over TCP, the bootstrap console. */
  tcp: [22, 53, 8080],
  /** DNS, DHCP server and client, NTP. */
  udp: [53, 67, 68, 123],
} as const

/** SSH, the only port reachable over the VPN and, when the flag is set, over the WAN. */
export const SSH_PORT = 22

/** Longest rule comment nft accepts, in bytes (NFT_USERDATA_MAXLEN). */
export const MAX_COMMENT_BYTES = 128
