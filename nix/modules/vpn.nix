# OpenVPN for recovery: when the provisioned bundle carries files/openvpn/recovery.conf, the device dials out with
# it on `tun0`, where the firewall admits SSH (TCP 22) and nothing else. No config, no VPN.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.atomicnix;
  conf = "${cfg.dataDir}/config/files/openvpn/recovery.conf";
in
lib.mkIf cfg.enable {
  systemd.services.atomicnix-vpn = {
    description = "AtomicNix recovery VPN (tun0)";
    wantedBy = [ "multi-user.target" ];
    after = [
      "network-online.target"
      "atomicnix-first-boot.service"
    ];
    wants = [ "network-online.target" ];
    unitConfig.ConditionPathExists = conf;
    serviceConfig = {
      ExecStart = "${pkgs.openvpn}/bin/openvpn --config ${conf} --dev tun0 --dev-type tun --cd ${cfg.dataDir}/config/files/openvpn";
      Restart = "always";
      RestartSec = "30s";
    };
  };
}
