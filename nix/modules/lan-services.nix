# The LAN services on the rendered files: dnsmasq (DHCP, DNS for the local domain) and chronyd (time for the LAN),
# each run directly on the complete configuration in /etc/atomicnix, which is the fallback rendered at build time
# until `atomicnix apply` writes the provisioned one and restarts the service. NixOS's services.dnsmasq and
# services.chrony stay off: they would write configurations of their own.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.atomicnix;
  etc = name: { "atomicnix/${name}".source = "${cfg.fallbackEtc}/atomicnix/${name}"; };
in
lib.mkIf cfg.enable {
  environment.etc = etc "dnsmasq.conf" // etc "dnsmasq-hosts" // etc "chrony.conf";

  users.users.dnsmasq = {
    isSystemUser = true;
    group = "dnsmasq";
  };
  users.groups.dnsmasq = { };
  users.users.chrony = {
    isSystemUser = true;
    group = "chrony";
    home = "/var/lib/chrony";
  };
  users.groups.chrony = { };

  systemd.services.dnsmasq = {
    description = "dnsmasq on the AtomicNix LAN";
    wantedBy = [ "multi-user.target" ];
    after = [
      "network.target"
      "atomicnix-firewall.service"
    ];
    serviceConfig = {
      ExecStartPre = "${pkgs.dnsmasq}/bin/dnsmasq --test --conf-file=/etc/atomicnix/dnsmasq.conf";
      ExecStart = "${pkgs.dnsmasq}/bin/dnsmasq --keep-in-foreground --user=dnsmasq --conf-file=/etc/atomicnix/dnsmasq.conf";
      Restart = "always";
      RestartSec = "2s";
      StateDirectory = "dnsmasq";
    };
  };

  systemd.services.chronyd = {
    description = "chronyd for the AtomicNix LAN";
    wantedBy = [ "multi-user.target" ];
    after = [ "network.target" ];
    serviceConfig = {
      ExecStart = "${pkgs.chrony}/bin/chronyd -n -u chrony -f /etc/atomicnix/chrony.conf";
      Restart = "always";
      RestartSec = "2s";
      StateDirectory = "chrony";
      RuntimeDirectory = "chrony";
    };
  };
  environment.systemPackages = [ pkgs.chrony ];
}
