# Firewall: one nftables table of our own (`inet atomicnix`), loaded from /etc/atomicnix/firewall.nft with `nft -f`
# (checked with `nft -c` first). The file starts as the base firewall rendered at build time (WAN closed, LAN
# services only) and `atomicnix apply` replaces it with the provisioned one. NixOS's own firewall is off; the
# nftables service stays, and a reload of it (which flushes the ruleset) re-applies our table. No IP forwarding.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.atomicnix;
  nft = "${pkgs.nftables}/bin/nft";
  load = pkgs.writeShellScript "atomicnix-firewall-load" ''
    set -eu
    ${nft} -c -f /etc/atomicnix/firewall.nft
    ${nft} -f /etc/atomicnix/firewall.nft
  '';
in
lib.mkIf cfg.enable {
  networking.firewall.enable = false;
  networking.nftables.enable = true;
  networking.nftables.ruleset = "";

  environment.etc."atomicnix/firewall.nft".source = "${cfg.fallbackEtc}/atomicnix/firewall.nft";

  systemd.services.atomicnix-firewall = {
    description = "AtomicNix firewall (table inet atomicnix)";
    wantedBy = [ "multi-user.target" ];
    # Up before any interface is configured, and again after every start or reload of nftables.service.
    before = [ "network-pre.target" ];
    wants = [ "network-pre.target" ];
    after = [ "nftables.service" ];
    partOf = [ "nftables.service" ];
    unitConfig.ReloadPropagatedFrom = [ "nftables.service" ];
    serviceConfig = {
      Type = "oneshot";
      RemainAfterExit = true;
      ExecStart = load;
      ExecReload = load;
    };
  };

  boot.kernel.sysctl = {
    "net.ipv4.ip_forward" = 0;
    "net.ipv4.conf.all.forwarding" = 0;
    "net.ipv6.conf.all.forwarding" = 0;
    "net.ipv4.conf.all.rp_filter" = 1;
  };
  # networkd must not turn forwarding on for any link either.
  systemd.network.config.networkConfig = {
    IPv4Forwarding = false;
    IPv6Forwarding = false;
  };
}
