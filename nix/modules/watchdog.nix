# The hardware watchdog (RK3328: dw_wdt), through systemd. Off by default: on the Rock64 it stays off until boot
# stability is validated on hardware, as the seed says. When on, a hung system resets, and the reset is one more
# counted try of the slot in the boot script.
{ config, lib, ... }:
let
  cfg = config.atomicnix;
in
{
  options.atomicnix.watchdog = {
    enable = lib.mkEnableOption "the hardware watchdog (off by default on the Rock64)";
    runtimeTime = lib.mkOption {
      type = lib.types.str;
      default = "30s";
      description = "systemd pings the watchdog within this time; a hang longer than it resets the board.";
    };
  };

  config = lib.mkIf (cfg.enable && cfg.watchdog.enable) {
    boot.kernelModules = [ "dw_wdt" ];
    systemd.watchdog = {
      device = "/dev/watchdog";
      runtimeTime = cfg.watchdog.runtimeTime;
      rebootTime = "10min";
    };
  };
}
