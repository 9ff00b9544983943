# LAN services on the fallback files rendered at build time: a LAN client gets a lease in range with the gateway as
# router and DNS, resolves the gateway names, and gets time from the gateway's chronyd.
{ pkgs, atomicnix }:
pkgs.testers.runNixOSTest {
  name = "atomicnix-lan-services";
  nodes = {
    gateway = import ./common.nix { inherit atomicnix; };
    lan = {
      virtualisation.vlans = [ 2 ];
      networking.firewall.enable = false;
      networking.useNetworkd = true;
      networking.useDHCP = false;
      systemd.network.networks."10-lan" = {
        matchConfig.Name = "eth1";
        networkConfig.DHCP = "yes";
      };
      environment.systemPackages = [
        pkgs.dig
        pkgs.chrony
      ];
    };
  };
  testScript = ''
    start_all()
    gateway.wait_for_unit("dnsmasq.service")
    gateway.wait_for_unit("chronyd.service")
    lan.wait_until_succeeds("ip -4 addr show eth1 | grep -Eq 'inet 172\\.20\\.30\\.([1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-4])/24'")
    lan.succeed("ip route | grep -q 'default via 172.20.30.1'")
    lan.succeed("dig +short @172.20.30.1 atomicnix.local | grep -qx 172.20.30.1")
    lan.succeed("dig +short @172.20.30.1 atomicnix | grep -qx 172.20.30.1")
    lan.wait_until_succeeds("chronyd -Q 'server 172.20.30.1 iburst maxsamples 1' 2>&1 | grep -q 'System clock wrong by'", timeout=120)
  '';
}
