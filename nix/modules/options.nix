# The options every AtomicNix module reads: the package, the interfaces and the LAN defaults.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.atomicnix;
  inherit (lib) mkOption types;
  lanLines = lib.concatStringsSep "\n" [
    ""
    "[lan]"
    "gateway_cidr = ${builtins.toJSON cfg.lan.gatewayCidr}"
    "dhcp_start = ${builtins.toJSON cfg.lan.dhcpStart}"
    "dhcp_end = ${builtins.toJSON cfg.lan.dhcpEnd}"
    "domain = ${builtins.toJSON cfg.lan.domain}"
    "gateway_aliases = ${builtins.toJSON cfg.lan.gatewayAliases}"
    ""
  ];
  # The fallback config with the LAN defaults of these options; the package validates and renders it at build
  # time, so a bad LAN default fails the build with config-schema's own message (builtins.toJSON quotes each
  # value as a TOML basic string).
  fallbackConfig = pkgs.writeText "atomicnix-fallback.toml" (builtins.readFile ../fallback.toml + lanLines);
  interface =
    default: what:
    mkOption {
      type = types.nullOr (types.attrsOf types.str);
      default = null;
      example = {
        Path = "platform-ff540000.ethernet";
      };
      description = ''
        systemd.link [Match] of the ${what} device, which is then named `${default}`. The rendered files
        (firewall, dnsmasq, networkd) always name `${default}`, as DESIGN section 5 says; this picks the hardware
        that gets the name. null: the kernel's own `${default}` (predictable names are off).
      '';
    };
in
{
  options.atomicnix = {
    enable = lib.mkEnableOption "the AtomicNix gateway";

    lib = mkOption {
      type = types.attrs;
      readOnly = true;
      default = import ../lib { envDevice = cfg.bootEnvDevice; };
      description = "nix/lib, evaluated for this device (partitions, ubootEnv, RAUC texts, boot scripts).";
    };

    package = mkOption {
      type = types.package;
      default = pkgs.callPackage ../package.nix { inherit fallbackConfig; };
      defaultText = lib.literalExpression "pkgs.callPackage ./nix/package.nix { fallbackConfig = <from atomicnix.lan>; }";
      description = "The atomicnix package (CLI, console, JSON Schema, fallback system files).";
    };

    fallbackEtc = mkOption {
      type = types.path;
      readOnly = true;
      default = "${cfg.package}/${cfg.package.passthru.fallbackEtc}";
      description = "The fallback system files rendered at build time, laid out like /etc.";
    };

    dataDir = mkOption {
      type = types.str;
      default = "/data";
      description = "Where persisted state lives (`--data`); /data/config is the current generation.";
    };

    bootEnvDevice = mkOption {
      type = types.str;
      default = "/dev/mmcblk1";
      description = "The block device that holds the boot-count environment (the Rock64's eMMC).";
    };

    interfaces = {
      wanMatch = interface "eth0" "WAN";
      lanMatch = interface "eth1" "LAN";
    };

    lan = {
      gatewayCidr = mkOption {
        type = types.str;
        default = "172.20.30.1/24";
        description = "The LAN gateway address of the fallback LAN (before provisioning).";
      };
      dhcpStart = mkOption {
        type = types.str;
        default = "172.20.30.10";
        description = "First DHCP address of the fallback LAN.";
      };
      dhcpEnd = mkOption {
        type = types.str;
        default = "172.20.30.254";
        description = "Last DHCP address of the fallback LAN.";
      };
      domain = mkOption {
        type = types.str;
        default = "local";
        description = "Local DNS domain of the fallback LAN.";
      };
      gatewayAliases = mkOption {
        type = types.listOf types.str;
        default = [ "atomicnix" ];
        description = "Names of the gateway on the fallback LAN.";
      };
    };
  };
}
