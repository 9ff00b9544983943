# Health confirmation after boot: `atomicnix confirm` decides whether the booted slot stays (RAUC mark-good after a
# sustained healthy window) or goes (mark-bad and reboot past the deadline). When it exits 0 the slot is committed,
# and the boot script's BOOT_COMMITTED is set to it: that is the slot the script falls back to, with a fresh count,
# when every slot has run out of tries. The journal is flushed to /data once the outcome is known.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.atomicnix;
  recordCommitted = pkgs.writeShellScript "atomicnix-record-committed" ''
    set -eu
    slot=
    for arg in $(cat /proc/cmdline); do
      case "$arg" in
        rauc.slot=A) slot=A ;;
        rauc.slot=B) slot=B ;;
      esac
    done
    [ -n "$slot" ] || { echo "no rauc.slot on the command line; BOOT_COMMITTED unchanged"; exit 0; }
    if [ "$(${pkgs.libubootenv}/bin/fw_printenv -n BOOT_COMMITTED 2>/dev/null || true)" != "$slot" ]; then
      ${pkgs.libubootenv}/bin/fw_setenv BOOT_COMMITTED "$slot"
      # Read back: a write that did not land is a failure, not a committed slot.
      [ "$(${pkgs.libubootenv}/bin/fw_printenv -n BOOT_COMMITTED)" = "$slot" ]
      echo "BOOT_COMMITTED=$slot"
    fi
  '';
in
{
  options.atomicnix.health = {
    window = lib.mkOption {
      type = lib.types.str;
      default = "60s";
      description = "How long every check must stay healthy before the slot is committed.";
    };
    interval = lib.mkOption {
      type = lib.types.str;
      default = "5s";
      description = "Time between checks.";
    };
    deadline = lib.mkOption {
      type = lib.types.str;
      default = "10m";
      description = "Past this, a slot on trial is marked bad and the device reboots.";
    };
  };

  config = lib.mkIf cfg.enable {
    systemd.services.atomicnix-confirm = {
      description = "AtomicNix: confirm the booted slot once the device is healthy";
      wantedBy = [ "multi-user.target" ];
      after = [
        "atomicnix-first-boot.service"
        "dnsmasq.service"
        "chronyd.service"
        "rauc.service"
      ];
      wants = [ "rauc.service" ];
      path = [
        pkgs.rauc
        pkgs.libubootenv
        pkgs.systemd
        pkgs.iproute2
        pkgs.podman
      ];
      serviceConfig = {
        Type = "oneshot";
        RemainAfterExit = true;
        ExecStart = lib.escapeShellArgs [
          "${cfg.package}/bin/atomicnix"
          "confirm"
          "--window"
          cfg.health.window
          "--interval"
          cfg.health.interval
          "--deadline"
          cfg.health.deadline
        ];
        ExecStartPost = [
          recordCommitted
          "${pkgs.systemd}/bin/journalctl --flush"
        ];
        # The deadline is the command's own; systemd only stops a hung one.
        TimeoutStartSec = "30min";
      };
    };
  };
}
