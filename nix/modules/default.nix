# All AtomicNix NixOS modules; each file holds one concern. `atomicnix.enable` switches the device on.
{
  imports = [
    ./options.nix
    ./storage.nix
    ./journal.nix
    ./users.nix
    ./firewall.nix
    ./network.nix
    ./lan-services.nix
    ./provisioning.nix
    ./quadlet.nix
    ./health.nix
    ./upgrade.nix
    ./rauc.nix
    ./watchdog.nix
    ./vpn.nix
  ];
}
