# Persistent journald on /data, so that the logs of a boot that was rolled back are still there after it (the root
# is a tmpfs). Bound with `SystemMaxUse` so a chatty container cannot fill /data.
{ config, lib, ... }:
let
  cfg = config.atomicnix;
in
lib.mkIf cfg.enable {
  services.journald.storage = "persistent";
  services.journald.extraConfig = ''
    SystemMaxUse=256M
    SyncIntervalSec=30s
  '';
  fileSystems."/var/log/journal" = {
    device = "${cfg.dataDir}/log/journal";
    fsType = "none";
    options = [ "bind" ];
    depends = [ cfg.dataDir ];
  };
  systemd.tmpfiles.rules = [ "d ${cfg.dataDir}/log/journal 2755 root systemd-journal -" ];
  # Journal files written before a power cut are flushed at shutdown and on `journalctl --flush`; the health
  # service flushes after each boot's outcome is known (nix/modules/health.nix).
}
