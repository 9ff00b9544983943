# Firewall: the base firewall before provisioning (WAN closed, LAN services only), the provisioned one after, SSH on
# WAN only with the flag file, no forwarding between LAN and WAN, and the table back after `systemctl reload
# nftables` (which flushes the ruleset).
{ pkgs, atomicnix }:
pkgs.testers.runNixOSTest {
  name = "atomicnix-firewall";
  nodes = {
    gateway = import ./common.nix { inherit atomicnix; };
    wan = {
      virtualisation.vlans = [ 1 ];
      networking.firewall.enable = false;
      networking.interfaces.eth1.ipv4.addresses = [
        {
          address = "192.0.2.2";
          prefixLength = 24;
        }
      ];
      services.dnsmasq = {
        enable = true;
        settings = {
          interface = "eth1";
          dhcp-range = "192.0.2.100,192.0.2.150,1h";
        };
      };
      environment.systemPackages = [ pkgs.netcat-openbsd ];
    };
    lan = {
      virtualisation.vlans = [ 2 ];
      networking.firewall.enable = false;
      networking.useDHCP = false;
      networking.interfaces.eth1.useDHCP = true;
      environment.systemPackages = [ pkgs.netcat-openbsd ];
    };
  };
  testScript = ''
    start_all()
    gateway.wait_for_unit("atomicnix-firewall.service")
    gateway.wait_until_succeeds("ip -4 addr show eth0 | grep -q 192.0.2.")
    wan_ip = gateway.succeed("ip -4 -o addr show eth0 | awk '{print $4}' | cut -d/ -f1").strip()

    with subtest("base firewall: only our table, WAN closed, LAN services open"):
        gateway.succeed("nft list table inet atomicnix")
        wan.fail(f"nc -z -w 3 {wan_ip} 22")
        wan.fail(f"nc -z -w 3 {wan_ip} 8080")
        lan.wait_until_succeeds("ip -4 addr show eth1 | grep -q 172.20.30.")
        lan.succeed("nc -z -w 3 172.20.30.1 8080")
        lan.succeed("nc -z -w 3 172.20.30.1 22")

    with subtest("no forwarding"):
        gateway.succeed("test $(sysctl -n net.ipv4.ip_forward) = 0")
        gateway.succeed("test $(sysctl -n net.ipv6.conf.all.forwarding) = 0")
        lan.fail("ping -c 1 -W 2 192.0.2.2")

    with subtest("a reload of nftables re-applies the table"):
        gateway.succeed("systemctl reload nftables.service || systemctl restart nftables.service")
        gateway.wait_until_succeeds("nft list table inet atomicnix")
        wan.fail(f"nc -z -w 3 {wan_ip} 22")
  '';
}
