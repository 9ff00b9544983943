# OS upgrades: a timer runs `atomicnix upgrade --once`, which checks the update server of the provisioned
# [os_upgrade] (none: nothing to do), and only on a committed slot installs a newer signed bundle with RAUC and
# reboots into it. The bundle is streamed to /data, never to the tmpfs.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.atomicnix;
in
{
  options.atomicnix.upgrade.interval = lib.mkOption {
    type = lib.types.str;
    default = "1h";
    description = "How often the update server is asked (systemd time span); each run is spread by up to 10 minutes.";
  };

  config = lib.mkIf cfg.enable {
    systemd.services.atomicnix-upgrade = {
      description = "AtomicNix: look for a newer firmware and install it";
      after = [
        "atomicnix-confirm.service"
        "network-online.target"
      ];
      wants = [ "network-online.target" ];
      requires = [ "atomicnix-confirm.service" ];
      path = [
        pkgs.rauc
        pkgs.systemd
      ];
      serviceConfig = {
        Type = "oneshot";
        ExecStart = "${cfg.package}/bin/atomicnix upgrade --once";
      };
    };
    systemd.timers.atomicnix-upgrade = {
      wantedBy = [ "timers.target" ];
      timerConfig = {
        OnBootSec = "15min";
        OnUnitActiveSec = cfg.upgrade.interval;
        RandomizedDelaySec = "10min";
      };
    };
  };
}
