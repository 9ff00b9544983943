# RAUC with the U-Boot backend: /etc/rauc/system.conf and /etc/fw_env.config come from nix/lib (the same texts the
# offline tests check with the real rauc and libubootenv). The CA certificate is the one public input signing needs
# on the device; the signing key never enters the store (nix/image.nix signs at release time).
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
  options.atomicnix.rauc.keyring = lib.mkOption {
    type = lib.types.nullOr (lib.types.either lib.types.path lib.types.str);
    default = null;
    example = lib.literalExpression "./keys/atomicnix-ca.cert.pem";
    description = "PEM certificate of the CA that signs the update bundles (public; linked as /etc/rauc/ca.cert.pem). An absolute path outside the store is linked as it is (the VM tests make their CA at run time).";
  };

  config = lib.mkIf cfg.enable {
    assertions = [
      {
        assertion = cfg.rauc.keyring != null;
        message = "atomicnix.rauc.keyring must name the CA certificate that signs the bundles";
      }
    ];
    environment.etc."rauc/system.conf".text = cfg.lib.raucSystemConf;
    environment.etc."rauc/ca.cert.pem".source = cfg.rauc.keyring;
    environment.etc."fw_env.config".text = cfg.lib.ubootEnv.fwEnvConfig;

    environment.systemPackages = [
      pkgs.rauc
      pkgs.libubootenv
    ];
    services.dbus.packages = [ pkgs.rauc ];
    systemd.packages = [ pkgs.rauc ];
    systemd.services.rauc = {
      wantedBy = [ "multi-user.target" ];
      path = [ pkgs.libubootenv ];
    };
    # Verity bundles are mounted through loop and dm-verity.
    boot.kernelModules = [
      "loop"
      "dm_verity"
    ];
    systemd.tmpfiles.rules = [ "d ${cfg.dataDir}/rauc 0700 root root -" ];
  };
}
