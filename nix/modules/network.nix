# Networking with systemd-networkd: the WAN `eth0` by DHCP, the LAN `eth1` static. The LAN address is the drop-in
# 20-lan.network.d/50-atomicnix.conf, rendered at build time for the fallback LAN and replaced by `atomicnix apply`
# (which reloads networkd) after provisioning. The interface options only pick which hardware gets the names.
{ config, lib, ... }:
let
  cfg = config.atomicnix;
  dropIn = "systemd/network/20-lan.network.d/50-atomicnix.conf";
  link = name: match: {
    "10-atomicnix-${name}" = {
      matchConfig = match;
      linkConfig.Name = name;
    };
  };
in
lib.mkIf cfg.enable {
  networking.useNetworkd = true;
  networking.useDHCP = false;
  networking.usePredictableInterfaceNames = false;
  systemd.network.enable = true;
  systemd.network.links =
    lib.optionalAttrs (cfg.interfaces.wanMatch != null) (link "eth0" cfg.interfaces.wanMatch)
    // lib.optionalAttrs (cfg.interfaces.lanMatch != null) (link "eth1" cfg.interfaces.lanMatch);

  systemd.network.networks = {
    "10-wan" = {
      matchConfig.Name = "eth0";
      networkConfig = {
        DHCP = "yes";
        IPv6AcceptRA = true;
      };
      dhcpV4Config.UseDNS = true;
    };
    # No address here: it comes from the drop-in, the one place that has it.
    "20-lan" = {
      matchConfig.Name = "eth1";
      networkConfig = {
        ConfigureWithoutCarrier = true;
        DHCP = "no";
        IPv6AcceptRA = false;
        LinkLocalAddressing = "no";
      };
      linkConfig.RequiredForOnline = "no";
    };
  };
  environment.etc.${dropIn}.source = "${cfg.fallbackEtc}/${dropIn}";
}
