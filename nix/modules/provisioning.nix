# Provisioning: on every boot `atomicnix first-boot` takes the config from the existing generation, or on a fresh
# flash from /boot/config.toml, or from a USB seed, and applies it; while there is none it leaves the fallback in
# place and the bootstrap API (`atomicnix serve`) takes one from the LAN. The API listens on the LAN gateway address
# only; the firewall opens TCP 8080 on eth1 alone.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.atomicnix;
  exe = "${cfg.package}/bin/atomicnix";
  gatewayIp = builtins.head (lib.splitString "/" cfg.lan.gatewayCidr);
  # The programs that apply and first-boot run through their Exec port, found on PATH.
  path = [
    pkgs.nftables
    pkgs.systemd
    pkgs.util-linux
    pkgs.podman
    pkgs.coreutils
  ];
in
{
  options.atomicnix.provisioning.usbSeedDirs = lib.mkOption {
    type = lib.types.listOf lib.types.str;
    default = [ "/run/media/usb" ];
    description = "Directories where a mounted USB stick's seed config or bundle is looked for.";
  };

  config = lib.mkIf cfg.enable {
    environment.systemPackages = [ cfg.package ];

    # USB sticks are mounted read-only under /run/media/usb for the seed.
    services.udev.extraRules = ''
      ACTION=="add", SUBSYSTEMS=="usb", SUBSYSTEM=="block", ENV{ID_FS_USAGE}=="filesystem", ENV{SYSTEMD_WANTS}+="atomicnix-usb-seed@%k.service"
    '';
    systemd.services."atomicnix-usb-seed@" = {
      description = "Mount USB seed %I";
      serviceConfig = {
        Type = "oneshot";
        RemainAfterExit = true;
        ExecStart = "${pkgs.bash}/bin/sh -c 'mkdir -p /run/media/usb && ${pkgs.util-linux}/bin/mount -o ro,nosuid,nodev,noexec /dev/%I /run/media/usb'";
        ExecStop = "${pkgs.util-linux}/bin/umount /run/media/usb";
      };
    };

    systemd.services.atomicnix-first-boot = {
      description = "AtomicNix: take the config (generation, /boot, USB) and apply it";
      wantedBy = [ "multi-user.target" ];
      after = [
        "atomicnix-firewall.service"
        "systemd-networkd.service"
        "local-fs.target"
      ];
      wants = [ "atomicnix-firewall.service" ];
      inherit path;
      serviceConfig = {
        Type = "oneshot";
        RemainAfterExit = true;
        ExecStart = lib.escapeShellArgs (
          [
            exe
            "first-boot"
            "--data"
            cfg.dataDir
            "--boot"
            "/boot"
          ]
          ++ lib.concatMap (d: [
            "--usb"
            d
          ]) cfg.provisioning.usbSeedDirs
        );
      };
    };

    systemd.services.atomicnix-serve = {
      description = "AtomicNix bootstrap API and console on the LAN";
      wantedBy = [ "multi-user.target" ];
      after = [
        "atomicnix-first-boot.service"
        "systemd-networkd.service"
      ];
      inherit path;
      serviceConfig = {
        ExecStart = lib.escapeShellArgs [
          exe
          "serve"
          "--data"
          cfg.dataDir
          "--listen"
          "${gatewayIp}:8080"
        ];
        Restart = "always";
        RestartSec = "2s";
        # It binds to the LAN address, which exists once networkd has configured eth1.
        ExecStartPre = "${pkgs.systemd}/lib/systemd/systemd-networkd-wait-online --interface=eth1 --timeout=60";
      };
    };
  };
}
